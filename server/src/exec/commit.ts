import { SETTINGS, type Environment } from '../protocol';
import type { SqlDocument } from '../sql/statement';
import { describeIdentity, planConnection, sameIdentity, type ConnectionIdentity } from './connection';
import { effectiveEnvironment } from './environment';
import { Journal, type JournalEntry } from './journal';
import { checkLiveness, withWritesSince } from './liveness';
import { digestDifference, effectsDifference, schemaFingerprint } from './guard';
import { beginTransaction, recordEscape, runError, targetTables, type ExecContext } from './preview';
import type { CommitResult, PreviewResult, StatementOutcome, UndoAvailability } from './results';
import { commitUndoAvailability } from './reversal';
import { changedRows, runUnit, type StatementCapture } from './run';
import { Session, TransactionEscaped } from './session';
import { planStatement } from './statementPlan';
import type { ExecutionUnit } from './units';

export interface CommitRequest {
  /** The preview this commit must reproduce. */
  preview: PreviewResult;
  /** What the user typed to confirm: the connection's name (required for production). */
  confirmation?: string;
  /** The row count the user saw and expects (the CLI's `--expect-rows`). */
  expectRows?: number;
  /** Run a statement that could not be previewed (VACUUM, CREATE INDEX CONCURRENTLY, …). */
  withoutPreview?: boolean;
  journal: Journal;
  /** The file or editor URI the unit came from, for the journal. */
  source?: string;
  /** Set by undo: the journal entry this commit reverses. */
  undoOf?: string;
  /** A last check inside the transaction, before the journal and COMMIT (undo compares what it restored). */
  verify?: (captures: StatementCapture[]) => Promise<string | undefined>;
}

/**
 * Runs the previewed unit again in a fresh transaction and commits it only if it changes exactly
 * the previewed number of rows on the same server, from the same text, soon enough after the
 * preview; the journal gets the before-image and a reversal script before COMMIT is sent.
 */
