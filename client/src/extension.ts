import * as vscode from 'vscode';
import { readSettings } from '../../server/src/config/settings';
import { SETTINGS, type Severity } from '../../server/src/protocol';
import { ruleMetadata } from '../../server/src/rules/index';
import { lintDocument } from '../../server/src/rules/lint';
import type { Finding } from '../../server/src/rules/types';
import { analyzeDocument } from '../../server/src/sql/analyze';
import { loadGrammar } from '../../server/src/sql/grammar';

/**
 * Until the language server lands, the extension runs the same front end and rules in process:
 * diagnostics for open SQL documents, refreshed on edit and on settings change.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('safesql');
  const diagnostics = vscode.languages.createDiagnosticCollection('safesql');
  context.subscriptions.push(output, diagnostics);
  await loadGrammar();

  const pending = new Map<string, NodeJS.Timeout>();
  const lint = (document: vscode.TextDocument): void => {
    if (document.languageId !== 'sql') return;
    const raw = vscode.workspace.getConfiguration(SETTINGS.section, document.uri);
    const reading = readSettings({ rules: raw.get('rules'), connections: raw.get('connections') }, 'settings', true);
    for (const problem of [...reading.errors, ...reading.warnings]) output.appendLine(problem);
    const text = document.getText();
    const findings = lintDocument(analyzeDocument(text), { settings: reading.settings });
    diagnostics.set(
      document.uri,
      findings.map((f) => toDiagnostic(document, f)),
    );
  };
  const schedule = (document: vscode.TextDocument): void => {
    const key = document.uri.toString();
    clearTimeout(pending.get(key));
    pending.set(
      key,
      setTimeout(() => lint(document), 150),
    );
  };

  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(lint),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(pending.get(d.uri.toString()));
      diagnostics.delete(d.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.section)) vscode.workspace.textDocuments.forEach(lint);
    }),
    { dispose: () => pending.forEach((timer) => clearTimeout(timer)) },
  );
  vscode.workspace.textDocuments.forEach(lint);
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toDiagnostic(document: vscode.TextDocument, finding: Finding): vscode.Diagnostic {
  const range = (span: { start: number; end: number }) => new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
  const diagnostic = new vscode.Diagnostic(range(finding.span), `${finding.message}\n${finding.help}`, SEVERITY[finding.severity]);
  diagnostic.source = 'safesql';
  diagnostic.code = { value: finding.rule, target: vscode.Uri.parse(ruleMetadata(finding.rule).docsUrl) };
  diagnostic.relatedInformation = finding.related?.map(
    (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, range(r.span)), r.message),
  );
  return diagnostic;
}
