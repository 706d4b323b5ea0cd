/**
 * A PostgreSQL-aware lexer. It does not validate SQL (the real grammar does that); it finds the
 * boundaries that matter for splitting and for reading a statement when the grammar rejects it:
 * strings (standard, E'', U&'', B'', X''), dollar quoting, nested block comments, line comments,
 * quoted identifiers, psql meta-commands and `COPY … FROM stdin` data.
 *
 * Every token boundary must be PostgreSQL's own (scan.l), and psql's (psqlscan.l) for what psql
 * reads itself: a disagreement lets text hide from the analysis and from the engine.
 * test/sql/scanner-agrees.test.ts holds it against libpg_query's scanner.
 *
 * Standard strings are read as with `standard_conforming_strings = on`: a backslash in '…' is a
 * plain character. That is PostgreSQL's default since 9.1, what pg_dump writes, and what the
 * engine sets in its own sessions, where each statement then goes alone through the extended
 * protocol (which refuses a second statement in one message). With the setting off, the server
 * and psql read `'a\'' ; DELETE …` as a string then a DELETE where this lexer reads one string;
 * following the setting would need to know the server's value at each point of a script.
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
  VerticalTab = 11,
  FormFeed = 12,
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
  Semicolon = 59,
  Equals = 61,
  Backslash = 92,
  Backtick = 96,
  Underscore = 95,
}

/** PostgreSQL's whitespace: space, \t, \n, \r, \f and \v (scan.l `space`), and nothing else. */
function isWhitespace(c: number): boolean {
  return c === Ch.Space || isNewline(c) || c === Ch.Tab || c === Ch.VerticalTab || c === Ch.FormFeed;
}

/** PostgreSQL ends a line, and so a `--` comment, at \r as at \n (for Mac and Windows clients). */
function isNewline(c: number): boolean {
  return c === Ch.LineFeed || c === Ch.CarriageReturn;
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
 * text or of a statement). Whitespace is skipped; every other character belongs to a token, except
 * the backslash of `\;`, which psql drops (the `;` token must be a `;`). With `visit`, each token is handed over as it
 * is found, and lexing stops when `visit` returns false.
 */
