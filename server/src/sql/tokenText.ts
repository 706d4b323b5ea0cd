import { tokenize, type Token } from './lexer';
import type { Span } from './statement';

/**
 * One statement's tokens with their text, for finding clause spans and for reading a statement
 * the grammar rejects. Offsets are relative to the statement's text.
 */
export class TokenText {
  readonly tokens: Token[];
  /** Each token's text; words lower-cased. */
  readonly words: string[];

  /** `tokens`: the text's tokens, when the caller already has them. */
  constructor(
    readonly text: string,
    tokens: Token[] = tokenize(text),
  ) {
    this.tokens = tokens.filter((t) => t.type !== 'line-comment' && t.type !== 'block-comment');
    this.words = this.tokens.map((t) => {
      const raw = text.slice(t.start, t.end);
      return t.type === 'word' ? raw.toLowerCase() : raw;
    });
  }

  get length(): number {
    return this.tokens.length;
  }

  isWord(i: number, ...words: string[]): boolean {
    return this.tokens[i]?.type === 'word' && words.includes(this.words[i]!);
  }

  is(i: number, text: string): boolean {
    return this.words[i] === text && this.tokens[i]?.type !== 'string';
  }

  /** Index of the token that starts at or covers `offset`, or -1. */
  indexAt(offset: number): number {
    let low = 0;
    let high = this.tokens.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const t = this.tokens[mid]!;
      if (t.end <= offset) low = mid + 1;
      else if (t.start > offset) high = mid - 1;
      else return mid;
    }
    return low < this.tokens.length ? low : -1;
  }

  span(from: number, to: number): Span {
    return { start: this.tokens[from]!.start, end: this.tokens[to]!.end };
  }

  /** The end index of a possibly qualified name starting at `i` (`a`, `s.a`, `"S"."a"`). */
  nameEnd(i: number): number {
    let end = i;
    while (this.is(end + 1, '.') && this.isName(end + 2)) end += 2;
    return end;
  }

  isName(i: number): boolean {
    const type = this.tokens[i]?.type;
    return type === 'word' || type === 'quoted-identifier';
  }

  /** The name at `i..nameEnd(i)` as written, without white space. */
  nameText(i: number): string {
    return this.words.slice(i, this.nameEnd(i) + 1).join('');
  }

  /**
   * From `from`, the first index at nesting depth 0 that satisfies `match`, stopping where the
   * enclosing parenthesis closes; -1 if none.
   */
  findAtDepth(from: number, match: (i: number) => boolean): number {
    let depth = 0;
    for (let i = from; i < this.tokens.length; i++) {
      if (this.is(i, '(') || this.is(i, '[')) depth++;
      else if (this.is(i, ')') || this.is(i, ']')) {
        if (depth === 0) return -1;
        depth--;
      } else if (depth === 0 && match(i)) return i;
    }
    return -1;
  }

  /** The last index of the clause starting at `from`: up to a clause keyword, `;` or the enclosing `)`. */
  clauseEnd(from: number, stopWords: readonly string[]): number {
    const stop = this.findAtDepth(from + 1, (i) => this.is(i, ';') || this.isWord(i, ...stopWords));
    if (stop >= 0) return stop - 1;
    // No stop word: the clause runs to the closing parenthesis or the end of the statement.
    let depth = 0;
    let last = from;
    for (let i = from + 1; i < this.tokens.length; i++) {
      if (this.is(i, '(') || this.is(i, '[')) depth++;
      else if (this.is(i, ')') || this.is(i, ']')) {
        if (depth === 0) break;
        depth--;
      }
      last = i;
    }
    return last;
  }
}
