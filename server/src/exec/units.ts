import { createHash } from 'node:crypto';
import { InputError } from '../config/inputError';
import type { SqlDocument, Statement, Span } from '../sql/statement';
import { tokenize } from '../sql/lexer';

/**
 * What one Preview (and then one Commit) runs: a single statement, or a `BEGIN … COMMIT` block as
 * one transaction. The editor puts one code lens above each unit; the CLI picks one by number or line.
 */
export interface ExecutionUnit {
  /** The statements to run, without the block's own BEGIN and COMMIT/ROLLBACK. */
  statements: Statement[];
  /** The block's BEGIN, whose options (isolation level, …) the transaction keeps. */
  begin?: Statement;
  /** How the block ends in the file; undefined for a single statement or a block never closed. */
  end?: 'commit' | 'rollback';
  /** The block's COMMIT or ROLLBACK: never sent (the engine ends its transaction itself), but checked. */
  endStatement?: Statement;
  block: boolean;
  /** From the first to the last character of the unit in the document. */
  span: Span;
  /** The unit's text in the document; a commit refuses if it changed since the preview. */
  text: string;
  /** A digest of `text`, kept in previews and the journal. */
  digest: string;
}

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The document's units in order. Meta-commands and empty statements belong to none. */
export function executionUnits(document: SqlDocument): ExecutionUnit[] {
  const units: ExecutionUnit[] = [];
  let block: { begin: Statement; statements: Statement[] } | undefined;
  const unit = (statements: Statement[], from: Statement, to: Statement, extra: Partial<ExecutionUnit>): ExecutionUnit => {
    const span = { start: from.span.start, end: to.span.end };
    const text = document.text.slice(span.start, span.end);
    return { statements, block: false, span, text, digest: digestOf(text), ...extra };
  };
  for (const statement of document.statements) {
    if (statement.transaction === 'begin') {
      if (!block) block = { begin: statement, statements: [] };
      else block.statements.push(statement); // a nested BEGIN: PostgreSQL warns and carries on
    } else if (statement.transaction === 'commit' || statement.transaction === 'rollback') {
      if (block)
        units.push(
          unit(block.statements, block.begin, statement, {
            begin: block.begin,
            end: statement.transaction,
            endStatement: statement,
            block: true,
          }),
        );
      block = undefined;
    } else if (statement.transaction === 'prepare-transaction' && block) {
      // It ends the block without committing it: it stays one of the unit's statements, which the preview refuses.
      block.statements.push(statement);
      units.push(unit(block.statements, block.begin, statement, { begin: block.begin, block: true }));
      block = undefined;
    } else if (block) {
      block.statements.push(statement);
    } else if (!/^\s*;?\s*$/.test(statement.text)) {
      units.push(unit([statement], statement, statement, {}));
    }
  }
  if (block) {
    const last = block.statements[block.statements.length - 1] ?? block.begin;
    units.push(unit(block.statements, block.begin, last, { begin: block.begin, block: true }));
  }
  return units;
}

export interface UnitSelector {
  /** 1-based statement number in the file. */
  statement?: number;
  /** 1-based line number. */
  line?: number;
}

/** The unit a command line points at; a clear InputError when it points at none or is ambiguous. */
export function selectUnit(document: SqlDocument, selector: UnitSelector, shownAs: string): ExecutionUnit {
  const units = executionUnits(document);
  if (units.length === 0) throw new InputError(`${shownAs}: holds no statement to run`);
  const lineOf = (offset: number) => document.lines.position(offset).line + 1;
  const describe = (u: ExecutionUnit) =>
    `  line ${lineOf(u.span.start)}: ${u.text.split('\n')[0]!.slice(0, 70)}${u.block ? ` (block of ${u.statements.length})` : ''}`;
  if (selector.statement !== undefined) {
    const target = document.statements[selector.statement - 1];
    const found = target && units.find((u) => u.span.start <= target.span.start && target.span.end <= u.span.end);
    if (!found) {
      throw new InputError(
        `${shownAs}: there is no statement ${selector.statement} to run (it has ${document.statements.length} statements)`,
      );
    }
    return found;
  }
  if (selector.line !== undefined) {
    const found = units.find(
      (u) => lineOf(u.span.start) <= selector.line! && selector.line! <= lineOf(Math.max(u.span.start, u.span.end - 1)),
    );
    if (!found)
      throw new InputError(`${shownAs}: no statement is on line ${selector.line}; statements start at:\n${units.map(describe).join('\n')}`);
    return found;
  }
  if (units.length === 1) return units[0]!;
  throw new InputError(
    `${shownAs}: holds ${units.length} statements; choose one with --statement N or --line L:\n${units.map(describe).join('\n')}`,
  );
}

/** Why a unit cannot run through safesql as written, if it cannot (meta-commands inside a block). */
export function unitProblem(document: SqlDocument, unit: ExecutionUnit): string | undefined {
  let problem: string | undefined;
  tokenize(document.text.slice(0, unit.span.end), unit.span.start, (token) => {
    if (token.type !== 'psql-meta') return true;
    problem = `it contains the psql meta-command ${document.text.slice(token.start, token.end).trim().split(/\s/)[0]}, which only psql can run`;
    return false;
  });
  return problem;
}
