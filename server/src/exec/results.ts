import { plural } from '../plural';
import type { ConnectionIdentity } from './connection';
import type { EffectiveEnvironment } from './environment';
import type { ExecErrorKind, StatementErrorDetails } from './errors';
import type { RowDigest, TableEffect } from './guard';
import type { Liveness } from './liveness';
import type { Provenance } from './provenance';
import type { StatementPlan } from './statementPlan';

/**
 * What previews and commits report: plain JSON (the CLI's `--format json`, the editor's results
 * view and the journal all carry it as is). Values are PostgreSQL's text output; NULL is null.
 */

/** Rows of one table: `rows` is capped for display, `total` counts them all. */
export interface RowImage {
  columns: string[];
  rows: (string | null)[][];
  total: number;
}

export interface StatementOutcome {
  /** 1-based number of the statement in its file. */
  statement: number;
  /** PostgreSQL's command tag: DELETE, UPDATE, SELECT, CREATE TABLE, … */
  command: string;
  mode: StatementPlan['mode'];
  /** Rows the statement changes (or, for a query, returns). */
  affectedRows: number;
  /** The table as the statement names it, for display. */
  table?: string;
  /** The same table as the catalog names it (`schema.name`, quoted where needed), as `effects` do. */
  target?: string;
  /** The rows as they were (DELETE, UPDATE, and what TRUNCATE removes is only counted). */
  before?: RowImage;
  /** The rows as they become (UPDATE, INSERT). */
  after?: RowImage;
  /** What a query returns. */
  rows?: RowImage;
  /** EXPLAIN's plan, one line per entry. */
  plan?: string[];
  /** Rows each table gained, changed and lost, cascades, triggers and rules included. */
  effects?: TableEffect[];
  /** Which rows it changed (identity and values), when they were captured: what a commit must change again. */
  digest?: RowDigest;
  /** Where the rows it changes came from: grouped by the transaction that last wrote them (a DELETE's or UPDATE's preview). */
  provenance?: Provenance;
  notes: string[];
}

export interface RunError extends StatementErrorDetails {
  kind: ExecErrorKind;
  message: string;
  /** 1-based number of the statement that failed. */
  statement?: number;
  /** Offset in the document where PostgreSQL points, when it does. */
  offset?: number;
}

export interface UndoAvailability {
  possible: boolean;
  /** Why not, or what undo would do. */
  reason: string;
}

export interface PreviewResult {
  id: string;
  at: string;
  connection: ConnectionIdentity;
  environment: EffectiveEnvironment;
  server: { fingerprint: string; databaseOid: string; version: string };
  /** A digest of the schema the unit's result depends on (see `schemaFingerprint`); a commit must find the same. */
  schema?: string;
  unit: { digest: string; block: boolean; statements: number[]; end?: 'commit' | 'rollback' };
  /** `ok`: it ran and was rolled back; `error`: PostgreSQL refused it (rolled back too); `not-previewable`: it was not run. */
  outcome: 'ok' | 'error' | 'not-previewable';
  statements: StatementOutcome[];
  /** Rows changed by the whole unit: what a commit must change again. */
  affectedRows: number;
  /** Only queries: there is nothing to commit. */
  readOnly: boolean;
  error?: RunError;
  /** Why it could not be previewed (outcome `not-previewable`). */
  notPreviewable?: string;
  liveness?: Liveness;
  undo: UndoAvailability;
  /** What the rollback did not take back or cannot see: sequences it advanced, volatile functions it called. */
  cautions?: string[];
  durationMs: number;
}

export interface CommitResult {
  outcome: 'committed' | 'refused' | 'error';
  /** Why it was refused or failed; nothing was changed then. */
  reason?: string;
  error?: RunError;
  connection: ConnectionIdentity;
  environment?: EffectiveEnvironment;
  statements: StatementOutcome[];
  affectedRows: number;
  /** The journal entry that can undo it. */
  journalId?: string;
  undo?: UndoAvailability;
  liveness?: Liveness;
  durationMs: number;
}

/**
 * The rows a unit changes in tables besides the ones its statements name (cascades, triggers,
 * rules), per table: what "4 rows changed" alone would leave out ("12 rows in public.order_items").
 */
export function changedElsewhere(statements: StatementOutcome[]): { table: string; rows: number }[] {
  const rows = new Map<string, number>();
  for (const outcome of statements) {
    for (const effect of outcome.effects ?? []) {
      if (effect.table === outcome.target || outcome.mode === 'read') continue;
      rows.set(effect.table, (rows.get(effect.table) ?? 0) + effect.inserted + effect.updated + effect.deleted);
    }
  }
  return [...rows].map(([table, n]) => ({ table, rows: n })).sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

/** ", and 12 rows in public.order_items (cascades, triggers or rules)" after a unit's own count, or nothing. */
export function alsoChanged(statements: StatementOutcome[]): string {
  const others = changedElsewhere(statements);
  if (others.length === 0) return '';
  return `, and ${others.map((o) => `${plural(o.rows, 'row')} in ${o.table}`).join(', ')} (cascades, triggers or rules)`;
}
