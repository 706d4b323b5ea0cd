import { plural } from '../plural';
import { describeIdentity } from '../exec/connection';
import type { JournalListing } from '../exec/journal';
import { reversalOf } from '../exec/reversal';
import { alsoChanged, type CommitResult, type PreviewResult, type RowImage, type RunError, type StatementOutcome } from '../exec/results';
import type { SqlDocument } from '../sql/statement';

const CELL_WIDTH = 40;

/** Settings a unit makes (the undo script's own among them) are not worth a line of their own. */
const QUIET_COMMANDS = new Set(['SET', 'RESET']);

/** Renders rows as a psql-style aligned table. */
export function formatTable(image: RowImage, indent = '    '): string {
  const cell = (value: string | null) => {
    const text = value === null ? 'NULL' : value.replace(/\s+/g, ' ');
    return text.length > CELL_WIDTH ? `${text.slice(0, CELL_WIDTH - 1)}…` : text;
  };
  const rows = image.rows.map((row) => row.map(cell));
  const widths = image.columns.map((name, i) => Math.max(Math.min(name.length, CELL_WIDTH), ...rows.map((r) => r[i]!.length)));
  const line = (values: string[]) => `${indent}${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')}`.trimEnd();
  const lines = [line(image.columns.map(cell)), `${indent}${widths.map((w) => '-'.repeat(w)).join('-+-')}`, ...rows.map(line)];
  if (image.total > image.rows.length) lines.push(`${indent}… ${image.total - image.rows.length} more (${image.total} in all)`);
  return lines.join('\n');
}

function where(result: Pick<PreviewResult, 'connection' | 'environment'>): string {
  const environment = result.environment.environment.toUpperCase();
  return `"${result.connection.name}" (${environment}, ${describeIdentity(result.connection)})`;
}

function verb(outcome: StatementOutcome): string {
  const rows = plural(outcome.affectedRows, 'row');
  const table = outcome.table ? ` ${outcome.command === 'INSERT' ? 'into' : 'in'} ${outcome.table}` : '';
  switch (outcome.command) {
    case 'DELETE':
      return `deletes ${rows}${table}`;
    case 'UPDATE':
      return `updates ${rows}${table}`;
    case 'INSERT':
      return `inserts ${rows}${table}`;
    case 'SELECT':
      return `returns ${rows}`;
    case 'TRUNCATE':
      return `removes ${rows} from ${outcome.table}`;
    default:
      return `${outcome.command || 'runs'}${outcome.affectedRows ? ` (${rows})` : ''}`;
  }
}

function statementLines(outcome: StatementOutcome, withPlan: boolean): string[] {
  const lines = [`  statement ${outcome.statement}: ${verb(outcome)}`];
  for (const note of outcome.notes) lines.push(`    note: ${note}`);
  for (const line of outcome.provenance?.summary ?? []) lines.push(`    origin: ${line}`);
  if (outcome.provenance?.smallGroupRows) {
    const { columns, rows } = outcome.provenance.smallGroupRows;
    lines.push('    rows outside the largest group of origin:', formatTable({ columns, rows, total: rows.length }, '      '));
  }
  if (outcome.before && outcome.after)
    lines.push('    before:', formatTable(outcome.before, '      '), '    after:', formatTable(outcome.after, '      '));
  else if (outcome.before) lines.push(formatTable(outcome.before));
  else if (outcome.after) lines.push(formatTable(outcome.after));
  else if (outcome.rows) lines.push(formatTable(outcome.rows));
  if (withPlan && outcome.plan) lines.push('    plan:', ...outcome.plan.map((l) => `      ${l}`));
  return lines;
}

/** `file:line:column: message`, the way compilers point at a failure. */
export function errorLine(error: RunError, document: SqlDocument | undefined, file: string): string {
  const at = error.offset !== undefined && document ? document.lines.position(error.offset) : undefined;
  const place = at
    ? `${file}:${at.line + 1}:${at.character + 1}: `
    : error.statement
      ? `${file}: statement ${error.statement}: `
      : `${file}: `;
  const extra = [error.detail, error.hint && `hint: ${error.hint}`].filter(Boolean).join('; ');
  return `${place}${error.message}${extra ? ` (${extra})` : ''}`;
}

