import { plural } from '../plural';
import { VERSION_HASH } from './guard';
import type { Rows } from './session';

/**
 * Where the rows a statement changes came from: grouped by the transaction that last wrote them
 * (`xmin`), dated when the server records commit times. A day's load is one large group; rows
 * typed in by hand, or written by another program, are small groups of their own, which is what a
 * row count alone never shows.
 *
 * Limits (said in the docs too): `xmin` is the last writer, not the creator (an UPDATE rewrites it);
 * rows a subtransaction wrote carry the subtransaction's id, so one savepoint-using load can show as
 * several groups; a 32-bit id is only unambiguous among live rows, and commit times are kept only
 * from when `track_commit_timestamp` was turned on and for as long as the server keeps them.
 */
export interface Provenance {
  /** The largest groups, largest first: the writing transaction, its rows, and its commit time when known. */
  groups: { transaction: string; rows: number; committedAt?: string }[];
  /** How many transactions wrote the rows in all, and how many rows are in the groups not listed. */
  transactions: number;
  unlistedRows: number;
  /** Whether the server records commit times (`track_commit_timestamp`). */
  timesRecorded: boolean;
  /** The span of commit times of every group but the largest, when known. */
  othersBetween?: { first: string; last: string };
  /** The first rows of the groups other than the largest, for a look at what else is swept up. */
  smallGroupRows?: { columns: string[]; rows: (string | null)[][] };
  summary: string[];
}

/** Groups listed by name; the rest are counted. */
const LISTED_GROUPS = 20;

/** The column a reads query gives each row's xmin in (see `versionsFor`). */
export const XMIN_COLUMN = '__safesql_xmin';

/**
 * One pass over the rows of `versionsQuery` (their version hashes, and their xmin as XMIN_COLUMN):
 * per listed group (largest first) its writer, its rows and commit time, and on every row the
 * totals — transactions, rows, the sum of the version hashes (the digest) — and the span of commit
 * times of the groups but the largest. No row when there are no rows.
 */
export function groupsQuery(versionsQuery: string): string {
  const recorded = `pg_catalog.current_setting('track_commit_timestamp') = 'on'`;
  const time = (x: string) => `CASE WHEN ${recorded} THEN pg_catalog.pg_xact_commit_timestamp(${x}) END`;
  const order = 'n DESC, x::pg_catalog.text::pg_catalog.int8';
  return `WITH g AS (SELECT ${XMIN_COLUMN} AS x, pg_catalog.count(*) AS n, pg_catalog.sum(${VERSION_HASH}) AS v FROM (${versionsQuery}) AS r GROUP BY 1),
     listed AS (SELECT x, n FROM g ORDER BY ${order} LIMIT ${LISTED_GROUPS}),
     largest AS (SELECT x FROM listed ORDER BY ${order} LIMIT 1),
     others AS (SELECT pg_catalog.min(${time('g.x')}) AS first, pg_catalog.max(${time('g.x')}) AS last FROM g WHERE g.x <> ALL (SELECT x FROM largest)),
     totals AS (SELECT pg_catalog.count(*) AS transactions, pg_catalog.sum(n) AS rows, COALESCE(pg_catalog.sum(v), 0) AS versions FROM g)
   SELECT listed.x::pg_catalog.text, listed.n::pg_catalog.text, ${time('listed.x')}::pg_catalog.text,
          totals.transactions::pg_catalog.text, totals.rows::pg_catalog.text, totals.versions::pg_catalog.text,
          (${recorded})::pg_catalog.text, others.first::pg_catalog.text, others.last::pg_catalog.text
     FROM listed, others, totals ORDER BY listed.n DESC, listed.x::pg_catalog.text::pg_catalog.int8`;
}

/** The rows' count and version digest from `groupsQuery`'s rows. */
export function groupTotals(groups: Rows): { rows: number; versions: string } {
  const [first] = groups.rows;
  return first ? { rows: Number(first[4]), versions: first[5] ?? '0' } : { rows: 0, versions: '0' };
}

/** The first rows of `imageQuery` (whose rows carry their xmin as XMIN_COLUMN) outside the group `largest`. */
export function smallGroupRowsQuery(imageQuery: string, largest: string, limit: number): string {
  return `SELECT * FROM (${imageQuery}) AS r WHERE ${XMIN_COLUMN}::pg_catalog.text <> '${Number(largest)}' LIMIT ${limit}`;
}

/** The provenance from the rows of `groupsQuery` (and the small groups' rows, when read). */
export function provenanceOf(groups: Rows, smallGroupRows?: Rows): Provenance | undefined {
  const [first] = groups.rows;
  if (!first) return undefined;
  const transactions = Number(first[3]);
  const total = Number(first[4]);
  const listed = groups.rows.map(([transaction, rows, committedAt]) => ({
    transaction: transaction!,
    rows: Number(rows),
    ...(committedAt ? { committedAt } : {}),
  }));
  const provenance: Provenance = {
    groups: listed,
    transactions,
    unlistedRows: total - listed.reduce((sum, g) => sum + g.rows, 0),
    timesRecorded: first[6] === 'true',
    ...(first[7] && first[8] ? { othersBetween: { first: first[7], last: first[8] } } : {}),
    summary: [],
  };
  if (smallGroupRows && smallGroupRows.rows.length > 0) {
    const xmin = smallGroupRows.fields.findIndex((f) => f.name === XMIN_COLUMN);
    const without = (row: (string | null)[]) => row.filter((_, i) => i !== xmin);
    provenance.smallGroupRows = {
      columns: smallGroupRows.fields.filter((f) => f.name !== XMIN_COLUMN).map((f) => f.name),
      rows: smallGroupRows.rows.map(without),
    };
  }
  provenance.summary = describe(provenance, total);
  return provenance;
}

/** In words: how many rows each origin wrote, and whether the groups suggest rows of another origin. */
function describe(provenance: Provenance, total: number): string[] {
  const [largest] = provenance.groups;
  if (!largest) return [];
  const at = (time?: string) => (time ? ` (${time})` : '');
  if (provenance.transactions === 1) {
    return [`all ${plural(total, 'row')} were last written by one transaction${at(largest.committedAt)}`, ...timesNote(provenance)];
  }
  const others = total - largest.rows;
  const between = provenance.othersBetween ? ` between ${provenance.othersBetween.first} and ${provenance.othersBetween.last}` : '';
  const lines = [
    `${plural(largest.rows, 'row')} ${largest.rows === 1 ? 'was' : 'were'} last written by one transaction${at(largest.committedAt)}; ${plural(others, 'row')} by ${plural(provenance.transactions - 1, 'other transaction')}${between}`,
  ];
  // One load and a few stragglers is the shape of the incident: rows of another origin among the ones meant.
  if (largest.rows >= total / 2 && others > 0 && others <= total / 4) {
    lines.push(
      `the ${plural(others, 'row')} outside the largest group may be of another origin (typed in by hand, or written by another program): look at them before committing`,
    );
  }
  return [...lines, ...timesNote(provenance)];
}

function timesNote(provenance: Provenance): string[] {
  if (!provenance.timesRecorded) {
    return ['the server does not record commit times (track_commit_timestamp = off): turn it on to see when each group was written'];
  }
  const undated = provenance.groups.filter((g) => !g.committedAt).length;
  if (undated === 0) return [];
  return [
    `${plural(undated, 'group')} cannot be dated: written before commit times were recorded, or too long ago for the server to keep them (rows frozen by VACUUM keep their writer's id, not its time)`,
  ];
}
