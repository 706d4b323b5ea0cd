/**
 * A PostgreSQL-aware lexer. It does not validate SQL (the real grammar does that); it finds the
 * boundaries that matter for splitting and for reading a statement when the grammar rejects it:
 * strings (standard, E'', U&'', B'', X''), dollar quoting, nested block comments, line comments,
 * quoted identifiers, psql meta-commands and `COPY … FROM stdin` data.
 */

export type TokenType =
  | 'word' // keyword or unquoted identifier
  | 'quoted-identifier'
  | 'string'
  | 'dollar-string'
  | 'number'
  | 'parameter' // $1
  | 'operator'
  | 'punctuation' // ( ) [ ] , ; . :
  | 'line-comment'
  | 'block-comment'
  | 'psql-meta' // a backslash command up to the end of its line
  | 'psql-variable' // :name, :'name' or :"name", which psql substitutes before sending
  | 'copy-data'; // inline data of COPY … FROM stdin, up to and including the `\.` line

export interface Token {
  type: TokenType;
  start: number;
  end: number;
  /** Set when the token runs to the end of the text without its closing delimiter. */
  unterminated?: boolean;
}

const enum Ch {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  Quote = 39,
  DoubleQuote = 34,
  Dollar = 36,
  Ampersand = 38,
  ParenOpen = 40,
  Star = 42,
  Plus = 43,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Backslash = 92,
  Underscore = 95,
}

function isWhitespace(c: number): boolean {
  return c === Ch.Space || c === Ch.LineFeed || c === Ch.CarriageReturn || c === Ch.Tab || c === 11 || c === 12;
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === Ch.Underscore || c >= 128;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === Ch.Dollar;
}

