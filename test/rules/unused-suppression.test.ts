import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { LintSettings } from '../../server/src/config/settings';
import type { RuleId } from '../../server/src/protocol';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql, ruleFixtures } from '../helpers/lint';

ruleFixtures('unused-suppression', {
  flagged: [
    // Above a DELETE that is bounded: nothing to suppress.
    {
      sql: '-- safesql-ignore unbounded-delete -- purge\nDELETE FROM orders WHERE id = 1;',
      marked: '-- safesql-ignore unbounded-delete -- purge',
    },
    { sql: 'DELETE FROM orders WHERE id = 1; -- safesql-ignore unbounded-delete', marked: '-- safesql-ignore unbounded-delete' },
    // Ids that are not rules, or no id at all.
    { sql: '-- safesql-ignore no-such-rule\nDELETE FROM orders;', marked: '-- safesql-ignore no-such-rule' },
    {
      sql: 'DELETE FROM orders; -- safesql-ignore unbounded-delete, no-such-rule',
      marked: '-- safesql-ignore unbounded-delete, no-such-rule',
    },
    { sql: '-- safesql-ignore\nDELETE FROM orders;', marked: '-- safesql-ignore' },
    { sql: '-- safesql-ignore -- no ids, only a reason\nDELETE FROM orders;' },
    { sql: '-- safesql-ignore-file\nTRUNCATE events;' },
    // A different rule than the one that fires.
    '-- safesql-ignore unbounded-update -- wrong rule\nDELETE FROM orders;',
    '-- safesql-ignore truncate\nSELECT * FROM orders;',
    // One id of two is used: the other is reported.
    { sql: '-- safesql-ignore unbounded-delete, truncate\nDELETE FROM orders;' },
    // File-wide directive with nothing to suppress.
    { sql: '-- safesql-ignore-file truncate\nSELECT 1;', marked: '-- safesql-ignore-file truncate' },
    // A trailing directive covers its own line's statement, not the next one.
    { sql: 'DELETE FROM orders WHERE id = 1; -- safesql-ignore unbounded-delete\nDELETE FROM customers;' },
    // A directive alone on its line covers the next statement only.
    '-- safesql-ignore unbounded-delete\nSELECT 1;\nDELETE FROM orders;',
    // A directive below a statement, or at the end of the file, covers nothing.
    { sql: 'DELETE FROM orders;\n-- safesql-ignore unbounded-delete', marked: '-- safesql-ignore unbounded-delete' },
    'DELETE FROM orders WHERE id = 1;\n-- safesql-ignore truncate',
    '-- safesql-ignore no-such-rule\nSELECT 1;',
  ],
  ok: [
    'DELETE FROM orders; -- safesql-ignore unbounded-delete -- nightly purge',
    '-- safesql-ignore unbounded-delete -- nightly purge\nDELETE FROM orders;',
    '--safesql-ignore unbounded-delete\nDELETE FROM orders;',
    '-- safesql-ignore unbounded-delete, missing-transaction -- reviewed\nDELETE FROM orders;',
    '-- safesql-ignore unbounded-delete,missing-transaction\nDELETE FROM orders;',
    '-- safesql-ignore unbounded-update -- backfill\nUPDATE customers\n  SET tier = 1;',
    'UPDATE customers -- safesql-ignore unbounded-update -- backfill\n  SET tier = 1;',
    '-- safesql-ignore-file truncate\nTRUNCATE events;\nTRUNCATE orders;',
    'TRUNCATE events;\nSELECT 1;\n-- safesql-ignore-file truncate -- test fixtures',
    '-- safesql-ignore-file truncate, missing-transaction\nTRUNCATE events;',
    'BEGIN;\n-- safesql-ignore drop-object -- retired\nDROP TABLE old_orders;\nCOMMIT;',
    'SELECT 1;\n-- safesql-ignore unbounded-delete -- why: the reason mentions truncate\nDELETE FROM orders;',
    'SELECT 1;\r\n-- safesql-ignore unbounded-delete\r\nDELETE FROM orders;\r\n',
    'DELETE FROM orders\n  WHERE TRUE; -- safesql-ignore unbounded-delete',
    'SELECT 1; DELETE FROM orders -- safesql-ignore unbounded-delete\n;',
    'BEGIN; -- safesql-ignore uncommitted-transaction -- the session is closed by hand\nSELECT 1;',
    'DELETE FRM orders; -- safesql-ignore syntax-error',
    // Not directives at all.
    '-- safesql-ignored unbounded-delete\nSELECT 1;',
    "SELECT '-- safesql-ignore unbounded-delete';",
    'SELECT 1;',
  ],
});

describe('suppressions', () => {
  before(() => loadGrammar());

  const rulesOf = (sql: string, settings?: LintSettings): RuleId[] =>
    lintSql(sql, settings ? { settings } : {}).findings.map((f) => f.rule);

  it('a trailing directive suppresses the finding on its statement, and is used', () => {
    const rules = rulesOf('DELETE FROM orders WHERE 1 = 1; -- safesql-ignore unbounded-delete -- reset');
    assert.ok(!rules.includes('unbounded-delete'), String(rules));
    assert.ok(!rules.includes('unused-suppression'), String(rules));
    assert.ok(rules.includes('missing-transaction'), String(rules));
  });

  it('a directive alone on the line above suppresses the next statement only', () => {
    const { findings, marked } = lintSql('-- safesql-ignore unbounded-delete -- reset\nDELETE FROM orders;\nDELETE FROM customers;');
    const deletes = marked.filter((_, i) => findings[i]!.rule === 'unbounded-delete');
    assert.deepEqual(deletes, ['DELETE FROM customers']);
    assert.ok(!findings.some((f) => f.rule === 'unused-suppression'));
  });

  it('several ids in one directive suppress each of them', () => {
    const rules = rulesOf('-- safesql-ignore unbounded-delete, missing-transaction -- reviewed\nDELETE FROM orders;');
    assert.deepEqual(rules, []);
  });

  it('safesql-ignore-file suppresses every finding of its rule anywhere in the file', () => {
    const rules = rulesOf(
      'BEGIN;\nTRUNCATE events;\nTRUNCATE TABLE orders, customers;\nCOMMIT;\n-- safesql-ignore-file truncate -- fixtures\n',
    );
    assert.deepEqual(rules, []);
  });

  it('suppresses only the named rule', () => {
    const rules = rulesOf('-- safesql-ignore missing-transaction\nDELETE FROM orders;');
    assert.deepEqual(rules, ['unbounded-delete']);
  });

  it('a rule set to "off" reports nothing', () => {
    const rules = rulesOf('DELETE FROM orders WHERE id = 1;', { rules: { 'missing-transaction': 'off' }, connections: [] });
    assert.deepEqual(rules, []);
  });
});

describe('unused-suppression, file-wide', () => {
  before(() => loadGrammar());

  it('is silenced for the whole file by -- safesql-ignore-file unused-suppression', () => {
    const { findings } = lintSql('-- safesql-ignore-file unused-suppression\n-- safesql-ignore truncate\nSELECT 1;\n');
    assert.deepEqual(
      findings.map((f) => f.rule),
      [],
    );
  });
});
