import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { RULE_IDS } from '../../server/src/protocol';
import { ruleMetadata } from '../../server/src/rules/index';

const DOCS = resolve(__dirname, '../../docs/rules');
const read = (path: string) => readFileSync(path, 'utf8');

// Rule ids are a public contract, and each links to its page: RULE_IDS, the pages and both tables move together.
describe('the rule documentation follows RULE_IDS', () => {
  it('has one page per rule id, and no other', () => {
    const pages = readdirSync(DOCS)
      .filter((f) => f.endsWith('.md') && f !== 'README.md')
      .map((f) => f.slice(0, -3))
      .sort();
    assert.deepEqual(pages, [...RULE_IDS].sort());
  });

  it('titles each page with its id and states the default severity', () => {
    for (const id of RULE_IDS) {
      const page = read(resolve(DOCS, `${id}.md`));
      assert.equal(page.split('\n')[0], `# ${id}`);
      assert.match(page, new RegExp(`\\*\\*Default severity:\\*\\* ${ruleMetadata(id).defaultSeverity}\\b`), id);
    }
  });

  it('lists every rule with its default severity in both rule tables', () => {
    const tables = [
      { text: read(resolve(DOCS, 'README.md')), link: (id: string) => `[${id}](${id}.md)` },
      { text: read(resolve(__dirname, '../../README.md')), link: (id: string) => `[${id}](docs/rules/${id}.md)` },
    ];
    for (const { text, link } of tables) {
      for (const id of RULE_IDS) {
        const row = text.split('\n').find((line) => line.startsWith(`| ${link(id)} `));
        assert.ok(row, `no row for ${id}`);
        assert.equal(row.split('|')[2]!.trim(), ruleMetadata(id).defaultSeverity, id);
      }
    }
  });
});
