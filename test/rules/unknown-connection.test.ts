import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { LintSettings } from '../../server/src/config/settings';
import { codeActions } from '../../server/src/lsp/codeActions';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql, ruleFixtures } from '../helpers/lint';

const team: LintSettings = {
  rules: {},
  connections: [
    { name: 'shop-prod', environment: 'production', url: 'postgres://app@db.example.com/shop' },
    { name: 'shop-dev', environment: 'development', url: 'postgres://app@localhost/shop' },
  ],
};

ruleFixtures('unknown-connection', {
  flagged: [
    { sql: '-- safesql:connection shop-prd\nDELETE FROM orders WHERE id = 1;', marked: '-- safesql:connection shop-prd', settings: team },
    { sql: 'SELECT 1;\n--safesql:connection Shop-Prod\nSELECT 2;', settings: team },
  ],
  ok: [
    { sql: '-- safesql:connection shop-prod\nDELETE FROM orders WHERE id = 1;', settings: team },
    // No connections configured (CI without the team's settings): every name is unknown, none a typo.
    '-- safesql:connection shop-prd\nDELETE FROM orders WHERE id = 1;',
    // A name defined twice is reported where it is defined.
    {
      sql: '-- safesql:connection twice\nSELECT 1;',
      settings: { ...team, conflicts: { twice: 'defined in user and workspace settings' } },
    },
    { sql: 'SELECT 1; -- not a directive: safesql:connection nowhere', settings: team },
  ],
});

describe('unknown-connection', () => {
  before(() => loadGrammar());

  it('names the configured connections, and offers each as a quick fix', () => {
    const text = '-- safesql:connection shop-prd\nDELETE FROM orders WHERE id = 1;\n';
    const { document, findings } = lintSql(text, { settings: team });
    const [finding] = findings.filter((f) => f.rule === 'unknown-connection');
    assert.match(
      finding!.message,
      /^No connection named "shop-prd" is configured \(configured: shop-prod, shop-dev\), so the file counts as production/,
    );
    const uri = 'file:///cleanup.sql';
    const actions = codeActions({ uri, document, findings, range: { start: 5, end: 5 } }).filter((a) => a.title.startsWith('Bind'));
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Bind the file to connection "shop-prod"', 'Bind the file to connection "shop-dev"'],
    );
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'sql', 1, text), actions[0]!.edit!.changes![uri]!);
    assert.equal(fixed, '-- safesql:connection shop-prod\nDELETE FROM orders WHERE id = 1;\n');
    assert.deepEqual(
      lintSql(fixed, { settings: team }).findings.filter((f) => f.rule === 'unknown-connection'),
      [],
      'the fixed line names a configured connection',
    );
  });
});