export function formatPreview(result: PreviewResult, commitCommand: string | undefined): string {
  const lines = [`Preview on ${where(result)}, server ${result.server.fingerprint} (PostgreSQL ${result.server.version})`];
  for (const reason of result.environment.reasons) lines.push(`  ! ${reason}`);
  if (result.outcome === 'not-previewable') {
    lines.push(`  Not previewable: ${result.notPreviewable}.`, '  Nothing was run.');
    if (commitCommand) lines.push(`  To run it anyway: ${commitCommand} --without-preview`);
    return `${lines.join('\n')}\n`;
  }
  for (const outcome of result.statements) if (!QUIET_COMMANDS.has(outcome.command)) lines.push(...statementLines(outcome, true));
  if (result.error?.kind === 'escaped') {
    lines.push(`  !!! SOMETHING MAY HAVE BEEN COMMITTED: ${result.error.message}`);
    return `${lines.join('\n')}\n`;
  }
  if (result.error)
    lines.push(`  Failed${result.error.statement ? ` at statement ${result.error.statement}` : ''}: ${result.error.message}`);
  for (const caution of result.cautions ?? []) lines.push(`  ! ${caution}`);
  if (result.liveness) lines.push('  Live database check:', ...result.liveness.summary.map((l) => `    ${l}`));
  if (result.outcome === 'ok' && !result.readOnly) {
    lines.push(`  Undo: ${result.undo.possible ? result.undo.reason : `NOT POSSIBLE — ${result.undo.reason}`}`);
    lines.push(`  In all: ${plural(result.affectedRows, 'row')} would change${alsoChanged(result.statements)}.`);
  }
  lines.push('  Rolled back: nothing was changed.');
  if (result.outcome === 'ok' && !result.readOnly && commitCommand) lines.push(`  To commit: ${commitCommand}`);
  return `${lines.join('\n')}\n`;
}

export function formatCommit(result: CommitResult): string {
  const head =
    result.outcome === 'committed'
      ? `Committed on "${result.connection.name}" (${describeIdentity(result.connection)}): ${plural(result.affectedRows, 'row')} changed${alsoChanged(result.statements)}.`
      : result.error?.kind === 'escaped'
        ? `!!! SOMETHING MAY HAVE BEEN COMMITTED: ${result.error.message}`
        : `Not committed: ${result.reason}`;
  const lines = [head];
  if (result.outcome === 'committed') {
    for (const outcome of result.statements)
      if (!QUIET_COMMANDS.has(outcome.command)) lines.push(`  statement ${outcome.statement}: ${verb(outcome)}`);
    if (result.liveness) lines.push('  Live database check:', ...result.liveness.summary.map((l) => `    ${l}`));
    lines.push(`  Journal entry ${result.journalId}.`);
    lines.push(
      result.undo?.possible
        ? `  To undo: safesql undo ${result.journalId} (${result.undo.reason})`
        : `  It cannot be undone: ${result.undo?.reason}`,
    );
  } else {
    lines.push('  Nothing was changed.');
  }
  return `${lines.join('\n')}\n`;
}

export function formatJournal(entries: JournalListing[]): string {
  if (entries.length === 0) return 'The journal is empty.\n';
  return `${entries
    .map((e) => {
      const state = e.undoneBy ? `undone by ${e.undoneBy}` : e.status;
      const what = e.statements
        .filter((s) => !QUIET_COMMANDS.has(s.command))
        .map((s) => `${s.command} ${s.affectedRows}${s.table ? ` ${s.table}` : ''}`)
        .join('; ');
      const undo = e.undoOf ? ` (undo of ${e.undoOf})` : '';
      return `${e.id}  ${e.at}  ${e.connection.name} [${e.environment}]  ${state}${undo}  ${what}`;
    })
    .join('\n')}\n`;
}

export function formatEntry(entry: JournalListing): string {
  const reversal = reversalOf(entry);
  const lines = [
    `Journal entry ${entry.id} (${entry.undoneBy ? `undone by ${entry.undoneBy}` : entry.status})`,
    `  at:          ${entry.at}`,
    `  connection:  ${entry.connection.name} (${describeIdentity(entry.connection)}), ${entry.environment}, server ${entry.fingerprint}`,
    ...(entry.source ? [`  source:      ${entry.source}`] : []),
    ...(entry.undoOf ? [`  undo of:     ${entry.undoOf}`] : []),
    `  rows:        ${entry.affectedRows}`,
    '  statement:',
    ...entry.text.split('\n').map((l) => `    ${l}`),
    `  undo: ${reversal.possible ? reversal.reason : `not possible — ${reversal.reason}`}`,
  ];
  if (reversal.possible)
    lines.push('  reversal script:', ...reversal.statements.flatMap((s) => `${s.sql};`.split('\n').map((l) => `    ${l}`)));
  return `${lines.join('\n')}\n`;
}
