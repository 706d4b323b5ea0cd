import { escapeLiteral } from 'pg';
import type { Session } from './session';
import type { TargetTable } from './statementPlan';

export interface TableColumn {
  name: string;
  /** `format_type` of the column, for casts in the reversal script. */
  type: string;
  /** Computed by PostgreSQL (GENERATED … STORED): never written back. */
  generated: boolean;
  /** GENERATED ALWAYS AS IDENTITY: written back with OVERRIDING SYSTEM VALUE. */
  identityAlways: boolean;
}

export interface TableInfo {
  oid: string;
  /** Fully qualified and quoted, resolved through the session's search_path. */
  qualified: string;
  /** `r` table, `p` partitioned table, `v` view, … (pg_class.relkind). */
  kind: string;
  columns: TableColumn[];
  /** Primary key column names, in key order; empty when the table has none. */
  primaryKey: string[];
  /** Foreign keys of other tables whose ON DELETE / ON UPDATE action changes their rows too. */
  dependents: { table: string; onDelete: boolean; onUpdate: boolean }[];
  /** Enabled user triggers, whose own changes no image captures. */
  triggers: string[];
  /** Row-level security is on, or rules rewrite statements on it: what a statement reaches is not what a query of it reads. */
  rewritten: boolean;
}

/** Reads a target table's columns and primary key from the catalog, as the statement resolves it. */
export async function describeTable(session: Session, table: TargetTable): Promise<TableInfo | undefined> {
  const { rows } = await session.run(
    `SELECT c.oid::text, format('%I.%I', n.nspname, c.relname), c.relkind::text,
            (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                               'generated', a.attgenerated <> '', 'identityAlways', a.attidentity = 'a') ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text,
            (SELECT json_agg(a.attname ORDER BY k.position)
               FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE i.indrelid = c.oid AND i.indisprimary)::text,
            (SELECT json_agg(json_build_object('table', f.conrelid::regclass::text,
                                               'onDelete', f.confdeltype IN ('c', 'n', 'd'), 'onUpdate', f.confupdtype IN ('c', 'n', 'd')))
               FROM pg_constraint f
              WHERE f.contype = 'f' AND f.confrelid = c.oid AND (f.confdeltype IN ('c', 'n', 'd') OR f.confupdtype IN ('c', 'n', 'd')))::text,
            (SELECT json_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D')::text,
            (c.relrowsecurity OR c.relhasrules)::text
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass(${escapeLiteral(table.sql)})`,
  );
  const row = rows[0];
  if (!row) return undefined;
  const [oid, qualified, kind, columns, primaryKey, dependents, triggers, rewritten] = row;
  return {
    oid: oid!,
    qualified: qualified!,
    kind: kind!,
    columns: columns ? (JSON.parse(columns) as TableColumn[]) : [],
    primaryKey: primaryKey ? (JSON.parse(primaryKey) as string[]) : [],
    dependents: dependents ? (JSON.parse(dependents) as TableInfo['dependents']) : [],
    triggers: triggers ? (JSON.parse(triggers) as string[]) : [],
    rewritten: rewritten === 'true',
  };
}
