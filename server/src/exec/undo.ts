import { analyzeDocument } from '../sql/analyze';
import type { SqlDocument } from '../sql/statement';
import { commit, type CommitRequest } from './commit';
import type { JournalListing } from './journal';
import { preview, type ExecContext } from './preview';
import { describeEffect } from './guard';
import type { CommitResult, PreviewResult, StatementOutcome } from './results';
import { reversalOf, type Reversal } from './reversal';
import { executionUnits, type ExecutionUnit } from './units';

/** A journal entry's reversal, ready to go through preview → commit like any other unit. */
export interface UndoPlan {
  entry: JournalListing;
  reversal: Reversal;
  document: SqlDocument;
  unit: ExecutionUnit;
}

/** Why an entry cannot be undone, if it cannot. */
export function undoRefusal(entry: JournalListing): string | undefined {
  if (entry.status !== 'committed')
    return `journal entry ${entry.id} was not committed (${entry.status}${entry.reason ? `: ${entry.reason}` : ''})`;
  if (entry.undoneBy) return `journal entry ${entry.id} was already undone by ${entry.undoneBy}`;
  const reversal = reversalOf(entry);
  if (!reversal.possible) return `journal entry ${entry.id} cannot be undone: ${reversal.reason}`;
  if (reversal.statements.every((s) => s.expectedRows === 0)) return `journal entry ${entry.id} changed no rows: nothing to undo`;
  return undefined;
}

export function undoPlan(entry: JournalListing): UndoPlan {
  const reversal = reversalOf(entry);
  const script = `-- safesql: undo of journal entry ${entry.id}\nBEGIN;\n${reversal.statements.map((s) => `${s.sql};`).join('\n')}\nCOMMIT;\n`;
  const document = analyzeDocument(script);
  const unit = executionUnits(document)[0]!;
  return { entry, reversal, document, unit };
}

/**
 * Previews the reversal. Besides the usual preview, it checks that each reversal statement would
 * change exactly the rows the commit changed: if someone changed them since, the undo says so here
 * and its commit refuses.
 */
export async function previewUndo(plan: UndoPlan, context: ExecContext): Promise<{ preview: PreviewResult; mismatch?: string }> {
  const result = await preview(plan.document, plan.unit, context, { values: true });
  if (result.outcome !== 'ok') return { preview: result };
  if (
    result.server.fingerprint !== plan.entry.fingerprint ||
    (plan.entry.databaseOid !== undefined && result.server.databaseOid !== plan.entry.databaseOid)
  ) {
    return {
      preview: result,
      mismatch: `journal entry ${plan.entry.id} was committed on server ${plan.entry.fingerprint} (database OID ${plan.entry.databaseOid ?? 'unknown'}), but this connection reaches ${result.server.fingerprint} (database OID ${result.server.databaseOid})`,
    };
  }
  const expected = plan.reversal.statements;
  for (const [i, outcome] of result.statements.entries()) {
    const want = expected[i]?.expectedRows;
    if (want !== undefined && outcome.affectedRows !== want) {
      return {
        preview: result,
        mismatch: `the undo would change ${outcome.affectedRows} rows where the commit changed ${want}: those rows were changed since (by someone else, or by a later commit), so undo would not restore them exactly`,
      };
    }
  }
  const restored = restoredDifference(plan.entry, plan.reversal, result.statements);
  return restored ? { preview: result, mismatch: restored } : { preview: result };
}

/**
 * Why the rows an undo puts back are not exactly the journal's before-image (a trigger that rewrites
 * them, a rule, a default): each committed statement's digest against the digest of what its
 * reversal restores, compared inside the undo's own transaction before anything is committed.
 */
export function restoredDifference(entry: JournalListing, reversal: Reversal, outcomes: StatementOutcome[]): string | undefined {
  const restored = new Map<number, { rows: number; before: bigint; after: bigint }>();
  const journaled = new Set(entry.images.map((image) => image.table));
  for (const outcome of outcomes) {
    const elsewhere = (outcome.effects ?? []).filter((effect) => !journaled.has(effect.table));
    if (elsewhere.length > 0) {
      return `the undo would also change what the journal does not hold: statement ${outcome.statement} ${elsewhere.map(describeEffect).join(', ')} (triggers or rules), so nothing was changed`;
    }
  }
  for (const [i, step] of reversal.statements.entries()) {
    if (step.reverses === undefined) continue;
    const digest = outcomes[i]?.digest;
    if (!digest)
      return `the rows restored by undo statement ${i + 1} could not be captured, so the undo cannot verify that it restores them exactly`;
    const total = restored.get(step.reverses) ?? { rows: 0, before: 0n, after: 0n };
    restored.set(step.reverses, {
      rows: total.rows + digest.rows,
      before: total.before + BigInt(digest.before ?? 0),
      after: total.after + BigInt(digest.after ?? 0),
    });
  }
  for (const original of entry.statements) {
    const back = restored.get(original.statement);
    if (!back) continue;
    if (!original.digest) return `journal entry ${entry.id} was written without row digests, so an undo of it cannot be verified`;
    // What the undo removes must be what the commit left, and what it leaves what the commit removed.
    const sameRows = back.rows === original.digest.rows;
    const leaves = original.command === 'INSERT' ? true : back.after.toString() === original.digest.before;
    const removes = original.command === 'DELETE' ? true : back.before.toString() === original.digest.after;
    if (!sameRows || !leaves || !removes) {
      return `the undo would not restore exactly what statement ${original.statement} (${original.command}${original.table ? ` on ${original.table}` : ''}) changed: the rows it ${leaves ? 'removes' : 'puts back'} differ from the journal's image (a trigger, rule or default rewrites them, or the rows changed since), so nothing was changed`;
    }
  }
  return undefined;
}

export async function commitUndo(
  plan: UndoPlan,
  checked: { preview: PreviewResult; mismatch?: string },
  request: Omit<CommitRequest, 'preview' | 'undoOf'>,
  context: ExecContext,
): Promise<CommitResult> {
  if (checked.mismatch) {
    return {
      outcome: 'refused',
      reason: checked.mismatch,
      connection: checked.preview.connection,
      statements: [],
      affectedRows: 0,
      durationMs: 0,
    };
  }
  return commit(
    plan.document,
    plan.unit,
    {
      ...request,
      preview: checked.preview,
      undoOf: plan.entry.id,
      verify: async (captures) =>
        restoredDifference(
          plan.entry,
          plan.reversal,
          captures.map((c) => c.outcome),
        ),
    },
    context,
  );
}
