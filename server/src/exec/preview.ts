import { randomUUID } from 'node:crypto';
import type { ExecutionSettings } from '../config/executionSettings';
import type { SqlDocument, Statement } from '../sql/statement';
import type { ConnectionTarget, PasswordSource } from './connection';
import { effectiveEnvironment } from './environment';
import { ExecError } from './errors';
import { checkLiveness } from './liveness';
import type { PreviewResult, RunError } from './results';
import { undoAvailability } from './reversal';
import { changedRows, readsRowsApart, runUnit, UnitError, type StatementCapture } from './run';
import { schemaFingerprint } from './guard';
import type { Journal } from './journal';
import { Session, TransactionEscaped } from './session';
import { SnapshotReader } from './snapshotReader';
import { planStatement, type StatementPlan, type TargetTable } from './statementPlan';
import { unitTransaction } from './transactionControl';
import { calledFunctions, functionRefusal, sequenceStates, sequencesAdvanced, volatileCalls, type VolatileCall } from './untracked';
import { unitProblem, type ExecutionUnit } from './units';

/** Where and how a preview or commit runs. */
export interface ExecContext {
  target: ConnectionTarget;
  passwords?: PasswordSource;
  settings: ExecutionSettings;
  /** Cancels the running statement (a cancel request to the backend; the transaction rolls back). */
  signal?: AbortSignal;
  /** Where an escaped transaction is recorded (a commit has its own journal in the request). */
  journal?: Journal;
}

/**
 * Runs a unit inside a transaction that is always rolled back, and reports what it would change
 * (`values`: also digest the values of the rows, which an undo's preview compares with the journal):
 * the affected row count, the rows before and after (capped for display, counted in full), the plan,
 * who else is using the database, and whether the change could be undone.
 */