export function tokenize(text: string, from = 0, visit?: (token: Token) => boolean): Token[] {
  const tokens: Token[] = [];
  const length = text.length;
  let pos = from;
  let bracketDepth = 0; // inside [ ], `a[1:n]` is an array slice, not a psql variable
  let stopped = false;
  // After `COPY … FROM stdin;`, psql reads the rest of its line as SQL, then the data from the next line.
  let copyDataAfter = -1;

  const push = (type: TokenType, start: number, end: number, unterminated = false): void => {
    const token: Token = unterminated ? { type, start, end, unterminated } : { type, start, end };
    tokens.push(token);
    if (visit && !visit(token)) stopped = true;
  };

  while (pos < length && !stopped) {
    const c = text.charCodeAt(pos);
    if (c === Ch.LineFeed && copyDataAfter >= 0 && pos >= copyDataAfter) {
      copyDataAfter = -1;
      const data = copyDataEnd(text, pos);
      if (data) {
        push('copy-data', data.start, data.end, data.unterminated);
        pos = data.end;
        continue;
      }
    }
    if (isWhitespace(c)) {
      pos++;
      continue;
    }
    const start = pos;
    const next = pos + 1 < length ? text.charCodeAt(pos + 1) : -1;

    if (c === Ch.Minus && next === Ch.Minus) {
      pos = commentEnd(text, pos);
      push('line-comment', start, pos);
    } else if (c === Ch.Slash && next === Ch.Star) {
      const end = blockCommentEnd(text, pos);
      pos = end < 0 ? length : end;
      push('block-comment', start, pos, end < 0);
    } else if (c === Ch.Quote) {
      pos = scanString(text, pos, Quoting.Standard);
      push('string', start, Math.abs(pos), pos < 0);
      pos = Math.abs(pos);
    } else if (c === Ch.DoubleQuote) {
      pos = scanQuoted(text, pos, Ch.DoubleQuote);
      push('quoted-identifier', start, Math.abs(pos), pos < 0);
      pos = Math.abs(pos);
    } else if (isStringPrefix(text, pos)) {
      const prefixLength = text.charCodeAt(pos + 1) === Ch.Ampersand ? 2 : 1;
      const quote = text.charCodeAt(pos + prefixLength);
      const lower = c | 32;
      pos =
        quote === Ch.DoubleQuote
          ? scanQuoted(text, pos + prefixLength, quote)
          : scanString(text, pos + prefixLength, lower === 101 ? Quoting.Escapes : lower === 117 ? Quoting.Standard : Quoting.Bits);
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
        // Letters right after a parameter are PostgreSQL's "trailing junk" error and psql's one
        // token: in `$1E'\'`, the quote opens a standard string, not an E string.
        if (isIdentStart(text.charCodeAt(pos))) while (pos < length && isIdentPart(text.charCodeAt(pos))) pos++;
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
    } else if (c === Ch.Backslash && (next === Ch.Semicolon || next === Ch.Colon)) {
      // psql sends `\;` and `\:` as a bare `;` or `:`: the server splits at that `;` (psql leaves
      // it to the server), and the `:` starts no psql variable. The `:` token keeps its backslash,
      // so that lexing from it again does not read a variable.
      pos += 2;
      push('punctuation', next === Ch.Semicolon ? start + 1 : start, pos);
      if (next === Ch.Semicolon) {
        bracketDepth = 0;
        if (endsCopyFromStdin(text, tokens)) copyDataAfter = pos;
      }
    } else if (c === Ch.Backslash) {
      const end = metaCommandEnd(text, pos);
      pos = Math.abs(end);
      push('psql-meta', start, pos);
      if (end < 0 && PSQL_COPY_FROM_STDIN.test(text.slice(start, pos))) {
        const data = copyDataEnd(text, pos);
        if (data) {
          push('copy-data', data.start, data.end, data.unterminated);
          pos = data.end;
        }
      }
    } else if (c === Ch.Colon && (next === Ch.Colon || next === Ch.Equals)) {
      pos += 2;
      push('punctuation', start, pos);
    } else if (c === Ch.Colon && bracketDepth === 0 && (isIdentStart(next) || next === Ch.Quote || next === Ch.DoubleQuote)) {
      if (isIdentStart(next)) {
        // A psql variable name has no `$` (psqlscan.l `variable_char`): in `:a$$ $$`, `$$` opens a string.
        pos += 2;
        while (pos < length && (isIdentStart(text.charCodeAt(pos)) || isDigit(text.charCodeAt(pos)))) pos++;
      } else {
        pos = Math.abs(scanQuoted(text, pos + 1, next));
      }
      push('psql-variable', start, pos);
    } else if (c === Ch.Dot && next === Ch.Dot) {
      pos += 2;
      push('punctuation', start, pos);
    } else if (PUNCTUATION_CHARS.has(c)) {
      pos++;
      if (c === 91 /* [ */) bracketDepth++;
      else if (c === 93 /* ] */ && bracketDepth > 0) bracketDepth--;
      else if (c === Ch.Semicolon) bracketDepth = 0;
      push('punctuation', start, pos);
      if (c === Ch.Semicolon && endsCopyFromStdin(text, tokens)) copyDataAfter = pos;
    } else if (OPERATOR_CHARS.has(c)) {
      pos = operatorEnd(text, pos);
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

/** A `--` comment runs up to a \n or a \r, which is not part of it. */
function commentEnd(text: string, pos: number): number {
  const length = text.length;
  let i = pos + 2;
  while (i < length && !isNewline(text.charCodeAt(i))) i++;
  return i;
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

const enum Quoting {
  /** '…': a doubled quote is a quote, a backslash is a plain character. */
  Standard,
  /** E'…': a backslash also escapes the next character. */
  Escapes,
  /** B'…' and X'…': the first quote ends it; a doubled quote is this string and the next. */
  Bits,
}

/**
 * Scans a string whose opening quote is at `pos`, including its SQL-standard continuations
 * (`'a'` then white space holding a newline then `'b'` is one string), which keep the quoting
 * of the first part: `E'a'\n'\''` is one string. Returns its end, or, unclosed, the negated
 * recovery end (see `scanQuoted`).
 */
function scanString(text: string, pos: number, quoting: Quoting): number {
  const length = text.length;
  let segment = pos;
  let i = pos + 1;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (quoting === Quoting.Escapes && c === Ch.Backslash) {
      i += 2;
    } else if (c === Ch.Quote) {
      if (quoting !== Quoting.Bits && i + 1 < length && text.charCodeAt(i + 1) === Ch.Quote) {
        i += 2;
        continue;
      }
      const continued = continuationQuote(text, i + 1);
      if (continued < 0) return i + 1;
      segment = continued;
      i = continued + 1;
    } else {
      i++;
    }
  }
  return -recoveryEnd(text, segment);
}

/**
 * Where a string continues after its closing quote: the next quote, when only white space and `--`
 * comments with at least one newline come before it (scan.l `quotecontinue`); otherwise -1.
 */
function continuationQuote(text: string, pos: number): number {
  const length = text.length;
  let i = pos;
  let newline = false;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (isNewline(c)) {
      newline = true;
      i++;
    } else if (isWhitespace(c)) {
      i++;
    } else if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) {
      i = commentEnd(text, i);
      // After the first newline, only a comment that a newline ends may come before the quote.
      if (newline && i >= length) return -1;
    } else {
      return c === Ch.Quote && newline ? i : -1;
    }
  }
  return -1;
}

/**
 * Scans a quoted identifier (or a psql `:'…'`/`:"…"` variable name) starting at `pos`, the
 * opening quote; a doubled quote is an escaped quote. Returns the end offset, or, when the text
 * ends before the closing quote, the negated end of the opening line: one unclosed quote (usually
 * one being typed) must not swallow every statement after it.
 */
function scanQuoted(text: string, pos: number, quote: number): number {
  const length = text.length;
  let i = pos + 1;
  while (i < length) {
    if (text.charCodeAt(i) === quote) {
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
  return end > pos + 1 && text.charCodeAt(end - 1) === Ch.Semicolon ? end - 1 : end;
}

/**
 * E'…', B'…', X'…', U&'…' and U&"…" — only at a token start, so never within a longer word. N'…' is
 * not one: PostgreSQL reads it as the keyword NCHAR and a standard string.
 */
function isStringPrefix(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos) | 32;
  const next = text.charCodeAt(pos + 1);
  if (c === 117 /* u */ && next === Ch.Ampersand) {
    const quote = text.charCodeAt(pos + 2);
    return quote === Ch.Quote || quote === Ch.DoubleQuote;
  }
  return next === Ch.Quote && (c === 101 || c === 98 || c === 120);
}

/**
 * Returns the end of a `$tag$` opening delimiter at `pos`, or -1. The tag is an identifier without
 * `$` and not starting with a digit (`$1$` is the parameter `$1`, then `$`). A `$` that ends an
 * identifier (`a$b$`) never gets here: the identifier took it.
 */
function dollarTagEnd(text: string, pos: number): number {
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

/**
 * A number as scan.l (PostgreSQL 16+) reads it: `0x1F`, `0o17`, `0b101`, `1_000`, `1.5`, `1.`, `.5`,
 * `1.5e-3`, `1.e5`; `1..2` is `1`, `..`, `2`. Letters right after a number (`12abc`, `0x1G`, `1e`)
 * are PostgreSQL's "trailing junk" error and psql's one token, so the token takes them, `$` included.
 */
function scanNumber(text: string, pos: number): number {
  let i = pos;
  const radix = text.charCodeAt(pos) === Ch.Zero ? RADIX_DIGIT[text.charCodeAt(pos + 1) | 32] : undefined;
  const prefixed = radix ? digitsEnd(text, pos + 2, radix) : -1;
  if (prefixed > pos + 2) {
    i = prefixed;
  } else {
    if (text.charCodeAt(i) !== Ch.Dot) i = digitsEnd(text, i, isDigit);
    if (text.charCodeAt(i) === Ch.Dot && text.charCodeAt(i + 1) !== Ch.Dot) {
      i++;
      if (isDigit(text.charCodeAt(i))) i = digitsEnd(text, i, isDigit);
    }
    if ((text.charCodeAt(i) | 32) === 101 /* e */) {
      const sign = text.charCodeAt(i + 1);
      const digits = sign === Ch.Plus || sign === Ch.Minus ? i + 2 : i + 1;
      if (isDigit(text.charCodeAt(digits))) i = digitsEnd(text, digits, isDigit);
    }
  }
  if (isIdentStart(text.charCodeAt(i))) {
    while (i < text.length && isIdentPart(text.charCodeAt(i))) i++;
  }
  return i;
}

const RADIX_DIGIT: Record<number, (c: number) => boolean> = {
  120: (c) => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102), // x
  111: (c) => c >= Ch.Zero && c <= 55, // o
  98: (c) => c === Ch.Zero || c === 49, // b
};

/** The end of digits with single underscores between them (`1_000`; `_1` after `0x`). */
function digitsEnd(text: string, pos: number, isDigitOf: (c: number) => boolean): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (isDigitOf(c)) i++;
    else if (c === Ch.Underscore && isDigitOf(text.charCodeAt(i + 1))) i += 2;
    else return i;
  }
}

