import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';
import { withPsqlVariablesReplaced } from '../../server/src/sql/psqlVariables';
import type { Statement } from '../../server/src/sql/statement';
import { openTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * safesql reports `syntax-error` only where PostgreSQL itself rejects the statement. The judge is a
 * real server: each statement becomes the body of a PL/pgSQL function, which PostgreSQL parses
 * (but neither analyses nor runs) at CREATE FUNCTION, inside a transaction that is rolled back.
 */

const CORPUS = join(__dirname, '../corpus');

/** Statements PL/pgSQL reads as its own syntax (or that would end the wrapping transaction). */
const NOT_WRAPPABLE =
  /^\s*(begin|start|commit|end|rollback|abort|savepoint|release|prepare|close|fetch|move|open|perform|get|raise|return|execute|if|case|for|while|loop|declare|exit|continue|assert|null|call|do|import)\b/i;

function wrappable(statement: Statement): boolean {
  if (NOT_WRAPPABLE.test(statement.text)) return false;
  if (/\bbegin\s+atomic\b/i.test(statement.text)) return false; // PL/pgSQL ends a statement at its first `;`
  if (/^\s*(select|with)\b[\s\S]*\binto\b/i.test(statement.text)) return false; // SELECT … INTO means assignment there
  return true;
}

async function rejectedByPostgres(db: TestDatabase, statement: Statement, n: number): Promise<string | undefined> {
  const body = withPsqlVariablesReplaced(statement.text.replace(/;\s*$/, ''));
  let tag = 'safesql';
  while (body.includes(`$${tag}$`)) tag += '_';
  await db.client.query('SAVEPOINT check_statement');
  try {
    await db.client.query(
      `CREATE FUNCTION pg_temp.safesql_check_${n}() RETURNS void LANGUAGE plpgsql AS $${tag}$ BEGIN ${body}; END $${tag}$`,
    );
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await db.client.query('ROLLBACK TO SAVEPOINT check_statement');
  }
}

const HAND_WRITTEN = [
  // valid
  'DELETE FROM a USING b WHERE a.id = b.id;',
  'UPDATE a SET x = b.x FROM b WHERE a.id = b.a_id RETURNING a.*;',
  'MERGE INTO stock s USING deliveries d ON s.item = d.item WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty WHEN NOT MATCHED THEN INSERT VALUES (d.item, d.qty);',
  "WITH moved AS (DELETE FROM events WHERE at < now() - interval '1 day' RETURNING *) INSERT INTO archive SELECT * FROM moved;",
  "SELECT E'it\\'s', U&'d\\0061t\\+000061', $tag$ a ' b $tag$, B'101', X'ff';",
  'SELECT 1 /* nested /* comment */ still */ + 1;',
  'SELECT "we""ird;" FROM t WHERE a = ANY($1);',
  "SELECT data->>'name', sum(x) OVER (PARTITION BY y ORDER BY z ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t;",
  'INSERT INTO t (id, n) VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET n = excluded.n WHERE t.n < excluded.n;',
  "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tags text[] DEFAULT '{}');",
  'ALTER TABLE t DROP COLUMN IF EXISTS c CASCADE;',
  'TRUNCATE TABLE a, b RESTART IDENTITY CASCADE;',
  "DELETE FROM t WHERE batch = :batch AND label = :'label';",
  'DROP TABLE IF EXISTS a, b CASCADE;',
  // invalid
  'DELETE FRM t;',
  'UPDATE t SET WHERE x = 1;',
  'SELECT 1 FROM;',
  'DELETE FROM t WHERE;',
  'INSERT INTO t VALUES (1,;',
  'CREATE TABLE (id int);',
  'ALTER TABLE t DROP;',
  "SELECT 'unterminated; SELECT 2;", // last: it swallows the rest of the text
];

describe('syntax-error agrees with a real PostgreSQL', () => {
  let db: TestDatabase;
  before(async () => {
    await loadGrammar();
    db = await openTestDatabase();
    await db.client.query('BEGIN');
  });
  after(async () => {
    await db.client.query('ROLLBACK');
    await db.close();
  });

  it('on hand-written valid and invalid statements', async () => {
    const statements = analyzeDocument(HAND_WRITTEN.join('\n')).statements;
    assert.equal(statements.length, HAND_WRITTEN.length);
    const disagreements: string[] = [];
    for (const [i, statement] of statements.entries()) {
      const rejection = await rejectedByPostgres(db, statement, i);
      if (Boolean(rejection) !== Boolean(statement.syntaxError)) {
        disagreements.push(
          `${statement.text}\n  PostgreSQL: ${rejection ?? 'accepts'}; safesql: ${statement.syntaxError?.message ?? 'accepts'}`,
        );
      }
    }
    assert.deepEqual(disagreements, [], `${db.description}`);
    assert.equal(statements.filter((s) => s.syntaxError).length, 8);
  });

  it('on every statement of the real-world corpus', async () => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.sql'))) {
      const document = analyzeDocument(readFileSync(join(CORPUS, file), 'utf8'));
      for (const statement of document.statements.filter(wrappable)) {
        const rejection = await rejectedByPostgres(db, statement, checked++);
        if (Boolean(rejection) !== Boolean(statement.syntaxError)) {
          const line = document.lines.position(statement.span.start).line + 1;
          disagreements.push(
            `${file}:${line}: PostgreSQL: ${rejection ?? 'accepts'}; safesql: ${statement.syntaxError?.message ?? 'accepts'}`,
          );
        }
      }
    }
    assert.ok(checked > 400, `only ${checked} corpus statements checked`);
    assert.deepEqual(disagreements, [], db.description);
  });
});
