import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { tokenize } from '../../server/src/sql/lexer';
import { splitStatements } from '../../server/src/sql/splitter';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { reanalyzeDocument } from '../../server/src/sql/incremental';
import { comparableAnalysis } from '../helpers/comparable';

/** The statements' texts, exactly as their spans cut them from the source. */
function split(text: string): string[] {
  return splitStatements(text).statements.map((s) => text.slice(s.start, s.end));
}

describe('statement splitter', () => {
  before(() => loadGrammar());

  it('splits at semicolons and keeps exact spans without surrounding blanks or comments', () => {
    const text = '  SELECT 1;\n-- note\nDELETE FROM t WHERE id = 2 ;  \nUPDATE t SET a = 1';
    assert.deepEqual(split(text), ['SELECT 1;', 'DELETE FROM t WHERE id = 2 ;', 'UPDATE t SET a = 1']);
  });

  it('does not split inside single-quoted, E and U& strings', () => {
    assert.deepEqual(split(`SELECT 'a;b''c;'; SELECT E'it\\'s; fine'; SELECT U&'d\\0061t;'; SELECT 2;`), [
      `SELECT 'a;b''c;';`,
      `SELECT E'it\\'s; fine';`,
      `SELECT U&'d\\0061t;';`,
      'SELECT 2;',
    ]);
  });

  it('treats a backslash in a standard string as a plain character', () => {
    assert.deepEqual(split(`SELECT 'C:\\dir\\'; SELECT 2;`), [`SELECT 'C:\\dir\\';`, 'SELECT 2;']);
  });

  it('does not split inside dollar quoting, with or without a tag, and nested tags', () => {
    const fn = `CREATE FUNCTION f() RETURNS void AS $body$ BEGIN DELETE FROM t; PERFORM $$x;$$; END $body$ LANGUAGE plpgsql;`;
    assert.deepEqual(split(`${fn}\nSELECT $$a;b$$;`), [fn, 'SELECT $$a;b$$;']);
  });

  it('keeps $1 parameters and identifiers containing $ apart from dollar quotes', () => {
    assert.deepEqual(split('SELECT a$b$ FROM t WHERE x = $1; SELECT 2;'), ['SELECT a$b$ FROM t WHERE x = $1;', 'SELECT 2;']);
  });

  it('handles nested block comments and line comments containing semicolons', () => {
    const text = 'SELECT 1 /* outer /* inner; */ still; */ + 1; -- trailing; comment\nSELECT 2;';
    assert.deepEqual(split(text), ['SELECT 1 /* outer /* inner; */ still; */ + 1;', 'SELECT 2;']);
  });

  it('does not split inside quoted identifiers', () => {
    assert.deepEqual(split('SELECT "a;b" FROM "we""ird;"; SELECT 2;'), ['SELECT "a;b" FROM "we""ird;";', 'SELECT 2;']);
  });

  it('does not split at semicolons inside parentheses (as psql)', () => {
    assert.deepEqual(split('CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2)); SELECT 1;'), [
      'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));',
      'SELECT 1;',
    ]);
  });

  it('keeps a BEGIN ATOMIC function body, including CASE … END, as one statement', () => {
    const fn = 'CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 2; END;';
    assert.deepEqual(split(`${fn}\nBEGIN;\nCOMMIT;`), [fn, 'BEGIN;', 'COMMIT;']);
  });

  it('reads BEGIN ATOMIC as a body only in CREATE FUNCTION and CREATE PROCEDURE', () => {
    // Elsewhere `begin atomic` is a column and its alias, and psql and the server end the statement at `;`.
    assert.deepEqual(split('SELECT begin atomic FROM t; DELETE FROM t; SELECT CASE WHEN x THEN 1 END;'), [
      'SELECT begin atomic FROM t;',
      'DELETE FROM t;',
      'SELECT CASE WHEN x THEN 1 END;',
    ]);
    const procedure = 'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM t; END;';
    assert.deepEqual(split(`${procedure} DELETE FROM u;`), [procedure, 'DELETE FROM u;']);
  });

  it('treats psql meta-command lines as separators that belong to no statement', () => {
    const text = '\\set ON_ERROR_STOP on\nSELECT 1;\n\\echo done; really\nSELECT 2\n\\g\nSELECT 3;';
    assert.deepEqual(split(text), ['SELECT 1;', 'SELECT 2', 'SELECT 3;']);
  });

  it('skips COPY … FROM stdin data up to the \\. line', () => {
    const text = "COPY t (a, b) FROM stdin;\n1\tDELETE FROM x;\n2\t'quote\n\\.\nSELECT 1;";
    assert.deepEqual(split(text), ['COPY t (a, b) FROM stdin;', 'SELECT 1;']);
  });

  it('reads the rest of the line of a COPY … FROM stdin as SQL, before the data (as psql does)', () => {
    const text = 'COPY t FROM stdin; DELETE FROM x;\n1\n\\.\nSELECT 1;';
    assert.deepEqual(split(text), ['COPY t FROM stdin;', 'DELETE FROM x;', 'SELECT 1;']);
    const edited = reanalyzeDocument(analyzeDocument(text), text.replace('1\n', '2;\n'));
    assert.deepEqual(comparableAnalysis(edited), comparableAnalysis(analyzeDocument(edited.text)));
  });

  it('finds COPY … FROM stdin data after a comment and a previous statement', () => {
    const text = 'SELECT 1;\n-- load the rows\ncopy t from stdin;\nsharon\t25\n\\.\nSELECT 2;';
    assert.deepEqual(split(text), ['SELECT 1;', 'copy t from stdin;', 'SELECT 2;']);
  });

  it('skips the inline data of psql \\copy … from stdin', () => {
    const text = '\\copy t (a) from stdin\nDELETE FROM x;\n\\.\nSELECT 1;';
    assert.deepEqual(split(text), ['SELECT 1;']);
  });

  it('does not treat COPY … TO stdout as having inline data', () => {
    assert.deepEqual(split('COPY t TO stdout;\nSELECT 1;'), ['COPY t TO stdout;', 'SELECT 1;']);
  });

  it('ends an unclosed quote at its line, so it does not swallow the statements after it', () => {
    assert.deepEqual(split("SELECT 'abc;\nSELECT 2;"), ["SELECT 'abc;", 'SELECT 2;']);
    assert.deepEqual(split('SELECT "abc;\nSELECT 2;'), ['SELECT "abc;', 'SELECT 2;']);
    const unterminated = tokenize("SELECT 'abc\nSELECT 2").find((t) => t.type === 'string');
    assert.deepEqual([unterminated?.end, unterminated?.unterminated], [11, true]);
  });

  it('lets an unclosed dollar quote or block comment run to the end, as PostgreSQL does', () => {
    for (const text of ['SELECT $x$ abc; SELECT 2;', 'SELECT /* abc; SELECT 2;']) {
      const { statements } = splitStatements(text);
      assert.equal(statements.length, 1, text);
      assert.equal(statements[0]!.end, text.length, text);
    }
  });

  it('does not let an unclosed parenthesis swallow the next statement', () => {
    assert.deepEqual(split('INSERT INTO t VALUES (1,;\nDELETE FROM t;'), ['INSERT INTO t VALUES (1,;', 'DELETE FROM t;']);
  });

  it('covers every character: tokens never overlap and stay inside the text', () => {
    const text = "SELECT 1.5e-3, 0x1F, 1_000, .5, 'x'::text, a.b, $1 <> $2, B'101', X'ff', N'n' ; \u00e9t\u00e9 \u{1F600} ~ \u0001";
    let previousEnd = 0;
    for (const token of tokenize(text)) {
      assert.ok(token.start >= previousEnd && token.end > token.start && token.end <= text.length);
      previousEnd = token.end;
    }
    assert.deepEqual(
      tokenize('1.5e-3 0x1F 1_000 .5').map((t) => t.type),
      ['number', 'number', 'number', 'number'],
    );
  });

  it('splits a line with CRLF endings at the same places', () => {
    assert.deepEqual(split('SELECT 1;\r\nSELECT 2;\r\n'), ['SELECT 1;', 'SELECT 2;']);
  });
});
