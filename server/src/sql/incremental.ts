import { readSpan } from './analyze';
import type { Token } from './lexer';
import { splitFrom } from './splitter';
import { positioned, shiftSpan, type SqlDocument, type Statement } from './statement';

/**
 * The document after an edit, re-splitting and re-reading only as far as the edit reaches: from
 * the statement before the first changed character up to the first statement start that lines up
 * with an old one after the last changed character. The rest is the old analysis, moved.
 */
export function reanalyzeDocument(previous: SqlDocument, text: string, edit?: Edit): SqlDocument {
  const old = previous.text;
  if (old === text) return previous;
  const { start: prefix, oldEnd } = edit ?? changedRegion(old, text);
  const suffix = old.length - oldEnd;
  const delta = text.length - old.length;
  const changedEnd = text.length - suffix; // first unchanged character after the edit, new offsets

  const oldStatements = previous.statements;
  const firstReached = firstIndex(oldStatements, (s) => s.span.end >= prefix);
  // An earlier statement whose extent depends on later text (an unclosed quote that the edit may
  // close) must be split again too.
  const openEnded = oldStatements.findIndex((s, i) => i < firstReached && s.openEnded);
  let restartIndex = Math.max(0, openEnded >= 0 ? Math.min(openEnded, firstReached - 1) : firstReached - 1);
  // A statement on the rest of the line of a `COPY … FROM stdin` comes before that COPY's data
  // (psql reads the rest of the line first): only lexing from the COPY finds the data again.
  if (restartIndex < oldStatements.length) restartIndex = pendingCopyBefore(old, oldStatements, restartIndex) ?? restartIndex;
  const restart = restartIndex < oldStatements.length && firstReached > 0 ? oldStatements[restartIndex]!.span.start : 0;
  const keptBefore = firstReached > 0 ? oldStatements.slice(0, restartIndex) : [];

  const { result, stoppedAt } = splitFrom(
    text,
    restart,
    (start) => start >= changedEnd && startsAnOldStatement(old, oldStatements, start - delta),
  );
  const statements: Statement[] = [...keptBefore];
  for (const span of result.statements) statements.push(readSpan(text, span, statements.length));
  if (stoppedAt !== undefined) {
    for (let i = firstIndex(oldStatements, (s) => s.span.start >= stoppedAt - delta); i < oldStatements.length; i++) {
      const moved = oldStatements[i]!;
      statements.push(delta === 0 && moved.index === statements.length ? moved : moveStatement(moved, delta, statements.length));
    }
  }

  const comments: Token[] = previous.comments.filter((c) => c.start < restart);
  comments.push(...result.comments);
  if (stoppedAt !== undefined) {
    for (let i = firstIndex(previous.comments, (c) => c.start >= stoppedAt - delta); i < previous.comments.length; i++) {
      const c = previous.comments[i]!;
      comments.push({ ...c, start: c.start + delta, end: c.end + delta });
    }
  }
  return { text, lines: previous.lines.edited(text, { start: prefix, oldEnd, newEnd: changedEnd }), statements, comments };
}

/** Where an edit replaced text: `[start, oldEnd)` of the old text became `[start, newEnd)` of the new. */
export interface Edit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** The part of `old` that `text` replaced, found by comparing their common prefix and suffix. */
export function changedRegion(old: string, text: string): Edit {
  const shortest = Math.min(old.length, text.length);
  let prefix = 0;
  // Compare in blocks first: a native comparison of slices is far faster than a character loop.
  const BLOCK = 4096;
  while (prefix + BLOCK <= shortest && old.slice(prefix, prefix + BLOCK) === text.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < shortest && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const room = shortest - prefix;
  while (
    suffix + BLOCK <= room &&
    old.slice(old.length - suffix - BLOCK, old.length - suffix) === text.slice(text.length - suffix - BLOCK, text.length - suffix)
  ) {
    suffix += BLOCK;
  }
  while (suffix < room && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  return { start: prefix, oldEnd: old.length - suffix, newEnd: text.length - suffix };
}

/** The same statement `delta` characters further on, as statement number `index`. */
function moveStatement(statement: Statement, delta: number, index: number): Statement {
  return positioned(statement, delta, index, shiftSpan(statement.span, delta), statement.text, statement.openEnded);
}

/** The first index whose item satisfies a predicate that is false, then true, along the array. */
function firstIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (test(items[mid]!)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Whether an old statement starts there, with the lexer in the same state as in the new text (no COPY data pending). */
function startsAnOldStatement(old: string, statements: readonly Statement[], oldOffset: number): boolean {
  const i = firstIndex(statements, (s) => s.span.start >= oldOffset);
  return i < statements.length && statements[i]!.span.start === oldOffset && pendingCopyBefore(old, statements, i) === undefined;
}

/**
 * The first `COPY … FROM` statement whose data comes after statement `index`: the lexer takes
 * the data at the first newline between statements after the COPY, so it is one reached from
 * `index` back through gaps without a newline.
 */
function pendingCopyBefore(text: string, statements: readonly Statement[], index: number): number | undefined {
  let found: number | undefined;
  for (let i = index - 1; i >= 0; i--) {
    for (let k = statements[i]!.span.end; k < statements[i + 1]!.span.start; k++) if (text.charCodeAt(k) === 10) return found;
    if (statements[i]!.kind === 'copy-from') found = i;
  }
  return found;
}
