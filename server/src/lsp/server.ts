import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DocumentDiagnosticReportKind,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  FIX_ALL_KIND,
  LSP_COMMANDS,
  LSP_NOTIFICATIONS,
  LSP_REQUESTS,
  type CommitParams,
  type PreviewParams,
  type TestConnectionParams,
  type UndoParams,
  PRODUCT,
  SETTINGS,
  type BoundConnection,
  type SetConnectionParams,
} from '../protocol';
import { lintDocument } from '../rules/lint';
import type { Finding } from '../rules/types';
import { analyzeDocumentInSlices } from '../sql/analyze';
import { loadGrammar } from '../sql/grammar';
import { changedRegion, reanalyzeDocument, type Edit } from '../sql/incremental';
import type { SqlDocument } from '../sql/statement';
import { codeActions } from './codeActions';
import { toDiagnostics } from './diagnostics';
import { hoverAt } from './hover';
import { DocumentSettings } from './settings';
import { ExecutionService } from './execution';
import { Journal, safesqlHome } from '../exec/journal';

/** An open document and what is known about it. */
interface OpenDocument {
  text: TextDocument;
  /** The analysis of `analyzedVersion`, if any yet. */
  analysis?: SqlDocument;
  analyzedVersion: number;
  findings: Finding[];
  maxProblems: number;
  /** Distinguishes this opening of the document from earlier ones (in pull-mode result ids). */
  epoch: number;
  /** The edits since the analysis, when exactly one is known; `null` when they must be found by comparison. */
  pendingEdit: Edit | null | undefined;
  /** Bumped whenever the document or what its findings depend on changes: a run for an older generation gives up. */
  generation: number;
  lintedGeneration: number;
  /** Cancels the run scheduled for the last change, if it has not started. */
  cancelScheduled?: () => void;
  running?: Promise<void>;
  lastRunMs: number;
  closed: boolean;
}

/** A change bigger than this (a paste, a revert) is analysed in slices, like a newly opened document. */
const LARGE_REWRITE_CHARS = 512 * 1024;

/** Analyses slower than this get a debounce of about their own duration, so bursts of edits coalesce. */
const IMMEDIATE_BELOW_MS = 40;
const MAX_DEBOUNCE_MS = 300;
/** How long a hover or code action request waits for an analysis under way. */
const INTERACTIVE_WAIT_MS = 250;

/**
 * The safesql language server: diagnostics on open and change (pushed, or pulled by clients that
 * support `textDocument/diagnostic`), quick fixes, fix-all, hover, per-document settings and the
 * editor's connection binding. Every handler is guarded: an error is logged, never fatal.
 */