export async function commit(
  document: SqlDocument,
  unit: ExecutionUnit,
  request: CommitRequest,
  context: ExecContext,
): Promise<CommitResult> {
  const started = performance.now();
  const { identity } = planConnection(context.target, context.passwords);
  const refuse = (reason: string, extra: Partial<CommitResult> = {}): CommitResult => ({
    outcome: 'refused',
    reason,
    connection: identity,
    statements: [],
    affectedRows: 0,
    durationMs: Math.round(performance.now() - started),
    ...extra,
  });
  const before = refusalBeforeConnecting(unit, request, context, identity);
  if (before) return refuse(before);

  return Session.with(context.target, context.passwords, context.signal, async (session) => {
    const { preview } = request;
    // A commit's incidents go to its own journal, with its entries.
    const journalIfEscaped = async (error: unknown) => {
      if (error instanceof TransactionEscaped) await recordEscape({ ...context, journal: request.journal }, session, unit, error, 'commit');
    };
    const environment = effectiveEnvironment(context.target, session.server, context.settings.environments);
    if (session.server.fingerprint !== preview.server.fingerprint || session.server.databaseOid !== preview.server.databaseOid) {
      return refuse(
        `the database is not the one previewed: ${describeIdentity(identity)} now answers as ${session.server.fingerprint} (database OID ${session.server.databaseOid}), the preview ran on ${preview.server.fingerprint} (database OID ${preview.server.databaseOid}); preview again`,
      );
    }
    const confirmationProblem = confirmationRefusal(environment.environment, identity.name, request.confirmation);
    if (confirmationProblem) return refuse(confirmationProblem, { environment });

    const liveness =
      environment.environment === 'local' ? undefined : withWritesSince(preview.liveness, await checkLiveness(session, tableOids(preview)));
    if (preview.outcome === 'not-previewable') return await runUnpreviewed(session, unit, request, context, environment, liveness, started);

    let captures: StatementCapture[];
    let schema: string;
    let transaction: string;
    try {
      const begun = await beginTransaction(session, unit, context.settings, false);
      transaction = begun.transaction;
      schema = await schemaFingerprint(session, targetTables(unit.statements.map(planStatement)));
      captures = await runUnit(session, unit, { keepRows: 'all', explain: false, ...begun });
    } catch (error) {
      await session.rollback();
      await journalIfEscaped(error);
      return {
        ...refuse(error instanceof TransactionEscaped ? error.message : 'PostgreSQL refused the statement; nothing was changed', {
          environment,
          error: runError(error, document),
        }),
        outcome: 'error',
      };
    }
    // The rows are the previewed ones (checked below), so where they came from is as the preview found it.
    const statements = captures.map((c, i) => withProvenance(shown(c.outcome, context.settings.previewRowLimit), preview.statements[i]));
    const affectedRows = changedRows(captures);
    const reason =
      (schema !== (preview.schema ?? '')
        ? 'the schema of the tables it changes is not the one previewed (columns, types, defaults, triggers, rules, row-level security or the foreign keys that point at them changed): nothing was committed; preview again'
        : undefined) ??
      differenceFromPreview(preview, captures) ??
      capRefusal(affectedRows, environment.environment, context) ??
      (await request.verify?.(captures));
    if (reason) {
      await session.rollback();
      return refuse(reason, { environment, statements, affectedRows, ...(liveness ? { liveness } : {}) });
    }

    const undo = commitUndoAvailability(captures);
    const entry = journalEntry(unit, request, session, environment.environment, captures, undo, affectedRows);
    try {
      await request.journal.write(entry);
    } catch (error) {
      await session.rollback();
      return refuse(`the undo journal could not be written (${(error as Error).message}), so nothing was committed`, { environment });
    }
    try {
      // The last word before COMMIT: the transaction is still the one everything above was checked in.
      await session.assertSameTransaction(transaction, captures[captures.length - 1]?.outcome.statement ?? 0);
      await session.commit();
    } catch (error) {
      await journalIfEscaped(error);
      await request.journal.settle(entry.id, 'aborted', (error as Error).message);
      return {
        ...refuse('COMMIT failed; nothing was changed', { environment, error: runError(error, document) }),
        outcome: 'error',
      };
    }
    await request.journal.settle(entry.id, 'committed');
    return {
      outcome: 'committed',
      connection: identity,
      environment,
      statements,
      affectedRows,
      journalId: entry.id,
      undo,
      ...(liveness ? { liveness } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  });
}

/** How far in the future a preview's time may be (the editor and server clocks can differ a little). */
const CLOCK_SKEW_SECONDS = 60;

/** Everything that can be refused without asking the server. */
function refusalBeforeConnecting(
  unit: ExecutionUnit,
  request: CommitRequest,
  context: ExecContext,
  identity: ConnectionIdentity,
): string | undefined {
  const { preview } = request;
  if (preview.unit.digest !== unit.digest) return 'the statement changed since its preview; preview it again';
  if (!sameIdentity(preview.connection, identity)) {
    return `the preview ran on ${preview.connection.name} (${describeIdentity(preview.connection)}), not on ${identity.name} (${describeIdentity(identity)}); preview it on this connection`;
  }
  if (preview.outcome === 'error') return 'the preview failed; fix the statement and preview it again';
  if (preview.outcome === 'not-previewable') {
    const plans = unit.statements.map(planStatement);
    const [only] = plans;
    // Only a single statement PostgreSQL refuses inside a transaction may run unpreviewed: it is
    // atomic on its own. Anything else (a block with a psql meta-command) could half-apply.
    if (unit.block || plans.length !== 1 || only?.mode !== 'refused' || !only.unpreviewable) {
      return `it cannot run through safesql: ${preview.notPreviewable}`;
    }
    if (!request.withoutPreview) {
      return `it could not be previewed (${preview.notPreviewable}); committing it needs an explicit confirmation that it runs without a preview`;
    }
  }
  if (preview.readOnly) return 'it only reads: there is nothing to commit';
  if (unit.block && unit.end === 'rollback') return 'the block ends with ROLLBACK: there is nothing to commit';
  if (unit.block && !unit.end) return 'the block has no COMMIT: add one to say where the transaction ends';
  const age = (Date.now() - Date.parse(preview.at)) / 1000;
  if (!(age >= -CLOCK_SKEW_SECONDS)) return `the preview is dated ${preview.at}, in the future: preview it again`;
  if (age > context.settings.previewMaxAgeSeconds) {
    return `the preview is ${Math.round(age)} s old, older than the ${context.settings.previewMaxAgeSeconds} s allowed (${SETTINGS.previewMaxAge}); preview it again`;
  }
  if (request.expectRows !== undefined && request.expectRows !== preview.affectedRows) {
    return `the preview changed ${preview.affectedRows} rows, not the ${request.expectRows} expected`;
  }
  return (
    capRefusal(preview.affectedRows, preview.environment.environment, context) ??
    confirmationRefusal(preview.environment.environment, identity.name, request.confirmation)
  );
}

/** `safesql.maxAffectedRows`, checked against the preview's count and again against the commit's own. */
function capRefusal(rows: number, environment: Environment, context: ExecContext): string | undefined {
  const cap = context.settings.maxAffectedRows[environment];
  if (cap === undefined || rows <= cap) return undefined;
  return `it changes ${rows} rows, more than the ${cap} that ${SETTINGS.maxAffectedRows} allows on ${environment}`;
}

function confirmationRefusal(environment: string, name: string, confirmation: string | undefined): string | undefined {
  if (environment !== 'production' || confirmation === name) return undefined;
  return confirmation === undefined
    ? `"${name}" is production: type its name to confirm the commit`
    : `the confirmation "${confirmation}" does not match the connection name "${name}"`;
}

/**
 * Why the commit's run is not the previewed one, statement by statement: the count, which rows
 * with which values (the digest), and how many rows every table changed.
 */
function differenceFromPreview(preview: PreviewResult, captures: StatementCapture[]): string | undefined {
  if (captures.length !== preview.statements.length) return 'the unit ran other statements than in its preview; preview again';
  for (const capture of captures) {
    const { outcome } = capture;
    const previewed = preview.statements.find((s) => s.statement === outcome.statement);
    if (!previewed) return `statement ${outcome.statement} was not in the preview; preview again`;
    const again = ': the data changed since the preview, so nothing was committed; preview again';
    if (capture.plan.mode !== 'read' && previewed.affectedRows !== outcome.affectedRows) {
      return `statement ${outcome.statement} now changes ${outcome.affectedRows} rows, but the preview showed ${previewed.affectedRows}${again}`;
    }
    const rows = digestDifference(previewed.digest, outcome.digest);
    if (rows) return `statement ${outcome.statement}: ${rows}${sampleOfDifferent(capture, previewed)}${again}`;
    const effects = effectsDifference(previewed.effects ?? [], outcome.effects ?? []);
    if (effects) return `statement ${outcome.statement} ${effects}${again}`;
  }
  return undefined;
}

/** A few of the rows the commit would change that the preview did not show, for the refusal. */
function sampleOfDifferent(capture: StatementCapture, previewed: StatementOutcome): string {
  const known = new Set((previewed.before ?? previewed.after)?.rows.map((row) => JSON.stringify(row)) ?? []);
  const rows = capture.before ?? capture.after ?? [];
  const unseen = rows.filter((row) => !known.has(JSON.stringify(row))).slice(0, 3);
  if (unseen.length === 0 || !capture.table) return '';
  const columns = capture.table.columns.map((c) => c.name);
  const describe = (row: (string | null)[]) => `(${row.map((v, i) => `${columns[i]}=${v ?? 'NULL'}`).join(', ')})`;
  return `; for example ${unseen.map(describe).join(', ')}`;
}

function tableOids(preview: PreviewResult): string[] {
  return preview.liveness?.tables.map((t) => t.oid) ?? [];
}

function withProvenance(outcome: StatementOutcome, previewed: StatementOutcome | undefined): StatementOutcome {
  return previewed?.provenance && previewed.statement === outcome.statement ? { ...outcome, provenance: previewed.provenance } : outcome;
}

function shown(outcome: StatementOutcome, limit: number): StatementOutcome {
  const cap = <T extends { rows: unknown[] }>(image: T | undefined) => image && { ...image, rows: image.rows.slice(0, limit) };
  return {
    ...outcome,
    ...(outcome.before ? { before: cap(outcome.before) } : {}),
    ...(outcome.after ? { after: cap(outcome.after) } : {}),
  };
}

function journalEntry(
  unit: ExecutionUnit,
  request: CommitRequest,
  session: Session,
  environment: JournalEntry['environment'],
  captures: StatementCapture[],
  undo: UndoAvailability,
  affectedRows: number,
): JournalEntry {
  return {
    id: Journal.newId(),
    at: new Date().toISOString(),
    ...(request.undoOf ? { undoOf: request.undoOf } : {}),
    connection: session.identity,
    fingerprint: session.server.fingerprint,
    databaseOid: session.server.databaseOid,
    environment,
    ...(request.source ? { source: request.source } : {}),
    text: unit.text,
    digest: unit.digest,
    affectedRows,
    statements: captures.map(({ outcome }) => ({
      statement: outcome.statement,
      command: outcome.command,
      ...(outcome.table ? { table: outcome.table } : {}),
      affectedRows: outcome.affectedRows,
      ...(outcome.digest
        ? { digest: { rows: outcome.digest.rows, before: outcome.digest.before ?? '0', after: outcome.digest.after ?? '0' } }
        : {}),
    })),
    images: captures.flatMap(({ outcome, table, before, after }) =>
      table && (before || after)
        ? [
            {
              statement: outcome.statement,
              command: outcome.command,
              table: table.qualified,
              columns: table.columns.map((c) => c.name),
              layout: { columns: table.columns, primaryKey: table.primaryKey },
              ...(before ? { before } : {}),
              ...(after ? { after } : {}),
            },
          ]
        : [],
    ),
    undo,
    outputSettings: session.server.outputSettings,
  };
}

/** A statement PostgreSQL refuses inside a transaction, run as written after explicit confirmation. */
async function runUnpreviewed(
  session: Session,
  unit: ExecutionUnit,
  request: CommitRequest,
  context: ExecContext,
  environment: CommitResult['environment'] & {},
  liveness: CommitResult['liveness'],
  started: number,
): Promise<CommitResult> {
  const entry = journalEntry(
    unit,
    request,
    session,
    environment.environment,
    [],
    { possible: false, reason: 'it ran without a preview' },
    0,
  );
  try {
    await request.journal.write(entry);
  } catch (error) {
    return {
      outcome: 'refused',
      reason: `the undo journal could not be written (${(error as Error).message}), so nothing was run`,
      connection: session.identity,
      environment,
      statements: [],
      affectedRows: 0,
      durationMs: Math.round(performance.now() - started),
    };
  }
  const statements: StatementOutcome[] = [];
  try {
    await session.setTimeouts(
      { statementTimeoutMs: context.settings.statementTimeoutMs, lockTimeoutMs: context.settings.lockTimeoutMs },
      'session',
    );
    for (const statement of unit.statements) {
      const result = await session.run(statement.text);
      statements.push({
        statement: statement.index + 1,
        command: result.command,
        mode: 'refused',
        affectedRows: result.rowCount,
        notes: [],
      });
    }
  } catch (error) {
    await request.journal.settle(entry.id, 'aborted', (error as Error).message);
    return {
      outcome: 'error',
      reason: 'PostgreSQL refused the statement',
      error: { kind: 'statement', message: (error as Error).message },
      connection: session.identity,
      environment,
      statements,
      affectedRows: 0,
      durationMs: Math.round(performance.now() - started),
    };
  }
  await request.journal.settle(entry.id, 'committed');
  return {
    outcome: 'committed',
    connection: session.identity,
    environment,
    statements,
    affectedRows: statements.reduce((sum, s) => sum + s.affectedRows, 0),
    journalId: entry.id,
    undo: { possible: false, reason: 'it ran without a preview, so there is no before-image to undo it' },
    ...(liveness ? { liveness } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}
