import { randomUUID } from 'node:crypto';
import type { ExecutionSettings } from '../config/executionSettings';
import type { SqlDocument } from '../sql/statement';
import type { ConnectionTarget, PasswordSource } from './connection';
import { effectiveEnvironment } from './environment';
import { ExecError } from './errors';
import { checkLiveness } from './liveness';
import type { PreviewResult, RunError } from './results';
import { undoAvailability } from './reversal';
import { changedRows, runUnit, UnitError, type StatementCapture } from './run';
import { Session } from './session';
import { planStatement } from './statementPlan';
import { unitProblem, type ExecutionUnit } from './units';

/** Where and how a preview or commit runs. */
export interface ExecContext {
  target: ConnectionTarget;
  passwords?: PasswordSource;
  settings: ExecutionSettings;
  /** Cancels the running statement (a cancel request to the backend; the transaction rolls back). */
  signal?: AbortSignal;
}

/**
 * Runs a unit inside a transaction that is always rolled back, and reports what it would change:
 * the affected row count, the rows before and after (capped for display, counted in full), the plan,
 * who else is using the database, and whether the change could be undone.
 */
export async function preview(document: SqlDocument, unit: ExecutionUnit, context: ExecContext): Promise<PreviewResult> {
  const started = performance.now();
  return Session.with(context.target, context.passwords, context.signal, async (session) => {
    const environment = effectiveEnvironment(context.target, session.server, context.settings.environments);
    const plans = unit.statements.map(planStatement);
    const result: PreviewResult = {
      id: randomUUID(),
      at: new Date().toISOString(),
      connection: session.identity,
      environment,
      server: { fingerprint: session.server.fingerprint, version: session.server.version },
      unit: {
        digest: unit.digest,
        block: unit.block,
        statements: unit.statements.map((s) => s.index + 1),
        ...(unit.end ? { end: unit.end } : {}),
      },
      outcome: 'ok',
      statements: [],
      affectedRows: 0,
      readOnly: plans.every((p) => p.mode === 'read'),
      undo: { possible: false, reason: 'nothing ran' },
      durationMs: 0,
    };
    const outside = plans.find((p) => p.mode === 'refused' && p.outsideTransaction);
    const problem = unitProblem(document, unit);
    if (problem || (outside && !unit.block)) {
      result.outcome = 'not-previewable';
      result.notPreviewable = problem ?? (outside as { reason: string }).reason;
      result.undo = { possible: false, reason: 'it cannot be undone from the journal: it was never previewed' };
    } else {
      let captures: StatementCapture[] = [];
      try {
        await beginTransaction(session, unit, context.settings, result.readOnly);
        captures = await runUnit(session, unit, { keepRows: context.settings.previewRowLimit, explain: true });
      } catch (error) {
        result.outcome = 'error';
        result.error = runError(error, document);
      } finally {
        await session.rollback();
      }
      result.statements = captures.map((c) => c.outcome);
      result.affectedRows = result.readOnly ? 0 : changedRows(captures);
      result.undo = result.readOnly ? { possible: true, reason: 'nothing to undo: it only reads' } : undoAvailability(captures);
      if (environment.environment !== 'local' && result.outcome === 'ok' && !result.readOnly) {
        result.liveness = await checkLiveness(session, [...new Set(captures.flatMap((c) => (c.table ? [c.table.oid] : [])))]);
      }
    }
    result.durationMs = Math.round(performance.now() - started);
    return result;
  });
}

/** BEGIN (with the block's own options), then the time limits, local to this transaction. */
export async function beginTransaction(
  session: Session,
  unit: ExecutionUnit,
  settings: ExecutionSettings,
  readOnly: boolean,
): Promise<void> {
  const begin = unit.begin ? unit.begin.text.replace(/;\s*$/, '') : 'BEGIN';
  await session.control(readOnly && !unit.begin ? 'BEGIN READ ONLY' : begin);
  await session.control(`SET LOCAL statement_timeout = ${settings.statementTimeoutMs}`);
  await session.control(`SET LOCAL lock_timeout = ${settings.lockTimeoutMs}`);
}

/** A failure as the results view shows it, with PostgreSQL's position mapped into the document. */
export function runError(error: unknown, document: SqlDocument): RunError {
  const failure = error instanceof UnitError ? error.error : error;
  if (!(failure instanceof ExecError)) throw error;
  const statement = error instanceof UnitError ? document.statements[error.statementIndex] : undefined;
  const { position } = failure.details;
  return {
    kind: failure.kind,
    message: failure.message,
    ...failure.details,
    ...(statement ? { statement: statement.index + 1 } : {}),
    ...(statement && position ? { offset: statement.span.start + position - 1 } : {}),
  };
}
