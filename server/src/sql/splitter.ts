import { tokenize, type Token } from './lexer';

/** A statement's place in the document, before parsing. Offsets are UTF-16 indices. */
export interface StatementSpan {
  /** Offset of the statement's first token. */
  start: number;
  /** Offset just past its terminating `;` (or its last token when it has none). */
  end: number;
  /** Its tokens, comments excluded, the terminating `;` included. */
  tokens: Token[];
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
  const statements: StatementSpan[] = [];
  const comments: Token[] = [];
  let current: Token[] = [];
  let parenDepth = 0;
  let atomicDepth = 0;

  const flush = (): void => {
    if (current.length > 0) {
      statements.push({ start: current[0]!.start, end: current[current.length - 1]!.end, tokens: current });
    }
    current = [];
    parenDepth = 0;
    atomicDepth = 0;
  };

  for (const token of tokenize(text)) {
    switch (token.type) {
      case 'line-comment':
      case 'block-comment':
        comments.push(token);
        // An unclosed comment swallows the rest of the file: it belongs to the statement so
        // that the grammar reports it.
        if (token.unterminated) current.push(token);
        continue;
      case 'psql-meta':
      case 'copy-data':
        flush();
        continue;
      case 'punctuation': {
        const c = text.charCodeAt(token.start);
        if (c === 40) parenDepth++;
        else if (c === 41 && parenDepth > 0) parenDepth--;
        current.push(token);
        // Only CREATE RULE holds `;` inside parentheses; elsewhere an unclosed `(` is a mistake
        // that must not swallow the statements after it.
        if (c === 59 && atomicDepth === 0 && (parenDepth === 0 || !isCreateRule(text, current))) flush();
        continue;
      }
      case 'word':
        atomicDepth += atomicDelta(text, current, token, atomicDepth);
        current.push(token);
        continue;
      default:
        current.push(token);
    }
  }
  flush();
  return { statements, comments };
}

function isCreateRule(text: string, tokens: Token[]): boolean {
  const words = tokens.slice(0, 4).map((t) => text.slice(t.start, t.end).toLowerCase());
  return words[0] === 'create' && (words[1] === 'rule' || (words[1] === 'or' && words[3] === 'rule'));
}

/**
 * `BEGIN ATOMIC` opens a SQL-standard function body that only its matching `END` closes (as in
 * psql); inside it, `CASE … END` nests.
 */
function atomicDelta(text: string, before: Token[], token: Token, depth: number): number {
  const word = text.slice(token.start, token.end).toLowerCase();
  if (word === 'atomic') {
    const previous = before[before.length - 1];
    return previous && text.slice(previous.start, previous.end).toLowerCase() === 'begin' ? 1 : 0;
  }
  if (depth === 0) return 0;
  if (word === 'case') return 1;
  if (word === 'end') return -1;
  return 0;
}
