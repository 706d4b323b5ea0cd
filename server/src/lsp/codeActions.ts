import { CodeActionKind, type CodeAction, type TextEdit } from 'vscode-languageserver';
import { DIRECTIVES, FIX_ALL_KIND, LSP_COMMANDS } from '../protocol';
import { directiveWithout } from '../rules/directives';
import type { Finding } from '../rules/types';
import type { SqlDocument, Span, Statement } from '../sql/statement';
import { TokenText } from '../sql/tokenText';
import { toDiagnostics, toRange } from './diagnostics';

export interface ActionRequest {
  uri: string;
  document: SqlDocument;
  findings: readonly Finding[];
  /** The selection or cursor, as offsets. */
  range: Span;
  /** The kinds the client asked for, if it restricted them. */
  only?: string[];
}

/** The placeholder a new WHERE clause gets: valid SQL that matches no row until it is replaced. */
const WHERE_PLACEHOLDER = 'FALSE';
const REASON_PLACEHOLDER = 'reason';

export function codeActions(request: ActionRequest): CodeAction[] {
  const asked = (kind: string): boolean => request.only?.some((k) => kind === k || kind.startsWith(`${k}.`)) ?? false;
  const actions: CodeAction[] = [];
  if (!request.only || asked(CodeActionKind.QuickFix)) actions.push(...quickFixes(request));
  // Source actions only when asked for by kind (on save, or from a "fix all" command), as usual.
  if (asked(FIX_ALL_KIND)) {
    const fixAll = fixAllAction(request);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}

function quickFixes(request: ActionRequest): CodeAction[] {
  const { document, findings, range, uri } = request;
  // A statement's fixes are offered anywhere on it, not only on the words a finding underlines.
  const touched = document.statements.filter((s) => s.span.start <= range.end && range.start <= s.span.end);
  const onTouched = (f: Finding) =>
    (f.span.start <= range.end && range.start <= f.span.end) ||
    touched.some((s) => s.span.start <= f.span.start && f.span.start <= s.span.end);
  const here = findings.filter(onTouched);
  const actions: CodeAction[] = [];
  const diagnostic = (f: Finding) => toDiagnostics(uri, document.lines, [f]);

  // The most relevant first: a rule's own fix (a WHERE), then a transaction around the statement
  // (which would not bound it), then suppressions.
  const fixes = here.map((finding) => findingFixes(request, finding));
  actions.push(...fixes.flatMap((f) => f.fixes));
  const fixed = actions.some((action) => action.isPreferred);
  const untransacted = here.filter((f) => f.rule === 'missing-transaction');
  if (untransacted.length > 0) {
    const statements = untransacted.map((f) => statementAt(document, f.span.start)!);
    const first = statements[0]!;
    const last = statements[statements.length - 1]!;
    const which = statements.length === 1 ? 'the statement' : `these ${statements.length} statements`;
    for (const [ending, title, preferred] of [
      ['COMMIT', `Wrap ${which} in BEGIN … COMMIT`, !fixed],
      ['ROLLBACK', `Wrap ${which} in BEGIN … ROLLBACK (dry run)`, false],
    ] as const) {
      actions.push({
        title,
        kind: CodeActionKind.QuickFix,
        isPreferred: preferred,
        diagnostics: untransacted.flatMap(diagnostic),
        edit: { changes: { [uri]: wrapEdits(document, first, last, ending) } },
      });
    }
  }
  actions.push(...fixes.flatMap((f) => (f.suppression ? [f.suppression] : [])));
  return actions;
}

/** The fixes of one finding's rule (a WHERE clause, removing an unused suppression), and suppressing it for its statement. */
function findingFixes(request: ActionRequest, finding: Finding): { fixes: CodeAction[]; suppression?: CodeAction } {
  const { document, uri } = request;
  const diagnostics = toDiagnostics(uri, document.lines, [finding]);
  const statement = statementAt(document, finding.span.start);
  if (finding.rule === 'unknown-connection') {
    // The line names a connection nobody configured: offer each configured one instead.
    const fixes = (finding.configuredNames ?? []).map((name, i): CodeAction => ({
      title: `Bind the file to connection "${name}"`,
      kind: CodeActionKind.QuickFix,
      isPreferred: i === 0 && (finding.configuredNames ?? []).length === 1,
      diagnostics,
      edit: { changes: { [uri]: [{ range: toRange(document.lines, finding.span), newText: `-- ${DIRECTIVES.connection} ${name}` }] } },
    }));
    return { fixes };
  }
  if (finding.rule === 'unused-suppression') {
    const ids = finding.unusedIds ?? [];
    const partial = ids.length > 0 && directiveWithout(document.text.slice(finding.span.start, finding.span.end), ids) !== '';
    const removal: CodeAction = {
      title: partial ? `Remove ${ids.join(', ')} from the suppression` : 'Remove the unused suppression',
      kind: CodeActionKind.QuickFix,
      isPreferred: true,
      diagnostics,
      edit: { changes: { [uri]: [withoutIds(document, finding.span, ids)] } },
    };
    return { fixes: [removal] };
  }
  if (!statement) return { fixes: [] };
  const fixes: CodeAction[] = [];
  const change =
    (finding.rule === 'unbounded-delete' || finding.rule === 'unbounded-update') &&
    statement.rowChanges.find((c) => c.span.start === finding.span.start && !c.reach.bounded && c.reach.reason === 'no-where');
  if (change) {
    const at = whereInsertionPoint(statement, change.span.end);
    const inserted = ` WHERE ${WHERE_PLACEHOLDER}`;
    // Where the placeholder will be once the edit is applied (the client selects it then).
    const placeholder = {
      start: positionAfterInsert(document, at, inserted, at + inserted.length - WHERE_PLACEHOLDER.length),
      end: positionAfterInsert(document, at, inserted, at + inserted.length),
    };
    fixes.push({
      title: `Add a WHERE clause to this ${change.command.toUpperCase()} (placeholder: matches no row)`,
      kind: CodeActionKind.QuickFix,
      isPreferred: true,
      diagnostics,
      edit: { changes: { [uri]: [{ range: toRange(document.lines, { start: at, end: at }), newText: inserted }] } },
      command: { title: 'Select the placeholder', command: LSP_COMMANDS.selectRange, arguments: [uri, placeholder] },
    });
  }
  return { fixes, suppression: suppressAction(request, finding, statement) };
}

/** `-- safesql-ignore <rule> -- reason` on its own line above the statement, the reason selected. */
function suppressAction(request: ActionRequest, finding: Finding, statement: Statement): CodeAction {
  const { document, uri } = request;
  const line = document.lines.position(statement.span.start).line;
  const lineStart = document.lines.lineStart(line);
  const indent = /^[ \t]*/.exec(document.lines.lineText(line))![0];
  const startsLine = document.text.slice(lineStart, statement.span.start).trim() === '';
  const directive = `-- safesql-ignore ${finding.rule} -- ${REASON_PLACEHOLDER}`;
  const at = startsLine ? lineStart : statement.span.start;
  const newText = startsLine ? `${indent}${directive}\n` : `\n${indent}${directive}\n${indent}`;
  const reasonStart = at + newText.indexOf(REASON_PLACEHOLDER);
  return {
    title: `Suppress ${finding.rule} for this statement`,
    kind: CodeActionKind.QuickFix,
    diagnostics: toDiagnostics(uri, document.lines, [finding]),
    edit: { changes: { [uri]: [{ range: toRange(document.lines, { start: at, end: at }), newText }] } },
    command: {
      title: 'Select the reason',
      command: LSP_COMMANDS.selectRange,
      arguments: [
        uri,
        {
          start: positionAfterInsert(document, at, newText, reasonStart),
          end: positionAfterInsert(document, at, newText, reasonStart + REASON_PLACEHOLDER.length),
        },
      ],
    },
  };
}

/** Where `offset` (inside text inserted at `at`) lands in the document once the insert is applied. */
function positionAfterInsert(document: SqlDocument, at: number, inserted: string, offset: number): { line: number; character: number } {
  const base = document.lines.position(at);
  const before = inserted.slice(0, offset - at);
  const newlines = before.split('\n');
  return newlines.length === 1
    ? { line: base.line, character: base.character + before.length }
    : { line: base.line + newlines.length - 1, character: newlines[newlines.length - 1]!.length };
}

/**
 * Fix all: remove every unused suppression, and wrap each run of consecutive statements that
 * change data outside a transaction in one BEGIN … COMMIT.
 */
function fixAllAction(request: ActionRequest): CodeAction | undefined {
  const { document, findings, uri } = request;
  const unusedByDirective = new Map<number, { span: Span; ids: string[] }>();
  for (const f of findings.filter((f) => f.rule === 'unused-suppression')) {
    const entry = unusedByDirective.get(f.span.start) ?? { span: f.span, ids: [] };
    entry.ids.push(...(f.unusedIds ?? []));
    unusedByDirective.set(f.span.start, entry);
  }
  const edits: TextEdit[] = [...unusedByDirective.values()].map(({ span, ids }) => withoutIds(document, span, ids));
  const untransacted = findings
    .filter((f) => f.rule === 'missing-transaction')
    .map((f) => statementAt(document, f.span.start)!)
    .filter(Boolean);
  let runStart = 0;
  for (let i = 1; i <= untransacted.length; i++) {
    if (i === untransacted.length || untransacted[i]!.index !== untransacted[i - 1]!.index + 1) {
      edits.push(...wrapEdits(document, untransacted[runStart]!, untransacted[i - 1]!, 'COMMIT'));
      runStart = i;
    }
  }
  if (edits.length === 0) return undefined;
  return {
    title: 'safesql: fix all (wrap writes in transactions, remove unused suppressions)',
    kind: FIX_ALL_KIND,
    edit: { changes: { [uri]: edits } },
  };
}

/** BEGIN; on its own line before `first`, and `ending`; after `last`, keeping the indentation. */
function wrapEdits(document: SqlDocument, first: Statement, last: Statement, ending: 'COMMIT' | 'ROLLBACK'): TextEdit[] {
  const { lines, text } = document;
  const firstLine = lines.position(first.span.start).line;
  const firstLineStart = lines.lineStart(firstLine);
  const indent = /^[ \t]*/.exec(lines.lineText(firstLine))![0];
  const startsLine = text.slice(firstLineStart, first.span.start).trim() === '';
  const begin: TextEdit = startsLine
    ? { range: toRange(lines, { start: firstLineStart, end: firstLineStart }), newText: `${indent}BEGIN;\n` }
    : { range: toRange(lines, { start: first.span.start, end: first.span.start }), newText: `\nBEGIN;\n` };

  const lastLine = lines.position(last.span.end).line;
  const lastLineText = lines.lineText(lastLine);
  const lastLineEnd = lines.lineStart(lastLine) + lastLineText.length;
  const rest = text.slice(last.span.end, lastLineEnd).trim();
  const endsLine = rest === '' || rest.startsWith('--');
  const at = endsLine ? lastLineEnd : last.span.end;
  const close: TextEdit = { range: toRange(lines, { start: at, end: at }), newText: endsLine ? `\n${indent}${ending};` : `\n${ending};\n` };
  return [begin, close];
}

/** Where a WHERE clause goes in a DELETE/UPDATE: before RETURNING, the `;` or the CTE's `)`. */
function whereInsertionPoint(statement: Statement, headEnd: number): number {
  const t = new TokenText(statement.text);
  let depth = 0;
  let last = headEnd - statement.span.start;
  for (let i = t.indexAt(headEnd - statement.span.start); i >= 0 && i < t.length; i++) {
    const token = t.tokens[i]!;
    if (token.start < headEnd - statement.span.start) continue;
    if (t.is(i, '(')) depth++;
    else if (t.is(i, ')')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (t.is(i, ';') || t.isWord(i, 'returning'))) break;
    last = token.end;
  }
  return statement.span.start + last;
}

/** The directive at `span` without `ids`; the whole comment when nothing would be left. */
function withoutIds(document: SqlDocument, span: Span, ids: readonly string[]): TextEdit {
  const rewritten = ids.length === 0 ? '' : directiveWithout(document.text.slice(span.start, span.end), ids);
  return rewritten === '' ? removeComment(document, span) : { range: toRange(document.lines, span), newText: rewritten };
}

/** Deletes a comment, with the blank it leaves: its whole line when it stands alone. */
function removeComment(document: SqlDocument, span: Span): TextEdit {
  const { lines, text } = document;
  const line = lines.position(span.start).line;
  const lineStart = lines.lineStart(line);
  const lineEnd = lineStart + lines.lineText(line).length;
  const alone = text.slice(lineStart, span.start).trim() === '' && text.slice(span.end, lineEnd).trim() === '';
  if (alone) {
    const next = lineEnd < text.length ? lineEnd + (text[lineEnd] === '\r' ? 2 : 1) : lineEnd;
    return { range: toRange(lines, { start: lineStart, end: next }), newText: '' };
  }
  let start = span.start;
  while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  return { range: toRange(lines, { start, end: span.end }), newText: '' };
}

/** The statement whose span contains `offset`. */
export function statementAt(document: SqlDocument, offset: number): Statement | undefined {
  const statements = document.statements;
  let low = 0;
  let high = statements.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const s = statements[mid]!;
    if (s.span.end < offset) low = mid + 1;
    else if (s.span.start > offset) high = mid - 1;
    else return s;
  }
  return undefined;
}
