import { plural } from '../plural';
import { ResponseError, type CancellationToken, type CodeLens, type Connection } from 'vscode-languageserver';
import {
  CLIENT_COMMANDS,
  LSP_REQUESTS,
  type BoundConnection,
  type CommitParams,
  type PasswordParams,
  type PreviewParams,
  type TestConnectionParams,
  type TestConnectionResult,
  type UndoParams,
} from '../protocol';
import { effectiveEnvironment } from '../exec/environment';
import { Session } from '../exec/session';
import { commit } from '../exec/commit';
import type { ConnectionTarget, PasswordSource } from '../exec/connection';
import { ExecError } from '../exec/errors';
import { Journal, type JournalSummary } from '../exec/journal';
import { reversalOf } from '../exec/reversal';
import { preview, type ExecContext } from '../exec/preview';
import { changedElsewhere, type CommitResult, type PreviewResult } from '../exec/results';
import { previewUndo, undoPlan, undoRefusal } from '../exec/undo';
import { executionUnits, type ExecutionUnit } from '../exec/units';
import { InputError } from '../config/inputError';
import { findConnection } from '../config/settings';
import { readDirectives } from '../rules/directives';
import type { SqlDocument } from '../sql/statement';
import type { EditorSettings } from './settings';

/** A preview the user can still commit: what ran, where, and what it showed. */
interface HeldPreview {
  uri: string;
  connectionName: string;
  document: SqlDocument;
  unit: ExecutionUnit;
  result: PreviewResult;
  /** Set when the preview is of a journal entry's reversal. */
  undoOf?: { id: string; mismatch?: string };
}

export interface ExecutionHost {
  connection: Connection;
  /** The document's analysis, brought up to date. */
  analysis(uri: string): Promise<SqlDocument | undefined>;
  settings(uri: string): Promise<EditorSettings>;
  /** The connection the editor bound the document to. */
  binding(uri: string): BoundConnection | undefined;
  journal: Journal;
}

const REQUEST_FAILED = -32803;

/**
 * Running SQL from the editor: a code lens per unit (Preview, then Commit / Discard), and the
 * requests behind them. Previews are held here until committed, discarded, or made stale by an
 * edit or a change of connection; the engine's commit guard checks everything again regardless.
 */
export class ExecutionService {
  private readonly held = new Map<string, HeldPreview>();

  constructor(private readonly host: ExecutionHost) {}

  /** The lenses of a document: one per unit, showing what can be done next. */
  codeLenses(uri: string, document: SqlDocument): CodeLens[] {
    const connectionName = this.connectionName(uri, document);
    const lenses: CodeLens[] = [];
    for (const unit of executionUnits(document)) {
      const position = document.lines.position(unit.span.start);
      const range = { start: position, end: position };
      const previewed = [...this.held.values()].find(
        (p) => p.uri === uri && !p.undoOf && p.unit.digest === unit.digest && p.connectionName === connectionName,
      );
      const label = unit.block ? `▶ Preview block (${unit.statements.length} statements)` : '▶ Preview';
      if (previewed?.result.outcome === 'ok' && !previewed.result.readOnly) {
        const { result } = previewed;
        const where = result.environment.environment === 'production' ? ' on PRODUCTION' : '';
        const others = changedElsewhere(result.statements).reduce((sum, o) => sum + o.rows, 0);
        const rows = `${plural(result.affectedRows, 'row')}${others > 0 ? ` + ${others} by cascades, triggers or rules` : ''}`;
        lenses.push({ range, command: { title: `✔ Commit${where} (${rows})`, command: CLIENT_COMMANDS.commit, arguments: [result.id] } });
        lenses.push({ range, command: { title: '✖ Discard', command: CLIENT_COMMANDS.discard, arguments: [result.id] } });
      } else if (previewed?.result.outcome === 'not-previewable') {
        lenses.push({
          range,
          command: { title: '⚠ Run without preview…', command: CLIENT_COMMANDS.commit, arguments: [previewed.result.id] },
        });
        lenses.push({ range, command: { title: '✖ Discard', command: CLIENT_COMMANDS.discard, arguments: [previewed.result.id] } });
      } else {
        lenses.push({ range, command: { title: label, command: CLIENT_COMMANDS.preview, arguments: [uri, unit.span.start] } });
      }
    }
    return lenses;
  }

  /** Drops the previews of a document whose connection changed. */
  forgetDocument(uri: string): void {
    for (const [id, held] of this.held) if (held.uri === uri) this.held.delete(id);
  }

  async preview(params: PreviewParams, token: CancellationToken): Promise<PreviewResult> {
    const document = await this.host.analysis(params.uri);
    if (!document) throw failure('the document is not open');
    const unit = executionUnits(document).find((u) => u.span.start === params.offset);
    if (!unit) throw failure('the statement moved or changed; use the Preview lens above it again');
    const context = await this.context(params.uri, document, token);
    const result = await run(() => preview(document, unit, context));
    this.forget(params.uri, unit.digest);
    this.held.set(result.id, { uri: params.uri, connectionName: context.target.name, document, unit, result });
    return result;
  }

