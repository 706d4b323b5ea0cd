import type { Client } from 'pg';
import { schemaChecksum } from './database';

export interface DatabaseState {
  tables: Record<string, string>;
  /** `last_value/is_called` of every sequence in the schema: what a rollback does not undo. */
  sequences: Record<string, string>;
}

/** Every table's checksum and every sequence's position: equal states mean nothing changed. */
export async function databaseState(client: Client, schema: string): Promise<DatabaseState> {
  const tables = await schemaChecksum(client, schema);
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND n.nspname = $1 ORDER BY c.relname`,
    [schema],
  );
  const sequences: Record<string, string> = {};
  for (const { name } of rows) {
    const { rows: position } = await client.query<{ state: string }>(
      `SELECT last_value::text || '/' || is_called::text AS state FROM ${name}`,
    );
    sequences[name] = position[0]!.state;
  }
  return { tables, sequences };
}

/** The tables' checksums and sequences that differ between two states, for messages. */
export function stateDelta(before: DatabaseState, after: DatabaseState): string[] {
  const changed: string[] = [];
  for (const kind of ['tables', 'sequences'] as const) {
    const names = new Set([...Object.keys(before[kind]), ...Object.keys(after[kind])]);
    for (const name of names) {
      if (before[kind][name] !== after[kind][name]) changed.push(`${name}: ${before[kind][name]} -> ${after[kind][name]}`);
    }
  }
  return changed;
}

/** The rows of one table as text, ordered, for exact comparisons. */
export async function tableRows(client: Client, table: string, order = '1'): Promise<string[]> {
  const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${table} AS t ORDER BY ${order}`);
  return rows.map((r) => r.row);
}
