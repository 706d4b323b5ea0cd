import { escapeLiteral } from 'pg';
import type { Session } from './session';
import type { TargetTable } from './statementPlan';

/**
 * What a commit compares with its preview, besides row counts: which rows (an order-independent
 * digest of every changed row, computed in the database), how many rows every table changed
 * (cascades, triggers and rules included), and the schema the result depends on.
 */

/**
 * A row version's identity: its table, place and creating transaction. A row version never changes
 * (an UPDATE writes a new one), so the same versions mean the same rows with the same values,
 * without reading the values. 64 bits of PostgreSQL's own hash, summed over rows: a digest of the
 * set that does not depend on the order the rows come back in.
 */
export function versionHash(tableoid: string, ctid: string, xmin: string, how: VersionHashing): string {
  const hash = how.tidHash
    ? `pg_catalog.hashtidextended(${ctid}, (${tableoid}::pg_catalog.int8 << 32) | ${xmin}::pg_catalog.text::pg_catalog.int8)`
    : `pg_catalog.hashtextextended(${tableoid}::pg_catalog.text || ':' || ${ctid}::pg_catalog.text || ':' || ${xmin}::pg_catalog.text, 0)`;
  return how.ownRows ? `CASE WHEN ${writtenByThisTransaction(xmin)} THEN NULL ELSE ${hash} END` : hash;
}

export interface VersionHashing {
  /** Rows this transaction wrote (earlier in the unit) have other versions at every run: they count by their number only. */
  ownRows: boolean;
  /** PostgreSQL 14+ hashes a tid itself, at half the cost of hashing its text. */
  tidHash: boolean;
}

/**
 * Whether a visible row version was written by this transaction (or one of its subtransactions,
 * whose ids follow it): another session's uncommitted rows are never visible, so an in-progress
 * writer is this one. The 32-bit xmin gets the current epoch, or the one before when it is more than
 * half the id space ahead (it was assigned before a wraparound).
 */
export function writtenByThisTransaction(xmin: string): string {
  const current = 'pg_catalog.txid_current()';
  const low = `${xmin}::pg_catalog.text::pg_catalog.int8`;
  const epoch = `(${current} >> 32) - CASE WHEN ${low} - (${current} & 4294967295) > 2147483648 THEN 1 ELSE 0 END`;
  return `(${epoch} >= 0 AND pg_catalog.txid_status(((${epoch}) << 32) | ${low}) = 'in progress')`;
}

/** A hash of a row's values as text (exact under the engine's pinned output settings): what an undo must restore. */
export function valueHash(columns: string): string {
  return `pg_catalog.hashtextextended(ROW(${columns})::pg_catalog.text, 0)`;
}

/** A capture's last four columns. */
export const VERSION_HASH = '__safesql_version';
export const BEFORE_HASH = '__safesql_before_hash';
export const AFTER_HASH = '__safesql_after_hash';
export const WRITTEN_HASH = '__safesql_written_hash';
const HASH_COLUMNS = 4;

/** At most this many row versions are kept, so a refused commit can say how many rows differ. */
export const VERSIONS_KEPT = 10_000;

/** The rows one statement changed: how many, which versions, and (in a commit) the digests of their values. */
export interface RowDigest {
  rows: number;
  /** Sum of the row versions' hashes, as a decimal ('0' when the statement changes no existing row). */
  versions: string;
  /** Each row version's hash, sorted; absent past VERSIONS_KEPT rows. */
  kept?: string[];
  /** Sums of the hashes of the rows' values before and after, when captured (a commit's run). */
  before?: string;
  after?: string;
  /** Sum of the hashes of the values written from the data alone (see WrittenColumns), which a commit must write again. */
  written?: string;
}

/** The digest of captured rows whose last HASH_COLUMNS values are their hashes. */
export function digestOfRows(rows: (string | null)[][]): RowDigest {
  const sums = [0n, 0n, 0n, 0n];
  const kept: string[] = [];
  for (const row of rows) {
    for (let i = 0; i < HASH_COLUMNS; i++) {
      const hash = row[row.length - HASH_COLUMNS + i];
      if (hash) sums[i]! += BigInt(hash);
    }
    const version = row[row.length - HASH_COLUMNS];
    if (version && rows.length <= VERSIONS_KEPT) kept.push(version);
  }
  return {
    rows: rows.length,
    versions: sums[0]!.toString(),
    ...(rows.length <= VERSIONS_KEPT ? { kept: kept.sort() } : {}),
    before: sums[1]!.toString(),
    after: sums[2]!.toString(),
    written: sums[3]!.toString(),
  };
}

/** A captured row without its hashes. */
export function withoutHashes(row: (string | null)[]): (string | null)[] {
  return row.slice(0, -HASH_COLUMNS);
}

/**
 * The digest a preview computes over its capture (the relation `from`) in one pass, so that only the
 * digest travels: a FROM item with DIGEST_COLUMNS columns. When `listed`, the versions of the first
 * VERSIONS_KEPT + 1 rows are listed too, which is all of them when there are few.
 */
