import { isCopyFromStdin, tokenize, type Token } from './lexer';

/** A statement's place in the document, before parsing. Offsets are UTF-16 indices. */
export interface StatementSpan {
  /** Offset of the statement's first token. */
  start: number;
  /** Offset just past its terminating `;` (or its last token when it has none). */
  end: number;
  /** Its tokens, comments excluded, the terminating `;` included. */
  tokens: Token[];
  /**
   * Whether its extent depends on text after it: it holds an unclosed quote or comment (which a
   * later quote or `*\/` would close), or it is a COPY whose data has no `\.` yet.
   */
  openEnded: boolean;
}

export interface SplitResult {
  statements: StatementSpan[];
  comments: Token[];
}

/**
 * Splits a buffer into statements the way psql does: at `;` outside a `BEGIN ATOMIC … END`
 * function body and a `CREATE RULE … DO ( … )` action list, and at psql meta-commands and COPY
 * data, which belong to no statement.
 */
export function splitStatements(text: string): SplitResult {
  return splitFrom(text, 0).result;
}

/**
 * Splits from `from` (a statement start, or 0), stopping at the first statement start for which
 * `stopAt` says yes: the incremental path re-splits only as far as an edit reaches.
 */
export function splitFrom(
  text: string,
  from: number,
  stopAt?: (statementStart: number) => boolean,
): { result: SplitResult; stoppedAt?: number } {
  const statements: StatementSpan[] = [];
  const comments: Token[] = [];
  let current: Token[] = [];
  let parenDepth = 0;
  let atomicDepth = 0;
  // From a `COPY … FROM stdin;` until its data: the statements between (on the rest of its line)
  // are no place to stop, since lexing from them would not find the data.
  let copyPending = false;

  const flush = (): void => {
    if (current.length > 0) {
      const openEnded = current.some((t) => t.unterminated === true);
      statements.push({ start: current[0]!.start, end: current[current.length - 1]!.end, tokens: current, openEnded });
    }
    current = [];
    parenDepth = 0;
    atomicDepth = 0;
  };

  let stoppedAt: number | undefined;
  tokenize(text, from, (token) => {
    if (stopAt && current.length === 0 && !copyPending && isSignificant(token) && stopAt(token.start)) {
      stoppedAt = token.start;
      return false;
    }
    take(token);
    return true;
  });
  if (stoppedAt === undefined) flush();
  return { result: { statements, comments }, ...(stoppedAt === undefined ? {} : { stoppedAt }) };

  function take(token: Token): void {
    switch (token.type) {
      case 'line-comment':
      case 'block-comment':
        comments.push(token);
        // An unclosed comment swallows the rest of the file: it belongs to the statement so
        // that the grammar reports it.
        if (token.unterminated) current.push(token);
        return;
      case 'psql-meta':
      case 'copy-data':
        if (token.type === 'copy-data') copyPending = false;
        flush();
        if (token.unterminated && statements.length > 0) statements[statements.length - 1]!.openEnded = true;
        return;
      case 'punctuation': {
        const c = text.charCodeAt(token.start);
        if (c === 40) parenDepth++;
        else if (c === 41 && parenDepth > 0) parenDepth--;
        current.push(token);
        // Only CREATE RULE holds `;` inside parentheses; elsewhere an unclosed `(` is a mistake
        // that must not swallow the statements after it.
        if (c === 59 && atomicDepth === 0 && (parenDepth === 0 || !isCreateRule(text, current))) {
          if (isCopyFromStdin(text, current[0]!, token)) copyPending = true;
          flush();
        }
        return;
      }
      case 'word':
        atomicDepth += atomicDelta(text, current, token, atomicDepth);
        current.push(token);
        return;
      default:
        current.push(token);
    }
  }
}

function isSignificant(token: Token): boolean {
  return token.type !== 'line-comment' && token.type !== 'block-comment' && token.type !== 'psql-meta' && token.type !== 'copy-data';
}

function isCreateRule(text: string, tokens: Token[]): boolean {
  return createsOneOf(text, tokens, ['rule']);
}

function isCreateRoutine(text: string, tokens: Token[]): boolean {
  return createsOneOf(text, tokens, ['function', 'procedure']);
}

/** Whether the statement is `CREATE [OR REPLACE] <object>` for one of `objects`. */
function createsOneOf(text: string, tokens: Token[], objects: readonly string[]): boolean {
  const words = tokens.slice(0, 4).map((t) => text.slice(t.start, t.end).toLowerCase());
  return words[0] === 'create' && (objects.includes(words[1] ?? '') || (words[1] === 'or' && objects.includes(words[3] ?? '')));
}

/**
 * `BEGIN ATOMIC` opens a SQL-standard routine body that only its matching `END` closes; inside it,
 * `CASE … END` nests. Only CREATE FUNCTION and CREATE PROCEDURE have such a body: elsewhere
 * `begin atomic` is a column and its alias (`SELECT begin atomic FROM t;`), and the `;` after it
 * ends the statement for psql and the server alike.
 */
function atomicDelta(text: string, before: Token[], token: Token, depth: number): number {
  const word = text.slice(token.start, token.end).toLowerCase();
  if (word === 'atomic') {
    const previous = before[before.length - 1];
    const afterBegin = previous !== undefined && text.slice(previous.start, previous.end).toLowerCase() === 'begin';
    return afterBegin && isCreateRoutine(text, before) ? 1 : 0;
  }
  if (depth === 0) return 0;
  if (word === 'case') return 1;
  if (word === 'end') return -1;
  return 0;
}