export function startServer(connection: Connection): void {
  const documents = new Map<string, OpenDocument>();
  const bindings = new Map<string, BoundConnection>();
  let capabilities: ClientCapabilities = {};
  let pullDiagnostics = false;
  let openings = 0;
  const log = (message: string): void => connection.console.log(message);
  const settings = new DocumentSettings(connection, () => Boolean(capabilities.workspace?.configuration), log);
  // Whatever goes wrong inside, the editor keeps its server: log it and carry on.
  process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (error) => connection.console.error(`unhandled: ${(error as Error)?.stack ?? String(error)}`));

  const guard =
    <A extends unknown[], R>(name: string, fallback: R, handler: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await handler(...args);
      } catch (error) {
        connection.console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
        return fallback;
      }
    };

  const execution = new ExecutionService({
    connection,
    analysis: async (uri) => {
      const document = documents.get(uri);
      if (!document) return undefined;
      await current(uri, document);
      return document.analysis;
    },
    settings: (uri) => settings.get(uri),
    binding: (uri) => bindings.get(uri),
    journal: Journal.inDirectory(safesqlHome()),
  });

  connection.onInitialize(async (params): Promise<InitializeResult> => {
    capabilities = params.capabilities;
    pullDiagnostics = Boolean(capabilities.textDocument?.diagnostic);
    await loadGrammar();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: [LSP_COMMANDS.selectRange] },
        ...(pullDiagnostics ? { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } } : {}),
      },
      serverInfo: { name: PRODUCT.name, version: PRODUCT.version },
    };
  });

  connection.onInitialized(() => {
    if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS.section });
    }
  });

  connection.onDidOpenTextDocument(
    guard('didOpen', undefined, ({ textDocument }) => {
      const text = TextDocument.create(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
      const document: OpenDocument = {
        text,
        analyzedVersion: -1,
        findings: [],
        maxProblems: 0,
        epoch: ++openings,
        pendingEdit: null,
        generation: 0,
        lintedGeneration: -1,
        lastRunMs: 0,
        closed: false,
      };
      documents.set(textDocument.uri, document);
      schedule(textDocument.uri, document);
    }),
  );

  connection.onDidChangeTextDocument(
    guard('didChange', undefined, ({ textDocument, contentChanges }) => {
      const document = documents.get(textDocument.uri);
      if (!document) return;
      let edit: Edit | null = null;
      const [only] = contentChanges;
      if (contentChanges.length === 1 && only && 'range' in only && document.pendingEdit === undefined) {
        const start = document.text.offsetAt(only.range.start);
        edit = { start, oldEnd: document.text.offsetAt(only.range.end), newEnd: start + only.text.length };
      }
      document.text = TextDocument.update(document.text, contentChanges, textDocument.version);
      document.pendingEdit = edit;
      schedule(textDocument.uri, document);
    }),
  );

  connection.onDidCloseTextDocument(
    guard('didClose', undefined, ({ textDocument }) => {
      const document = documents.get(textDocument.uri);
      if (!document) return;
      document.closed = true;
      document.cancelScheduled?.();
      documents.delete(textDocument.uri);
      settings.forget(textDocument.uri);
      if (!pullDiagnostics) void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    }),
  );

  connection.onDidChangeConfiguration(
    guard('didChangeConfiguration', undefined, (params) => {
      const pushed = (params.settings as Record<string, unknown> | undefined)?.[SETTINGS.section];
      settings.reset(pushed);
      relintAll();
      refreshLenses();
    }),
  );

  connection.onNotification(
    LSP_NOTIFICATIONS.setConnection,
    guard('setConnection', undefined, (params: SetConnectionParams) => {
      if (!params || typeof params.uri !== 'string') return;
      const before = bindings.get(params.uri)?.name;
      if (params.connection && typeof params.connection.name === 'string') bindings.set(params.uri, params.connection);
      else bindings.delete(params.uri);
      // A preview holds only for the connection it ran on.
      if (bindings.get(params.uri)?.name !== before) execution.forgetDocument(params.uri);
      const document = documents.get(params.uri);
      if (document) relint(params.uri, document);
      refreshLenses();
    }),
  );

  connection.languages.diagnostics.on(
    guard('textDocument/diagnostic', { kind: DocumentDiagnosticReportKind.Full, items: [] } as DocumentDiagnosticReport, async (params) => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      await current(params.textDocument.uri, document);
      const resultId = `${document.epoch}:${document.analyzedVersion}:${document.lintedGeneration}`;
      if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
      return {
        kind: DocumentDiagnosticReportKind.Full,
        resultId,
        items: toDiagnostics(params.textDocument.uri, document.analysis!.lines, document.findings, document.maxProblems),
      };
    }),
  );

  connection.onHover(
    guard('hover', null, async ({ textDocument, position }) => {
      const document = documents.get(textDocument.uri);
      if (!document || !(await currentWithin(textDocument.uri, document))) return null;
      return hoverAt(document.analysis!.lines, document.findings, document.text.offsetAt(position));
    }),
  );

  connection.onCodeAction(
    guard('codeAction', [], async ({ textDocument, range, context }) => {
      const document = documents.get(textDocument.uri);
      if (!document || !(await currentWithin(textDocument.uri, document))) return [];
      return codeActions({
        uri: textDocument.uri,
        document: document.analysis!,
        findings: document.findings,
        range: { start: document.text.offsetAt(range.start), end: document.text.offsetAt(range.end) },
        ...(context.only ? { only: context.only } : {}),
      });
    }),
  );

  connection.onCodeLens(
    guard('codeLens', [], async ({ textDocument }) => {
      const document = documents.get(textDocument.uri);
      if (!document) return [];
      await current(textDocument.uri, document);
      return document.analysis ? execution.codeLenses(textDocument.uri, document.analysis) : [];
    }),
  );

  // Execution requests answer with their failure (a refused connection, a changed statement) as a
  // response error, which the client shows; they are not guarded into silence.
  connection.onRequest(LSP_REQUESTS.preview, async (params: PreviewParams, token) => {
    const result = await execution.preview(params, token);
    refreshLenses();
    return result;
  });
  connection.onRequest(LSP_REQUESTS.commit, async (params: CommitParams, token) => {
    const result = await execution.commit(params, token);
    refreshLenses();
    return result;
  });
  connection.onRequest(LSP_REQUESTS.discard, (params: { previewId: string }) => {
    execution.discard(params.previewId);
    refreshLenses();
    return null;
  });
  connection.onRequest(LSP_REQUESTS.previewUndo, (params: UndoParams, token) => execution.previewUndo(params, token));
  connection.onRequest(LSP_REQUESTS.journal, () => execution.journalEntries());
  connection.onRequest(LSP_REQUESTS.testConnection, (params: TestConnectionParams, token) => execution.testConnection(params, token));

  connection.onExecuteCommand(
    guard('executeCommand', undefined, async ({ command, arguments: args }) => {
      if (command !== LSP_COMMANDS.selectRange || !args || args.length < 2) return;
      if (!capabilities.window?.showDocument?.support) return;
      await connection.window.showDocument({ uri: String(args[0]), selection: args[1] as never, takeFocus: true });
    }),
  );

  connection.listen();

  /** Analyse and check soon: at once when that is cheap, after a short pause when it is not. */
  function schedule(uri: string, document: OpenDocument): void {
    document.generation++;
    document.cancelScheduled?.();
    const delay = document.lastRunMs < IMMEDIATE_BELOW_MS ? 0 : Math.min(document.lastRunMs, MAX_DEBOUNCE_MS);
    document.cancelScheduled = later(() => void publish(uri, document), delay);
  }

  function relint(uri: string, document: OpenDocument): void {
    schedule(uri, document);
    if (pullDiagnostics && capabilities.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh();
  }

  function refreshLenses(): void {
    if (capabilities.workspace?.codeLens?.refreshSupport) void connection.sendRequest(CodeLensRefreshRequest.type);
  }

  function relintAll(): void {
    for (const [uri, document] of documents) schedule(uri, document);
    if (pullDiagnostics && capabilities.workspace?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh();
  }

  async function publish(uri: string, document: OpenDocument): Promise<void> {
    await current(uri, document);
    if (pullDiagnostics || document.closed || documents.get(uri) !== document) return;
    // Only the newest analysis is ever published, tagged with its version.
    if (document.analyzedVersion !== document.text.version) return;
    await connection.sendDiagnostics({
      uri,
      version: document.analyzedVersion,
      diagnostics: toDiagnostics(uri, document.analysis!.lines, document.findings, document.maxProblems),
    });
  }

  /**
   * Whether the analysis is brought up to date within a moment: a hover or a quick fix on a
   * document still being analysed (a huge one just opened) gets no answer rather than a wait.
   */
  async function currentWithin(uri: string, document: OpenDocument): Promise<boolean> {
    const done = current(uri, document).then(() => true);
    const late = new Promise<false>((resolve) => setTimeout(() => resolve(false), INTERACTIVE_WAIT_MS).unref());
    return (await Promise.race([done, late])) && document.analysis !== undefined && document.analyzedVersion === document.text.version;
  }

  /** Brings the analysis and findings up to date with the document (waiting for a run under way). */
  async function current(uri: string, document: OpenDocument): Promise<void> {
    while (!document.closed && (document.analyzedVersion !== document.text.version || document.lintedGeneration !== document.generation)) {
      document.cancelScheduled?.();
      document.running ??= run(uri, document).finally(() => (document.running = undefined));
      await document.running;
    }
  }

  async function run(uri: string, document: OpenDocument): Promise<void> {
    const generation = document.generation;
    const version = document.text.version;
    const text = document.text.getText();
    let started = performance.now();
    const edit =
      document.analysis && document.analyzedVersion !== version
        ? (document.pendingEdit ?? changedRegion(document.analysis.text, text))
        : undefined;
    if (document.analysis && edit && Math.max(edit.newEnd, edit.oldEnd) - edit.start <= LARGE_REWRITE_CHARS) {
      document.analysis = reanalyzeDocument(document.analysis, text, edit);
    } else if (!document.analysis || document.analyzedVersion !== version) {
      // A first analysis, or most of a big document replaced: in slices, answering requests meanwhile.
      const analysis = await analyzeDocumentInSlices(text, () => !document.closed && document.text.version === version);
      if (!analysis) return;
      document.analysis = analysis;
      started = Number.NaN; // not a measure of how long an edit takes
    }
    document.analyzedVersion = version;
    document.pendingEdit = undefined;
    const elapsed = performance.now() - started;
    const { lint, maxProblems } = await settings.get(uri);
    if (document.text.version !== version) return;
    const linting = performance.now();
    const binding = bindings.get(uri);
    document.findings = lintDocument(document.analysis, { settings: lint, ...(binding ? { editorConnection: binding } : {}) });
    document.maxProblems = maxProblems;
    document.lintedGeneration = generation;
    if (!Number.isNaN(elapsed)) document.lastRunMs = elapsed + performance.now() - linting;
  }
}

/**
 * Runs `run` after `delay` ms; returns what cancels it. No delay means the next turn of the event
 * loop (setImmediate): a zero timeout waits a whole millisecond, a tenth of a keystroke's budget.
 */
function later(run: () => void, delay: number): () => void {
  if (delay === 0) {
    const immediate = setImmediate(run);
    return () => clearImmediate(immediate);
  }
  const timeout = setTimeout(run, delay);
  return () => clearTimeout(timeout);
}