export function digestOf(from: string, kept: 'listed' | 'not listed' = 'listed'): string {
  const sum = (column: string) => `COALESCE(pg_catalog.sum(${column}), 0)::pg_catalog.text`;
  const list =
    kept === 'listed'
      ? `(SELECT pg_catalog.string_agg(v::pg_catalog.text, ',') FROM (SELECT ${VERSION_HASH} AS v FROM ${from} WHERE ${VERSION_HASH} IS NOT NULL LIMIT ${VERSIONS_KEPT + 1}) AS kept)`
      : 'NULL::pg_catalog.text';
  return `(SELECT pg_catalog.count(*), ${sum(VERSION_HASH)}, ${sum(BEFORE_HASH)}, ${sum(AFTER_HASH)}, ${sum(WRITTEN_HASH)}, ${list}
     FROM ${from}) AS __safesql_digest`;
}

/** The versions of a few rows, listed (see `digestOf`), from a query that can run again. */
export function keptVersions(query: string): string {
  return `SELECT pg_catalog.string_agg(${VERSION_HASH}::pg_catalog.text, ',') FROM (${query}) AS kept WHERE ${VERSION_HASH} IS NOT NULL`;
}

/** How many columns `digestOf` has. */
export const DIGEST_COLUMNS = 6;

/** A RowDigest from the values of `digestOf`. */
export function digestFromColumns([rows, versions, before, after, written, kept]: (string | null)[]): RowDigest {
  const list = kept ? kept.split(',').sort() : [];
  return {
    rows: Number(rows ?? 0),
    versions: versions ?? '0',
    ...(list.length <= VERSIONS_KEPT ? { kept: list } : {}),
    ...(before && before !== '0' ? { before } : {}),
    ...(after && after !== '0' ? { after } : {}),
    written: written ?? '0',
  };
}

/**
 * Why the rows a commit changes are not the previewed ones, in words; undefined when they are the
 * same. Compared: which row versions it changes (the rows and their values before the change). Not
 * compared: the values they get, which may rightly differ (`now()`, a sequence, `gen_random_uuid()`).
 */
export function digestDifference(previewed: RowDigest | undefined, now: RowDigest | undefined): string | undefined {
  if (!previewed && !now) return undefined;
  if (!previewed || !now) return 'its rows were captured in one run but not in the other';
  if (previewed.rows === now.rows && previewed.versions === now.versions) {
    if (previewed.written === undefined || now.written === undefined || previewed.written === now.written) return undefined;
    return `it would write other values than previewed into the columns it sets from the data (the rows it reads them from changed since)`;
  }
  if (!previewed.kept || !now.kept) {
    return `the ${now.rows} rows it changes now are not the ${previewed.rows} previewed (other rows, or rows changed since)`;
  }
  const remaining = new Map<string, number>();
  for (const hash of previewed.kept) remaining.set(hash, (remaining.get(hash) ?? 0) + 1);
  let added = 0;
  for (const hash of now.kept) {
    const left = remaining.get(hash) ?? 0;
    if (left > 0) remaining.set(hash, left - 1);
    else added++;
  }
  const gone = [...remaining.values()].reduce((a, b) => a + b, 0);
  return `${added} of the ${now.rows} rows it changes now are not as previewed (other rows, or rows changed since), and ${gone} of the ${previewed.rows} previewed rows are not among them`;
}

/** Rows one table gained, changed and lost inside the transaction. */
export interface TableEffect {
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
}

type Counters = Map<string, TableEffect>;

/** This transaction's row counters per table so far (`pg_stat_xact_user_tables`, which sees cascades, triggers and rules). */
export async function tableCounters(session: Session): Promise<Counters> {
  // The counters themselves rather than pg_stat_xact_user_tables, which computes much more per table.
  const { rows } = await session.run(
    `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), ins::pg_catalog.text, upd::pg_catalog.text, del::pg_catalog.text
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
            LATERAL (SELECT pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) AS ins, pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) AS upd,
                            pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) AS del) AS counts
      WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND ins + upd + del > 0`,
  );
  return new Map(
    rows.map(([table, inserted, updated, deleted]) => [
      table!,
      { table: table!, inserted: Number(inserted), updated: Number(updated), deleted: Number(deleted) },
    ]),
  );
}

