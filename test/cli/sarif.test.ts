import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import type { Log } from 'sarif';
import { RULE_IDS } from '../../server/src/protocol';
import { runCli, workspace } from '../helpers/cli';

const schema = JSON.parse(readFileSync(join(__dirname, '../schemas/sarif-schema-2.1.0.json'), 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

describe('safesql lint --format sarif', () => {
  const dir = workspace({
    'migrations/001 clean up.sql': '-- safesql:connection live-db\nDELETE FROM orders;\nBEGIN;\nBEGIN;\nCOMMIT;\n',
    'ok.sql': 'SELECT 1;\n',
  });
  const run = runCli(['lint', '--format', 'sarif', '.'], dir);
  const log = JSON.parse(run.stdout) as Log;

  it('is valid SARIF 2.1.0 (checked against the OASIS schema)', () => {
    assert.equal(run.code, 1, run.stderr);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  });

  it('describes every rule with metadata and a help link', () => {
    const rules = log.runs[0]!.tool.driver.rules!;
    assert.deepEqual(
      rules.map((r) => r.id),
      [...RULE_IDS],
    );
    for (const rule of rules) {
      assert.match(rule.helpUri!, new RegExp(`/docs/rules/${rule.id}\\.md$`));
      assert.ok(rule.shortDescription?.text && rule.help?.text && rule.defaultConfiguration?.level);
    }
  });

  it('locates each result by a relative, URI-encoded path with 1-based regions', () => {
    const results = log.runs[0]!.results!;
    const unbounded = results.find((r) => r.ruleId === 'unbounded-delete')!;
    const location = unbounded.locations![0]!.physicalLocation!;
    assert.deepEqual(location.artifactLocation, { uri: 'migrations/001%20clean%20up.sql', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(location.region, { startLine: 2, startColumn: 1, endLine: 2, endColumn: 19 });
    assert.equal(unbounded.level, 'error');
    assert.equal(log.runs[0]!.tool.driver.rules![unbounded.ruleIndex!]!.id, 'unbounded-delete');
  });

  it('carries related locations (the BEGIN still open) and the production binding', () => {
    const results = log.runs[0]!.results!;
    const nested = results.find((r) => r.ruleId === 'uncommitted-transaction')!;
    assert.equal(nested.relatedLocations?.[0]?.physicalLocation?.region?.startLine, 3);
    const production = results.find((r) => r.ruleId === 'production-write')!;
    assert.match(production.message.text!, /"live-db", a production connection/);
  });
});

describe('safesql lint --format sarif, streamed', () => {
  it('is one valid log with an empty results array when nothing is found', () => {
    const run = runCli(['lint', '--format', 'sarif', '.'], workspace({ 'ok.sql': 'SELECT 1;\n' }));
    assert.equal(run.code, 0, run.stderr);
    const log = JSON.parse(run.stdout) as Log;
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(log.runs[0]!.results, []);
  });

  it('keeps every result of many files, in file order, in one valid log', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.sql`] = 'DELETE FROM orders;\n'.repeat(i % 3);
    const run = runCli(['lint', '--format', 'sarif', '.'], workspace(files));
    const log = JSON.parse(run.stdout) as Log;
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    const uris = log.runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!);
    // Each DELETE is unbounded and outside a transaction: two results per statement.
    assert.equal(
      uris.length,
      [...Object.values(files)].reduce((n, text) => n + 2 * (text.match(/DELETE/g) ?? []).length, 0),
    );
    assert.deepEqual(uris, [...uris].sort());
  });
});