export async function preview(
  document: SqlDocument,
  unit: ExecutionUnit,
  context: ExecContext,
  options: { values?: boolean } = {},
): Promise<PreviewResult> {
  const started = performance.now();
  return Session.with(context.target, context.passwords, context.signal, async (session) => {
    const environment = effectiveEnvironment(context.target, session.server, context.settings.environments);
    const plans = unit.statements.map(planStatement);
    const result: PreviewResult = {
      id: randomUUID(),
      at: new Date().toISOString(),
      connection: session.identity,
      environment,
      server: { fingerprint: session.server.fingerprint, databaseOid: session.server.databaseOid, version: session.server.version },
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
    const calls = await volatileCalls(session, [...new Set(unit.statements.flatMap(calledFunctions))]);
    const refusal = unitRefusal(document, unit, plans) ?? functionRefusal(calls);
    if (refusal) {
      result.outcome = 'not-previewable';
      result.notPreviewable = refusal;
      result.undo = { possible: false, reason: 'it cannot be undone from the journal: it was never previewed' };
    } else {
      let captures: StatementCapture[] = [];
      // Connects while the sequences are read, for the reads the unit's first statement needs beside
      // it; before BEGIN, as a reader that would wait for this transaction to end must be found out first.
      const readsApart = calls.length === 0;
      const opening = firstReadsRowsApart(unit, plans, { keepRows: context.settings.previewRowLimit, ...options, readsApart })
        ? openReader(session, context)
        : Promise.resolve(undefined);
      const sequences = await sequenceStates(session).catch(async (error: unknown) => {
        await (await opening)?.close();
        throw error;
      });
      const reader = await opening;
      // The session's cancel stops its statement; the reader, which may still read beside a finished one, is stopped here.
      const stopReader = () => reader?.destroy();
      context.signal?.addEventListener('abort', stopReader);
      try {
        const { transaction, folded } = await beginTransaction(session, unit, context.settings, result.readOnly);
        result.schema = await schemaFingerprint(session, targetTables(plans));
        captures = await runUnit(session, unit, {
          keepRows: context.settings.previewRowLimit,
          explain: true,
          transaction,
          folded,
          readsApart,
          ...(context.signal ? { signal: context.signal } : {}),
          ...options,
          ...(reader ? { reader } : {}),
        });
      } catch (error) {
        result.outcome = 'error';
        result.error = runError(error, document);
        if (error instanceof TransactionEscaped) await recordEscape(context, session, unit, error, 'preview');
      } finally {
        context.signal?.removeEventListener('abort', stopReader);
        await session.rollback();
        await reader?.close();
      }
      // Read after the rollback, which sequences ignore: what is left advanced stays advanced.
      result.cautions = [...sequencesAdvanced(sequences, await sequenceStates(session)), ...callsVolatile(calls)];
      result.statements = captures.map((c) => c.outcome);
      result.affectedRows = result.readOnly ? 0 : changedRows(captures);
      result.undo = result.readOnly ? { possible: true, reason: 'nothing to undo: it only reads' } : undoAvailability(captures);
      if (environment.environment !== 'local' && result.outcome === 'ok' && !result.readOnly) {
        const ours = reader ? [reader.backendPid] : [];
        result.liveness = await checkLiveness(session, [...new Set(captures.flatMap((c) => (c.table ? [c.table.oid] : [])))], ours);
      }
    }
    result.durationMs = Math.round(performance.now() - started);
    return result;
  });
}

/** Whether the unit's first statement to run (after a BEGIN's folded SET TRANSACTION) reads its rows apart: beside it, given a reader. */
function firstReadsRowsApart(unit: ExecutionUnit, plans: StatementPlan[], options: Parameters<typeof readsRowsApart>[1]): boolean {
  const transaction = unitTransaction(unit);
  const first = unit.statements.findIndex((statement) => !(transaction.ok && transaction.folded.has(statement)));
  return first >= 0 && readsRowsApart(plans[first]!, options);
}

function openReader(main: Session, context: ExecContext): Promise<SnapshotReader | undefined> {
  const { statementTimeoutMs, lockTimeoutMs } = context.settings;
  return SnapshotReader.open(main, context.target, context.passwords, { statementTimeoutMs, lockTimeoutMs });
}

/**
 * Why a unit must not run at all, decided before anything is sent: a psql meta-command, transaction
 * control that would end or swap the transaction, a BEGIN or COMMIT that is not plainly one, any
 * statement safesql refuses. A statement PostgreSQL cannot run in a transaction is refused here
 * only inside a block; alone, a commit may run it unpreviewed after explicit confirmation.
 */
function unitRefusal(document: SqlDocument, unit: ExecutionUnit, plans: StatementPlan[]): string | undefined {
  const problem = unitProblem(document, unit);
  if (problem) return problem;
  const transaction = unitTransaction(unit);
  if (!transaction.ok) return transaction.reason;
  for (const [i, statement] of unit.statements.entries()) {
    const plan = plans[i]!;
    if (transaction.folded.has(statement) || plan.mode !== 'refused') continue;
    if (plan.unpreviewable && !unit.block && unit.statements.length === 1) return plan.reason;
    return unit.statements.length === 1 ? plan.reason : `statement ${statement.index + 1}: ${plan.reason}`;
  }
  return undefined;
}

/** The volatile functions the unit calls, built-in or the user's own, in one sentence, if any. */
function callsVolatile(calls: VolatileCall[]): string[] {
  const functions = calls.map((call) => call.signature);
  if (functions.length === 0) return [];
  const one = functions.length === 1;
  return [
    `it calls the volatile function${one ? '' : 's'} ${functions.join(', ')}: what ${one ? 'it returns' : 'they return'} at commit can differ from the preview, and what ${one ? 'it does' : 'they do'} besides the rows shown (other tables are counted above; files, other servers) cannot be seen from here`,
  ];
}

/** The tables the unit's statements name, whose schema its result depends on. */
export function targetTables(plans: StatementPlan[]): TargetTable[] {
  return plans.flatMap((plan) => (plan.mode === 'rows' ? [plan.table] : plan.mode === 'truncate' ? plan.tables : []));
}

/**
 * BEGIN, built by the engine with the block's own options (never the block's text), and the time
 * limits local to this transaction. Returns the transaction's mark, which every statement is checked against.
 */
export async function beginTransaction(
  session: Session,
  unit: ExecutionUnit,
  settings: ExecutionSettings,
  readOnly: boolean,
): Promise<{ transaction: string; folded: ReadonlySet<Statement> }> {
  const planned = unitTransaction(unit);
  if (!planned.ok) throw new ExecError('statement', planned.reason);
  // A unit of queries only runs READ ONLY, whatever its BEGIN says: there is nothing to commit, and
  // a query that writes after all (a function, nextval) is then stopped instead of previewed.
  const options = readOnly ? { ...planned.options, readOnly: true } : planned.options;
  const limits = { statementTimeoutMs: settings.statementTimeoutMs, lockTimeoutMs: settings.lockTimeoutMs };
  return { transaction: await session.begin(options, limits), folded: planned.folded };
}

/** Says loudly, in the journal too, that a statement ended the engine's transaction. */
export async function recordEscape(
  context: ExecContext,
  session: Session,
  unit: ExecutionUnit,
  error: TransactionEscaped,
  during: 'preview' | 'commit',
): Promise<void> {
  await context.journal
    ?.recordIncident({
      at: new Date().toISOString(),
      during,
      connection: session.identity,
      fingerprint: session.server.fingerprint,
      text: unit.text,
      digest: unit.digest,
      statement: error.statementNumber,
      message: error.message,
    })
    .catch(() => undefined);
}

/** A failure as the results view shows it, with PostgreSQL's position mapped into the document. */
export function runError(error: unknown, document: SqlDocument): RunError {
  if (error instanceof TransactionEscaped) {
    const statement = document.statements.find((s) => s.index + 1 === error.statementNumber);
    return {
      kind: 'escaped',
      message: error.message,
      ...(statement ? { statement: error.statementNumber, offset: statement.span.start } : {}),
    };
  }
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