/** What changed between two readings of the counters, sorted by table. */
export function effectsBetween(before: Counters, after: Counters): TableEffect[] {
  const effects: TableEffect[] = [];
  for (const [table, now] of after) {
    const was = before.get(table);
    const effect = {
      table,
      inserted: now.inserted - (was?.inserted ?? 0),
      updated: now.updated - (was?.updated ?? 0),
      deleted: now.deleted - (was?.deleted ?? 0),
    };
    if (effect.inserted || effect.updated || effect.deleted) effects.push(effect);
  }
  return effects.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

export function describeEffect(effect: TableEffect): string {
  const parts = [
    effect.deleted ? `deletes ${effect.deleted}` : '',
    effect.updated ? `updates ${effect.updated}` : '',
    effect.inserted ? `inserts ${effect.inserted}` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} row${effect.deleted + effect.updated + effect.inserted === 1 ? '' : 's'} in ${effect.table}`;
}

/** Why two lists of effects differ, in words; undefined when they are the same. */
export function effectsDifference(previewed: TableEffect[], now: TableEffect[]): string | undefined {
  const key = (e: TableEffect) => `${e.inserted}/${e.updated}/${e.deleted}`;
  const was = new Map(previewed.map((e) => [e.table, e]));
  const differences: string[] = [];
  for (const effect of now) {
    const before = was.get(effect.table);
    if (!before) differences.push(`now ${describeEffect(effect)}, which the preview did not`);
    else if (key(before) !== key(effect))
      differences.push(`now ${describeEffect(effect)}, where the preview ${describeEffect(before).replace(/^(\w+)s /, '$1d ')}`);
    was.delete(effect.table);
  }
  for (const effect of was.values()) differences.push(`no longer ${describeEffect(effect)}`);
  return differences.length > 0 ? differences.join('; ') : undefined;
}

/**
 * A digest of everything the unit's result depends on in the schema of the tables it names: the
 * tables themselves (their OIDs: one dropped and created again is another), columns and types,
 * defaults, triggers, rules, row-level security and policies, and the foreign keys that point at
 * them or from them, with their actions, and the triggers of the tables those keys point from.
 */
export async function schemaFingerprint(session: Session, tables: TargetTable[]): Promise<string> {
  const names = [...new Set(tables.map((t) => t.sql))];
  if (names.length === 0) return '';
  const { rows } = await session.run(
    `WITH target AS (
       SELECT name, pg_catalog.to_regclass(name) AS oid FROM pg_catalog.unnest(ARRAY[${names.map(escapeLiteral).join(', ')}]::pg_catalog.text[]) AS name
     ), related AS (
       SELECT oid FROM target WHERE oid IS NOT NULL
       UNION SELECT c.conrelid FROM pg_catalog.pg_constraint c JOIN target t ON c.confrelid = t.oid WHERE c.contype = 'f'
     )
     SELECT pg_catalog.md5(pg_catalog.concat_ws(E'\\n',
       (SELECT pg_catalog.string_agg(name || '=' || coalesce(oid::pg_catalog.int8::pg_catalog.text, '-'), ',' ORDER BY name) FROM target),
       (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', c.oid::pg_catalog.int8, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relhasrules, c.relhastriggers), ',' ORDER BY c.oid)
          FROM pg_catalog.pg_class c JOIN related r ON r.oid = c.oid),
       (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', a.attrelid::pg_catalog.int8, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
                                     a.attnotnull, a.attgenerated, a.attidentity, a.attcollation::pg_catalog.int8, pg_catalog.pg_get_expr(d.adbin, d.adrelid)), ',' ORDER BY a.attrelid, a.attnum)
          FROM pg_catalog.pg_attribute a JOIN target t ON t.oid = a.attrelid
          LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attnum > 0 AND NOT a.attisdropped),
       (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', g.tgrelid::pg_catalog.int8, g.tgname, g.tgenabled, pg_catalog.pg_get_triggerdef(g.oid)), ',' ORDER BY g.tgrelid, g.tgname)
          FROM pg_catalog.pg_trigger g JOIN related r ON r.oid = g.tgrelid WHERE NOT g.tgisinternal),
       (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', w.ev_class::pg_catalog.int8, w.rulename, w.ev_enabled, pg_catalog.pg_get_ruledef(w.oid)), ',' ORDER BY w.ev_class, w.rulename)
          FROM pg_catalog.pg_rewrite w JOIN related r ON r.oid = w.ev_class),
       (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', p.polrelid::pg_catalog.int8, p.polname, p.polcmd, p.polpermissive, p.polroles::pg_catalog.text,
                                     pg_catalog.pg_get_expr(p.polqual, p.polrelid), pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)), ',' ORDER BY p.polrelid, p.polname)
          FROM pg_catalog.pg_policy p JOIN related r ON r.oid = p.polrelid),
       (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', c.oid::pg_catalog.int8, c.conrelid::pg_catalog.int8, c.confrelid::pg_catalog.int8, c.confdeltype, c.confupdtype, c.condeferrable, c.condeferred, c.convalidated, pg_catalog.pg_get_constraintdef(c.oid)), ',' ORDER BY c.oid)
          FROM pg_catalog.pg_constraint c
         WHERE c.contype = 'f' AND (c.confrelid IN (SELECT oid FROM target) OR c.conrelid IN (SELECT oid FROM target)))
     ))`,
  );
  return rows[0]![0] ?? '';
}
