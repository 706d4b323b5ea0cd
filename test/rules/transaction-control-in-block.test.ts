import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { executionUnits } from '../../server/src/exec/units';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { lintSql, ruleFixtures } from '../helpers/lint';

ruleFixtures('transaction-control-in-block', {
  flagged: [
    {
      sql: 'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM orders WHERE id = 2;\nCOMMIT;',
      marked: 'COMMIT AND CHAIN;',
    },
    { sql: 'BEGIN;\nUPDATE orders SET total = 0 WHERE id = 1;\nend and chain;\nROLLBACK;', marked: 'end and chain;' },
    { sql: 'START TRANSACTION;\nDELETE FROM orders WHERE id = 1;\nROLLBACK AND CHAIN;\nCOMMIT;', marked: 'ROLLBACK AND CHAIN;' },
    { sql: 'BEGIN;\nSELECT 1;\nAbort And Chain;\nCOMMIT;', marked: 'Abort And Chain;' },
    { sql: "BEGIN;\nUPDATE orders SET status = 'x' WHERE id = 1;\nPREPARE TRANSACTION 'tx1';", marked: "PREPARE TRANSACTION 'tx1';" },
    { sql: "COMMIT PREPARED 'tx1';", marked: "COMMIT PREPARED 'tx1';" },
    { sql: "ROLLBACK PREPARED 'tx1';", marked: "ROLLBACK PREPARED 'tx1';" },
    {
      sql: "BEGIN ISOLATION LEVEL REPEATABLE READ;\nSET TRANSACTION SNAPSHOT '00000003-0000001B-1';\nSELECT * FROM orders;\nCOMMIT;",
      marked: "SET TRANSACTION SNAPSHOT '00000003-0000001B-1';",
    },
    // Outside a block too: a tool that wraps the statement in a transaction would see it end.
    { sql: 'COMMIT AND CHAIN;', marked: 'COMMIT AND CHAIN;' },
    { sql: 'DELETE FROM orders WHERE id = 1;\nROLLBACK AND CHAIN;', marked: 'ROLLBACK AND CHAIN;' },
    "PREPARE TRANSACTION 'tx1';",
    // Comments and line breaks inside the statement.
    { sql: 'BEGIN;\nSELECT 1;\nCOMMIT /* keep going */ AND\n  CHAIN;\nCOMMIT;', marked: 'COMMIT /* keep going */ AND\n  CHAIN;' },
    // Statements the grammar rejects: read from their tokens.
    { sql: 'BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN NOW;\nCOMMIT;', marked: 'COMMIT AND CHAIN NOW;' },
    { sql: 'PREPARE TRANSACTION;', marked: 'PREPARE TRANSACTION;' },
  ],
  ok: [
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nCOMMIT;',
    'BEGIN;\nDELETE FROM orders WHERE id = 1;\nROLLBACK;',
    'START TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nUPDATE orders SET total = 0 WHERE id = 1;\nEND;',
    'BEGIN;\nSELECT 1;\nABORT;',
    'BEGIN;\nUPDATE orders SET total = 0 WHERE id = 1;\nCOMMIT AND NO CHAIN;',
    'BEGIN;\nUPDATE orders SET total = 0 WHERE id = 1;\nROLLBACK AND NO CHAIN;',
    // Savepoints stay inside the block's transaction.
    'BEGIN;\nSAVEPOINT before_fix;\nUPDATE orders SET total = 0 WHERE id = 1;\nROLLBACK TO SAVEPOINT before_fix;\nRELEASE SAVEPOINT before_fix;\nCOMMIT;',
    'BEGIN;\nSET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY;',
    // Prepared statements are not prepared transactions.
    'PREPARE next_order AS SELECT * FROM orders WHERE id = $1;\nEXECUTE next_order(1);\nDEALLOCATE next_order;',
    // Words in strings, comments and function bodies.
    "SELECT 'COMMIT AND CHAIN' AS hint;",
    '-- COMMIT AND CHAIN;\nSELECT 1;',
    "/* PREPARE TRANSACTION 'x'; */ SELECT 1;",
    'CREATE PROCEDURE batch() LANGUAGE plpgsql AS $$ BEGIN COMMIT AND CHAIN; END $$;',
    'SELECT * FROM pg_prepared_xacts;',
    'SELECT pg_export_snapshot();',
    // Suppressed, with a reason.
    "COMMIT PREPARED 'tx1'; -- safesql-ignore transaction-control-in-block -- checked in pg_prepared_xacts",
  ],
});

describe('transaction control that escapes a block', () => {
  before(() => loadGrammar());

  it('says what COMMIT AND CHAIN does inside a block', () => {
    const finding = lintSql('BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nCOMMIT;').findings.find(
      (f) => f.rule === 'transaction-control-in-block',
    )!;
    assert.equal(finding.severity, 'error');
    assert.match(finding.message, /^COMMIT AND CHAIN commits everything before it for real/);
  });

  it('is no block edge: COMMIT AND CHAIN stays inside its unit, PREPARE TRANSACTION ends one without committing it', () => {
    const document = analyzeDocument(
      "BEGIN;\nDELETE FROM a WHERE id = 1;\nCOMMIT AND CHAIN;\nDELETE FROM a WHERE id = 2;\nCOMMIT;\nBEGIN;\nSELECT 1;\nPREPARE TRANSACTION 'x';\nSELECT 2;",
    );
    const units = executionUnits(document);
    assert.deepEqual(
      units.map((u) => [u.statements.map((s) => s.text), u.end]),
      [
        [['DELETE FROM a WHERE id = 1;', 'COMMIT AND CHAIN;', 'DELETE FROM a WHERE id = 2;'], 'commit'],
        [['SELECT 1;', "PREPARE TRANSACTION 'x';"], undefined],
        [['SELECT 2;'], undefined],
      ],
    );
  });

  it('gives each kind its own value in the statement model', () => {
    const kinds = analyzeDocument(
      "COMMIT AND CHAIN; END AND CHAIN; ROLLBACK AND CHAIN; ABORT AND CHAIN; PREPARE TRANSACTION 'x'; COMMIT PREPARED 'x'; ROLLBACK PREPARED 'x'; SET TRANSACTION SNAPSHOT 's'; COMMIT AND NO CHAIN; END; ABORT; ROLLBACK TO SAVEPOINT a;",
    ).statements.map((s) => s.transaction);
    assert.deepEqual(kinds, [
      'commit-and-chain',
      'commit-and-chain',
      'rollback-and-chain',
      'rollback-and-chain',
      'prepare-transaction',
      'commit-prepared',
      'rollback-prepared',
      'set-snapshot',
      'commit',
      'commit',
      'rollback',
      undefined,
    ]);
  });
});
