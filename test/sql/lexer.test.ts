import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from '../../server/src/sql/lexer';
import { splitStatements } from '../../server/src/sql/splitter';
import { withPsqlVariablesReplaced } from '../../server/src/sql/psqlVariables';

/** Each token as `type:text`. */
function lex(text: string): string[] {
  return tokenize(text).map((t) => `${t.type}:${text.slice(t.start, t.end)}`);
}

function split(text: string): string[] {
  return splitStatements(text).statements.map((s) => text.slice(s.start, s.end));
}

/**
 * Each case is a place where safesql's lexer once disagreed with PostgreSQL's scanner (scan.l) or
 * with psql (psqlscan.l, psqlscanslash.l), so that text hid from the analysis or the engine.
 */
describe('lexer: agreement with PostgreSQL and psql', () => {
  it('ends a -- comment at a lone carriage return, as PostgreSQL does', () => {
    const text = 'BEGIN -- note\r; DELETE FROM t WHERE true; COMMIT; BEGIN\n;';
    assert.deepEqual(split(text), ['BEGIN -- note\r;', 'DELETE FROM t WHERE true;', 'COMMIT;', 'BEGIN\n;']);
    assert.deepEqual(lex('-- a\rb'), ['line-comment:-- a', 'word:b']);
  });

  it('reads white space as PostgreSQL does: \\f and \\v separate tokens, \\u00a0 is part of an identifier', () => {
    assert.deepEqual(lex('a\fb\vc'), ['word:a', 'word:b', 'word:c']);
    assert.deepEqual(lex('a\u00a0b'), ['word:a\u00a0b']);
  });

  it('reads a string continued across a newline as one string, keeping the E quoting of its first part', () => {
    // PostgreSQL reads `E''` newline `'\''` as one string holding a quote: the DELETE is inside it.
    const text = "SELECT E''\n'\\''; DELETE FROM t; --'";
    assert.deepEqual(split(text), ["SELECT E''\n'\\'';", 'DELETE FROM t;']);
    assert.deepEqual(lex("'a' -- c\n  'b' 'c'"), ["string:'a' -- c\n  'b'", "string:'c'"]);
    assert.deepEqual(lex("'a'\r'b'"), ["string:'a'\r'b'"]);
    // A block comment, or no newline, ends the string.
    assert.deepEqual(lex("'a' /* c */\n'b'"), ["string:'a'", 'block-comment:/* c */', "string:'b'"]);
  });

  it('ends a bit string at its first quote: B and X strings have no doubled quote', () => {
    assert.deepEqual(lex("B'1''0' X'f'\n'0'"), ["string:B'1'", "string:'0'", "string:X'f'\n'0'"]);
  });

  it('reads N strings as the keyword NCHAR and a standard string', () => {
    assert.deepEqual(lex("N'x'"), ['word:N', "string:'x'"]);
  });

  it('opens a dollar quote right after a parameter or a number, but not inside an identifier', () => {
    assert.deepEqual(split('SELECT $1$$; DELETE FROM t; $$; SELECT 2;'), ['SELECT $1$$; DELETE FROM t; $$;', 'SELECT 2;']);
    assert.deepEqual(lex('1$$x$$'), ['number:1', 'dollar-string:$$x$$']);
    assert.deepEqual(lex('x$a$ $1$'), ['word:x$a$', 'parameter:$1', 'operator:$']);
    // Letters after a number or a parameter are one (erroneous) token in psql, `$` included: no
    // dollar quote, and no E prefix.
    assert.deepEqual(lex('1a$$ ;'), ['number:1a$$', 'punctuation:;']);
    assert.deepEqual(split("SELECT $1E'\\'; SELECT 2;"), ["SELECT $1E'\\';", 'SELECT 2;']);
  });

  it('cuts numbers as scan.l does', () => {
    assert.deepEqual(lex('1..2 1.2.3 1.e5 0x1F 0o17 0b101 0x_1F 1_000 .5e-3'), [
      'number:1',
      'punctuation:..',
      'number:2',
      'number:1.2',
      'number:.3',
      'number:1.e5',
      'number:0x1F',
      'number:0o17',
      'number:0b101',
      'number:0x_1F',
      'number:1_000',
      'number:.5e-3',
    ]);
  });

  it('cuts operators as scan.l does: no trailing + or - unless the operator holds a non-SQL character', () => {
    assert.deepEqual(lex('a=-1'), ['word:a', 'operator:=', 'operator:-', 'number:1']);
    assert.deepEqual(lex('a?-1'), ['word:a', 'operator:?-', 'number:1']);
    assert.deepEqual(lex('*/* c */'), ['operator:*', 'block-comment:/* c */']);
    assert.deepEqual(lex('x:=1'), ['word:x', 'punctuation::=', 'number:1']);
  });

  it("splits at psql's \\; and reads \\: as a plain colon, dropping their backslash", () => {
    const text = 'SELECT 1\\; DELETE FROM t;\nSELECT a\\:b FROM t;';
    assert.deepEqual(split(text), ['SELECT 1\\;', 'DELETE FROM t;', 'SELECT a\\:b FROM t;']);
    assert.deepEqual(lex('a\\:b'), ['word:a', 'punctuation:\\:', 'word:b']);
    assert.equal(withPsqlVariablesReplaced('SELECT 1\\; x\\:y :v'), 'SELECT 1 ; x :y _v');
  });

  it('ends a psql variable name before a `$`, as psql does', () => {
    assert.deepEqual(split('SELECT :a$$ $$ AS v; SELECT 2; $$'), ['SELECT :a$$ $$ AS v;', 'SELECT 2;', '$$']);
    assert.deepEqual(lex(':a$b'), ['psql-variable::a', 'operator:$', 'word:b']);
  });

  it('ends a meta-command at \\\\, after which psql reads SQL again, or before the next backslash', () => {
    assert.deepEqual(split('\\echo hi \\\\ DELETE FROM t;\nSELECT 1;'), ['DELETE FROM t;', 'SELECT 1;']);
    assert.deepEqual(lex("\\echo '\\\\' x \\\\"), ["psql-meta:\\echo '\\\\' x \\\\"]);
    assert.deepEqual(lex('\\set a 1 \\echo :a\nSELECT 1;'), [
      'psql-meta:\\set a 1 ',
      'psql-meta:\\echo :a',
      'word:SELECT',
      'number:1',
      'punctuation:;',
    ]);
    // `\\` where SQL is expected is psql's invalid command `\`, after which psql drops the line.
    assert.deepEqual(split('\\\\ DELETE FROM t;\nSELECT 1;'), ['SELECT 1;']);
    assert.deepEqual(split('SELECT 1; \\\\ \\copy t from stdin\nSELECT 2;'), ['SELECT 1;', 'SELECT 2;']);
    // A meta-command's quoted argument is not cut at a backslash inside it, nor ended by a \r.
    assert.deepEqual(lex('\\echo `a \\\\ b`\rDELETE'), ['psql-meta:\\echo `a \\\\ b`\rDELETE']);
  });

  it('lets the whole-line meta-commands take their line, \\\\ included', () => {
    for (const line of [
      '\\! ls \\\\ DELETE FROM t;',
      '\\copy t to x.csv \\\\ DELETE FROM t;',
      '\\g |cat \\\\ DELETE FROM t;',
      '\\sf+ f \\\\ x',
    ]) {
      assert.deepEqual(split(`${line}\nSELECT 1;`), ['SELECT 1;'], line);
    }
    // Only those: `\H` is not `\h`, and `|` is special only to commands that write to a pipe.
    assert.deepEqual(split('\\H \\\\ DELETE FROM t;'), ['DELETE FROM t;']);
    assert.deepEqual(split('\\echo |x \\\\ DELETE FROM t;'), ['DELETE FROM t;']);
  });
});