/**
 * An operator ends before a `--` or `/*` inside it, and (as in scan.l) loses trailing `+` and `-`
 * unless it holds one of ~ ! @ # ^ & | ` ? %, so that `=-1` is `=`, `-`, `1`.
 */
function operatorEnd(text: string, pos: number): number {
  const length = text.length;
  let end = pos + 1;
  while (end < length) {
    const o = text.charCodeAt(end);
    if (!OPERATOR_CHARS.has(o)) break;
    const p = end + 1 < length ? text.charCodeAt(end + 1) : -1;
    if ((o === Ch.Minus && p === Ch.Minus) || (o === Ch.Slash && p === Ch.Star)) break;
    end++;
  }
  const last = text.charCodeAt(end - 1);
  if (end - pos > 1 && (last === Ch.Plus || last === Ch.Minus)) {
    for (let i = pos; i < end; i++) if (NON_SQL_OPERATOR_CHARS.has(text.charCodeAt(i))) return end;
    while (end - pos > 1 && (text.charCodeAt(end - 1) === Ch.Plus || text.charCodeAt(end - 1) === Ch.Minus)) end--;
  }
  return end;
}

const NON_SQL_OPERATOR_CHARS = new Set('~!@#^&|`?%'.split('').map((s) => s.charCodeAt(0)));