  async commit(params: CommitParams, token: CancellationToken): Promise<CommitResult> {
    const held = this.held.get(params.previewId);
    if (!held)
      throw failure('this preview is no longer held (the file changed, the connection changed, or it was committed); preview again');
    let { document, unit } = held;
    if (!held.undoOf) {
      // The text must still be there as previewed: the guard compares its digest with the preview's.
      const current = await this.host.analysis(held.uri);
      if (!current) throw failure('the document is not open');
      const same = executionUnits(current).find((u) => u.digest === held.unit.digest);
      if (!same) throw failure('the statement changed since its preview; preview it again');
      document = current;
      unit = same;
    } else if (held.undoOf.mismatch) {
      throw failure(held.undoOf.mismatch);
    }
    const context = await this.context(held.uri, document, token);
    const result = await run(() =>
      commit(
        document,
        unit,
        {
          preview: held.result,
          journal: this.host.journal,
          source: held.uri,
          ...(params.confirmation !== undefined ? { confirmation: params.confirmation } : {}),
          ...(params.withoutPreview ? { withoutPreview: true } : {}),
          ...(held.undoOf ? { undoOf: held.undoOf.id } : {}),
        },
        context,
      ),
    );
    // Committed, refused or failed: the preview no longer stands for what a commit would do, so its
    // Commit lens turns back into Preview.
    this.held.delete(params.previewId);
    return result;
  }

  discard(previewId: string): void {
    this.held.delete(previewId);
  }

  async previewUndo(params: UndoParams, token: CancellationToken): Promise<PreviewResult> {
    const entry = await this.host.journal.find(params.journalId);
    if (!entry) throw failure(params.journalId ? `no journal entry ${params.journalId}` : 'the journal holds no commit to undo');
    const refusal = undoRefusal(entry);
    if (refusal) throw failure(refusal);
    const plan = undoPlan(entry);
    const document = await this.host.analysis(params.uri);
    const context = await this.context(params.uri, document, token);
    const checked = await run(() => previewUndo(plan, context));
    this.held.set(checked.preview.id, {
      uri: params.uri,
      connectionName: context.target.name,
      document: plan.document,
      unit: plan.unit,
      result: checked.preview,
      undoOf: { id: entry.id, ...(checked.mismatch ? { mismatch: checked.mismatch } : {}) },
    });
    return checked.mismatch ? { ...checked.preview, notPreviewable: checked.mismatch } : checked.preview;
  }

  async testConnection(params: TestConnectionParams, token: CancellationToken): Promise<TestConnectionResult> {
    const context = await this.context(params.uri, undefined, token, params.name);
    const session = await run(() => Session.open(context.target, context.passwords));
    try {
      const { environment, reasons } = effectiveEnvironment(context.target, session.server, context.settings.environments);
      return { fingerprint: session.server.fingerprint, version: session.server.version, environment, reasons };
    } finally {
      await session.close();
    }
  }

  async journalEntries(): Promise<JournalSummary[]> {
    return (await this.host.journal.list()).reverse().map((entry) => {
      const { images: _images, ...summary } = entry;
      return { ...summary, reversal: reversalOf(entry) };
    });
  }

  private forget(uri: string, digest: string): void {
    for (const [id, held] of this.held) if (held.uri === uri && held.unit.digest === digest && !held.undoOf) this.held.delete(id);
  }

  /** The directive in the file wins over the editor's binding, as for the production-write rule. */
  private connectionName(uri: string, document: SqlDocument): string | undefined {
    return readDirectives(document).connection?.name ?? this.host.binding(uri)?.name;
  }

  private async context(uri: string, document: SqlDocument | undefined, token: CancellationToken, named?: string): Promise<ExecContext> {
    const { lint, execution } = await this.host.settings(uri);
    const name = named ?? (document ? this.connectionName(uri, document) : this.host.binding(uri)?.name);
    if (!name)
      throw failure('no connection is selected for this file: choose one (safesql: Select Connection) or add -- safesql:connection <name>');
    let target: ConnectionTarget;
    try {
      target = findConnection(lint, name, "in the editor's safesql.connections");
    } catch (error) {
      throw failure((error as Error).message);
    }
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const passwords: PasswordSource = async (identity, ask) =>
      (await this.host.connection.sendRequest<string | null>(LSP_REQUESTS.password, { identity, ask } satisfies PasswordParams)) ??
      undefined;
    return { target, passwords, settings: execution, signal: controller.signal };
  }
}

function failure(message: string): ResponseError<void> {
  return new ResponseError(REQUEST_FAILED, message);
}

/** Engine errors (connection refused, bad settings) become one-line request failures. */
async function run<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ExecError || error instanceof InputError) throw failure(error.message);
    throw error;
  }
}
