import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { CommitResult, PreviewResult } from '../../server/src/exec/results';

/** A client that reads every value as PostgreSQL's text output, the way the engine's images hold them. */
export async function textClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, types: { getTypeParser: () => (value: string) => value } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A table's rows as text arrays (JSON per row), sorted: a multiset to compare. */
export async function rowsOf(client: Client, table: string): Promise<string[]> {
  const result = await client.query<(string | null)[]>({ text: `SELECT * FROM ${table}`, rowMode: 'array' } as never);
  return result.rows.map((row) => JSON.stringify(row)).sort();
}

export type Snapshot = Map<string, string[]>;

export async function snapshot(client: Client, tables: string[]): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const table of tables) result.set(table, await rowsOf(client, table).catch(() => ['<missing>']));
  return result;
}

/**
 * The state a commit must leave if it changes exactly what `preview` showed, applied to `start`
 * (the state after any interference): every previewed before-row must still be there, unchanged,
 * and becomes its after-row (or goes); otherwise the only correct outcome is a refusal, and this
 * returns why. Identity of a row is its full value (primary key included), not its ctid: a row
 * deleted and inserted again with the same values is the same row to the user.
 */
export function expectedAfterCommit(start: Snapshot, preview: PreviewResult, tableName: (shownAs: string) => string): Snapshot | string {
  const state: Snapshot = new Map([...start].map(([k, v]) => [k, [...v]]));
  for (const statement of preview.statements) {
    if (statement.mode === 'read' || !statement.table) continue;
    const table = tableName(statement.table);
    const rows = state.get(table);
    if (!rows) return `statement ${statement.statement} changes ${table}, which the test does not watch`;
    const before = statement.before?.rows ?? [];
    const afterRows = statement.after?.rows ?? [];
    if ((statement.before && statement.before.total !== before.length) || (statement.after && statement.after.total !== afterRows.length)) {
      return 'the preview did not show every row';
    }
    if (statement.affectedRows !== Math.max(before.length, afterRows.length)) return `statement ${statement.statement}: rows not captured`;
    for (const row of before) {
      const at = rows.indexOf(JSON.stringify(row));
      if (at < 0) return `previewed row ${JSON.stringify(row)} of ${table} is no longer there as previewed`;
      rows.splice(at, 1);
    }
    for (const row of afterRows) rows.push(JSON.stringify(row));
    rows.sort();
  }
  return state;
}

/**
 * The gate's promise for one commit: refused (or error) and the database exactly as `start`, or
 * committed and the database exactly as `expectedAfterCommit` says. `mustRefuse` (a reason) makes a
 * commit wrong even when the rows happen to match (e.g. the schema changed under the preview).
 */
export async function assertExactOrNothing(
  client: Client,
  tables: string[],
  start: Snapshot,
  preview: PreviewResult,
  result: CommitResult,
  tableName: (shownAs: string) => string,
  mustRefuse?: string,
): Promise<void> {
  const now = await snapshot(client, tables);
  if (result.outcome !== 'committed') {
    assert.deepEqual(now, start, `the commit was ${result.outcome} (${result.reason}), but the database changed`);
    return;
  }
  const expected = expectedAfterCommit(start, preview, tableName);
  if (typeof expected === 'string') assert.fail(`the commit went through, but it had to refuse: ${expected}`);
  if (mustRefuse) assert.fail(`the commit went through, but it had to refuse: ${mustRefuse}`);
  assert.deepEqual(now, expected, 'the commit changed other rows than the previewed ones, or changed them differently');
}