/**
 * Where a psql meta-command ends, as psql reads it: its arguments stop at the end of the line, at an
 * unquoted `\\` (which it eats; SQL goes on after it) or before any other unquoted backslash (the
 * next meta-command, or `\;`). A few commands (`\!`, `\copy`, `\h`, `\ef`, `\sf`, …, and `\g |cmd`,
 * `\o |cmd`, `\w |cmd`) take the whole line, and so does a backslash without a command name; that
 * end is returned negated.
 */
function metaCommandEnd(text: string, pos: number): number {
  const length = text.length;
  let i = pos + 1;
  while (i < length && !isWhitespace(text.charCodeAt(i)) && text.charCodeAt(i) !== Ch.Backslash) i++;
  const name = text.slice(pos + 1, i);
  // `\` alone (or `\\` where SQL is expected) is an invalid command, after which psql drops the line.
  if (name === '' || WHOLE_LINE_COMMANDS.test(name) || name.toLowerCase() === 'copy') return -lineEnd(text, pos);
  let quote = 0;
  let first = true;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === Ch.LineFeed) return i;
    if (quote !== 0) {
      if (c === quote) quote = 0;
      else if (quote === Ch.Quote && c === Ch.Backslash) i++;
    } else if (c === Ch.Backslash) {
      return text.charCodeAt(i + 1) === Ch.Backslash ? i + 2 : i;
    } else if (c === Ch.Quote || c === Ch.DoubleQuote || c === Ch.Backtick) {
      quote = c;
    } else if (first && c === 124 /* | */ && PIPE_COMMANDS.test(name)) {
      return -lineEnd(text, pos);
    }
    if (!isWhitespace(c)) first = false;
  }
  return length;
}

const WHOLE_LINE_COMMANDS = /^(?:!|h|help|[es][fv]\+?)$/; // psql matches these names exactly, `copy` in any case
const PIPE_COMMANDS = /^(?:g|gx|o|out|w|write)$/;

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
  return first !== undefined && isCopyFromStdin(text, first, tokens[tokens.length - 1]!);
}

/** Whether the statement from token `first` to its `;` is `COPY … FROM stdin`, whose data psql sends after it. */
export function isCopyFromStdin(text: string, first: Token, semicolon: Token): boolean {
  if (first.type !== 'word' || (text.charCodeAt(first.start) | 32) !== 99) return false;
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