const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|`?'.split('').map((s) => s.charCodeAt(0)));
const PUNCTUATION_CHARS = new Set('()[],;.:'.split('').map((s) => s.charCodeAt(0)));

/**
 * Tokenises the text from `from`, which must be a point where no token is open (the start of the
 * text or of a statement). Whitespace is skipped; every other character belongs to a token. With
 * `visit`, each token is handed over as it is found, and lexing stops when `visit` returns false.
 */
export function tokenize(text: string, from = 0, visit?: (token: Token) => boolean): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let pos = from;
  let bracketDepth = 0; // inside [ ], `a[1:n]` is an array slice, not a psql variable
  let stopped = false;

  const push = (type: TokenType, start: number, end: number, unterminated = false): void => {
    const token: Token = unterminated ? { type, start, end, unterminated } : { type, start, end };
    tokens.push(token);
    if (visit && !visit(token)) stopped = true;
  };

  while (pos < length && !stopped) {
    const c = text.charCodeAt(pos);
    if (isWhitespace(c)) {
      pos++;
      continue;
    }
    const start = pos;
    const next = pos + 1 < length ? text.charCodeAt(pos + 1) : -1;

    if (c === Ch.Minus && next === Ch.Minus) {
      pos = lineEnd(text, pos);
      push('line-comment', start, pos);
    } else if (c === Ch.Slash && next === Ch.Star) {
      const end = blockCommentEnd(text, pos);
      pos = end < 0 ? length : end;
      push('block-comment', start, pos, end < 0);
    } else if (c === Ch.Quote) {
      pos = scanQuoted(text, pos, Ch.Quote, false);
      push('string', start, Math.abs(pos), pos < 0);
      pos = Math.abs(pos);
    } else if (c === Ch.DoubleQuote) {
      pos = scanQuoted(text, pos, Ch.DoubleQuote, false);
      push('quoted-identifier', start, Math.abs(pos), pos < 0);
      pos = Math.abs(pos);
    } else if (isStringPrefix(text, pos)) {
      const prefixLength = text.charCodeAt(pos + 1) === Ch.Ampersand ? 2 : 1;
      const quote = text.charCodeAt(pos + prefixLength);
      const backslashEscapes = (c | 32) === 101; // E'…'
      pos = scanQuoted(text, pos + prefixLength, quote, backslashEscapes);
      push(quote === Ch.DoubleQuote ? 'quoted-identifier' : 'string', start, Math.abs(pos), pos < 0);
      pos = Math.abs(pos);
    } else if (c === Ch.Dollar) {
      const tagEnd = dollarTagEnd(text, pos);
      if (tagEnd > 0) {
        const tag = text.slice(pos, tagEnd);
        const close = text.indexOf(tag, tagEnd);
        pos = close < 0 ? length : close + tag.length;
        push('dollar-string', start, pos, close < 0);
      } else if (isDigit(next)) {
        pos += 2;
        while (pos < length && isDigit(text.charCodeAt(pos))) pos++;
        push('parameter', start, pos);
      } else {
        pos++;
        push('operator', start, pos);
      }
    } else if (isIdentStart(c)) {
      pos++;
      while (pos < length && isIdentPart(text.charCodeAt(pos))) pos++;
      push('word', start, pos);
    } else if (isDigit(c) || (c === Ch.Dot && isDigit(next))) {
      pos = scanNumber(text, pos);
      push('number', start, pos);
    } else if (c === Ch.Backslash) {
      pos = lineEnd(text, pos);
      push('psql-meta', start, pos);
      if (PSQL_COPY_FROM_STDIN.test(text.slice(start, pos))) {
        const data = copyDataEnd(text, pos);
        if (data) {
          push('copy-data', data.start, data.end, data.unterminated);
          pos = data.end;
        }
      }
    } else if (c === Ch.Colon && next === Ch.Colon) {
      pos += 2;
      push('punctuation', start, pos);
    } else if (c === Ch.Colon && bracketDepth === 0 && (isIdentStart(next) || next === Ch.Quote || next === Ch.DoubleQuote)) {
      if (isIdentStart(next)) {
        pos += 2;
        while (pos < length && isIdentPart(text.charCodeAt(pos))) pos++;
      } else {
        pos = Math.abs(scanQuoted(text, pos + 1, next, false));
      }
      push('psql-variable', start, pos);
    } else if (PUNCTUATION_CHARS.has(c)) {
      pos++;
      if (c === 91 /* [ */) bracketDepth++;
      else if (c === 93 /* ] */ && bracketDepth > 0) bracketDepth--;
      else if (c === 59 /* ; */) bracketDepth = 0;
      push('punctuation', start, pos);
      if (c === 59 /* ; */ && !stopped && endsCopyFromStdin(text, tokens)) {
        const data = copyDataEnd(text, pos);
        if (data) {
          push('copy-data', data.start, data.end, data.unterminated);
          pos = data.end;
        }
      }
    } else if (OPERATOR_CHARS.has(c)) {
      pos++;
      while (pos < length) {
        const o = text.charCodeAt(pos);
        if (!OPERATOR_CHARS.has(o)) break;
        const p = pos + 1 < length ? text.charCodeAt(pos + 1) : -1;
        if ((o === Ch.Minus && p === Ch.Minus) || (o === Ch.Slash && p === Ch.Star)) break;
        pos++;
      }
      push('operator', start, pos);
    } else {
      // Any other character (control characters, stray bytes): a one-character operator token
      // keeps the lexer total; the grammar reports it.
      pos++;
      push('operator', start, pos);
    }
  }
  return tokens;
}

function lineEnd(text: string, pos: number): number {
  const newline = text.indexOf('\n', pos);
  return newline < 0 ? text.length : newline;
}

/** Returns the end of a nested block comment, or -1 when it is not closed. */
function blockCommentEnd(text: string, pos: number): number {
  let depth = 0;
  let i = pos;
  const length = text.length;
  while (i < length) {
    const open = text.indexOf('/*', i);
    const close = text.indexOf('*/', i);
    if (close < 0) return -1;
    if (open >= 0 && open < close) {
      depth++;
      i = open + 2;
    } else {
      depth--;
      i = close + 2;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Scans a quoted run starting at `pos` (the opening quote). A doubled quote is an escaped quote;
 * with `backslashEscapes`, a backslash escapes the next character. Returns the end offset, or, when
 * the text ends before the closing quote, the negated end of the opening line: one unclosed quote
 * (usually one being typed) must not swallow every statement after it.
 */
function scanQuoted(text: string, pos: number, quote: number, backslashEscapes: boolean): number {
  const length = text.length;
  let i = pos + 1;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (backslashEscapes && c === Ch.Backslash) {
      i += 2;
    } else if (c === quote) {
      if (i + 1 < length && text.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return -recoveryEnd(text, pos);
}

/** Where an unclosed quote is taken to end: its line's end, leaving a final `;` to end the statement. */
function recoveryEnd(text: string, pos: number): number {
  let end = lineEnd(text, pos);
  while (end > pos + 1 && isWhitespace(text.charCodeAt(end - 1))) end--;
  return end > pos + 1 && text.charCodeAt(end - 1) === 59 ? end - 1 : end;
}

/** E'…', B'…', X'…', N'…', U&'…' and U&"…" — only when the prefix is not part of a longer word. */
function isStringPrefix(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos) | 32;
  const next = text.charCodeAt(pos + 1);
  if (c === 117 /* u */ && next === Ch.Ampersand) {
    const quote = text.charCodeAt(pos + 2);
    return quote === Ch.Quote || quote === Ch.DoubleQuote;
  }
  return next === Ch.Quote && (c === 101 || c === 98 || c === 120 || c === 110);
}

/** Returns the end of a `$tag$` opening delimiter at `pos`, or -1. */
function dollarTagEnd(text: string, pos: number): number {
  if (pos > 0 && isIdentPart(text.charCodeAt(pos - 1))) return -1; // `a$b` is one identifier
  let i = pos + 1;
  const first = text.charCodeAt(i);
  if (first === Ch.Dollar) return i + 1;
  if (!isIdentStart(first)) return -1;
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === Ch.Dollar) return i + 1;
    if (!isIdentStart(c) && !isDigit(c)) return -1;
    i++;
  }
  return -1;
}

function scanNumber(text: string, pos: number): number {
  const length = text.length;
  let i = pos;
  // 0x…, 0o…, 0b… and digits with underscores (PostgreSQL 16+)
  while (i < length) {
    const c = text.charCodeAt(i);
    if (isDigit(c) || c === Ch.Underscore || isIdentStart(c)) {
      if ((c | 32) === 101 && i + 1 < length) {
        const sign = text.charCodeAt(i + 1);
        if (sign === Ch.Plus || sign === Ch.Minus) i++;
      }
      i++;
    } else if (c === Ch.Dot && !(i + 1 < length && text.charCodeAt(i + 1) === Ch.Dot)) {
      i++;
    } else {
      break;
    }
  }
  return i;
}

const COPY_FROM_STDIN = /^copy\b[\s\S]*\bfrom\s+stdin\b/i;
const PSQL_COPY_FROM_STDIN = /^\\copy\b.*\bfrom\s+stdin\b/i;

/** True when the statement ending at the `;` just pushed is `COPY … FROM stdin`. */
function endsCopyFromStdin(text: string, tokens: Token[]): boolean {
  let i = tokens.length - 2;
  while (i >= 0 && !(tokens[i]!.type === 'punctuation' && text.charCodeAt(tokens[i]!.start) === 59)) {
    if (tokens[i]!.type === 'psql-meta' || tokens[i]!.type === 'copy-data') break;
    i--;
  }
  let firstIndex = i + 1;
  while (tokens[firstIndex]?.type === 'line-comment' || tokens[firstIndex]?.type === 'block-comment') firstIndex++;
  const first = tokens[firstIndex];
  const semicolon = tokens[tokens.length - 1]!;
  if (!first || first.type !== 'word' || (text.charCodeAt(first.start) | 32) !== 99) return false;
  return COPY_FROM_STDIN.test(text.slice(first.start, semicolon.start));
}

/** COPY data runs from the line after the statement up to a line holding only `\.`. */
function copyDataEnd(text: string, pos: number): { start: number; end: number; unterminated: boolean } | undefined {
  const newline = text.indexOf('\n', pos);
  if (newline < 0) return undefined;
  const start = newline + 1;
  let lineStart = start;
  while (lineStart < text.length) {
    const end = lineEnd(text, lineStart);
    const line = text.slice(lineStart, end).replace(/\r$/, '');
    if (line === '\\.') return { start, end, unterminated: false };
    lineStart = end + 1;
  }
  return { start, end: text.length, unterminated: true };
}
