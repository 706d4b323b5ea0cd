import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { scanSync } from 'libpg-query';
import { loadGrammar } from '../../server/src/sql/grammar';
import { tokenize, type Token } from '../../server/src/sql/lexer';
import { splitStatements } from '../../server/src/sql/splitter';
import { seededRandom } from '../helpers/random';

/**
 * safesql's lexer and splitter against PostgreSQL's own scanner (scan.l, through libpg_query's
 * `scanSync`): the same tokens with the same kinds and spans, and a statement boundary at every
 * `;` PostgreSQL sees, and nowhere else. Where they disagree, text hides from the analysis or from
 * the engine.
 */

const CASES = Number(process.env.SCANNER_CASES ?? 6000);
const SEED = Number(process.env.SCANNER_SEED ?? 2609);
const CORPUS = join(__dirname, '../corpus');

type Kind = 'line-comment' | 'block-comment' | 'string' | 'quoted-identifier' | 'word' | 'number' | 'parameter' | 'other';

interface Lexeme {
  kind: Kind;
  start: number;
  end: number;
}

/** PostgreSQL's tokens in UTF-16 offsets, or the scanner's error. */
function postgresTokens(text: string): Lexeme[] | { error: string } {
  let tokens: { start: number; end: number; tokenName: string }[];
  try {
    tokens = scan(text);
  } catch (error) {
    // libpg-query hands a scanner error over as text that is not JSON; its message quotes the start.
    return { error: (error as Error).message };
  }
  const utf16At = utf16Offsets(text);
  const lexemes = tokens.map((t) => {
    const start = utf16At[t.start]!;
    const end = utf16At[t.end]!;
    return { kind: postgresKind(text.slice(start, end), t.tokenName), start, end };
  });
  return withCommentedContinuations(text, lexemes);
}

/** scan.l `quotecontinue`: white space and `--` comments with a newline, between two parts of one string. */
const CONTINUATION = /^(?:[ \t\f\v]|--[^\n\r]*)*[\n\r](?:[ \t\n\r\f\v]|--[^\n\r]*[\n\r])*$/;

/**
 * libpg_query's scanner returns comments as tokens, and so ends a string at a `--` comment that
 * PostgreSQL itself reads as part of a continuation (`'a' -- c` newline `'b'` is the one string
 * 'ab' on a real server). Here such parts become one string again. A later part keeps the rules of
 * the first (backslash escapes after E'…', no doubled quote after B'…' and X'…'), which libpg_query
 * did not apply to it, so where they matter the text cannot be compared.
 */
function withCommentedContinuations(text: string, lexemes: Lexeme[]): Lexeme[] | { error: string } {
  const merged: Lexeme[] = [];
  for (let i = 0; i < lexemes.length; i++) {
    const first = lexemes[i]!;
    let j = i;
    while (first.kind === 'string' && text[first.start] !== '$' && lexemes[j + 1]?.kind === 'line-comment') {
      let k = j + 1;
      while (lexemes[k]?.kind === 'line-comment') k++;
      const next = lexemes[k];
      if (next?.kind !== 'string' || text[next.start] !== "'" || !CONTINUATION.test(text.slice(lexemes[j]!.end, next.start))) break;
      const prefix = text[first.start]!.toLowerCase();
      const part = text.slice(next.start, next.end);
      if ((prefix === 'e' && part.includes('\\')) || ((prefix === 'b' || prefix === 'x') && part.includes("''"))) {
        return { error: 'libpg_query reads a later part of this string with other rules than the first' };
      }
      j = k;
    }
    merged.push(j === i ? first : { kind: 'string', start: first.start, end: lexemes[j]!.end });
    i = j;
  }
  return merged;
}

/**
 * libpg-query writes a token's text into its JSON without escaping \f and \v, which JSON.parse
 * rejects. Inside a token (a string, a comment) and outside one alike, PostgreSQL's scanner reads
 * them as it reads a space, so when only that fails, the text is scanned with spaces instead; the
 * offsets stay the same.
 */
function scan(text: string): { start: number; end: number; tokenName: string }[] {
  try {
    return scanSync(text).tokens;
  } catch (error) {
    if (!/Bad control character/.test((error as Error).message)) throw error;
    return scanSync(text.replace(/[\f\v]/g, ' ')).tokens;
  }
}

/** For each UTF-8 byte offset of `text`, its UTF-16 offset (scanSync counts bytes). */
function utf16Offsets(text: string): number[] {
  const offsets: number[] = [];
  for (let i = 0; i < text.length;) {
    const codePoint = text.codePointAt(i)!;
    const bytes = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) offsets.push(i);
    i += codePoint > 0xffff ? 2 : 1;
  }
  offsets.push(text.length);
  return offsets;
}

/** scanSync names few tokens (keywords come as UNKNOWN), so the kind is read from the token's text. */
function postgresKind(text: string, tokenName: string): Kind {
  if (tokenName === 'PARAM') return 'parameter';
  if (tokenName === 'ICONST' || tokenName === 'FCONST') return 'number';
  if (text.startsWith('--')) return 'line-comment';
  if (text.startsWith('/*')) return 'block-comment';
  if (/^(?:[ebx]|u&)?'/i.test(text) || /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.test(text)) return 'string';
  if (/^(?:u&)?"/i.test(text)) return 'quoted-identifier';
  if (/^[A-Za-z_\u0080-\uffff]/.test(text)) return 'word';
  return 'other';
}

function safesqlKind(token: Token): Kind {
  switch (token.type) {
    case 'dollar-string':
      return 'string';
    case 'operator':
    case 'punctuation':
      return 'other';
    case 'psql-meta':
    case 'psql-variable':
    case 'copy-data':
      throw new Error(`psql-only token ${token.type}`);
    default:
      return token.type;
  }
}

function show(text: string, lexemes: readonly Lexeme[]): string {
  return lexemes.map((l) => `${l.kind}${JSON.stringify(text.slice(l.start, l.end))}@${l.start}`).join(' ');
}

/** Where safesql's splitter ends statements with a `;`: the offset of each such `;`. */
function splitterSemicolons(text: string): number[] {
  return splitStatements(text)
    .statements.filter((s) => text.charCodeAt(s.end - 1) === 59)
    .map((s) => s.end - 1);
}

/**
 * Checks one text; returns false when PostgreSQL's scanner rejects it, which is only allowed
 * where safesql also finds a construct left open, or for errors safesql leaves to the grammar.
 */
function agrees(text: string, tokens: Token[] = tokenize(text)): boolean {
  // PostgreSQL rejects `$1a` as "trailing junk after parameter" (scan.l `param_junk`) and psql reads
  // it as one token, so `$1E'\'` holds a standard string; libpg_query's scanner returns `$1`, `E'\'`.
  if (tokens.some((t) => t.type === 'parameter' && !/^\$\d+$/.test(text.slice(t.start, t.end)))) return false;
  const expected = postgresTokens(text);
  const open = tokens.some((t) => t.unterminated);
  if (!Array.isArray(expected)) {
    // A string continued across a comment can leave libpg_query (not PostgreSQL) with an open quote.
    const commented = tokens.some((t) => t.type === 'string' && /'[ \t\n\r\f\v]*--/.test(text.slice(t.start, t.end)));
    if (/unterminat/.test(expected.error) && !commented) {
      assert.ok(open, `PostgreSQL finds an unterminated token, safesql none: ${JSON.stringify(text)}`);
    }
    return false;
  }
  assert.ok(!open, `safesql finds an unterminated token, PostgreSQL none: ${JSON.stringify(text)}`);
  const actual = tokens.map((t) => ({ kind: safesqlKind(t), start: t.start, end: t.end }));
  assert.equal(show(text, actual), show(text, expected), JSON.stringify(text));
  return true;
}

/**
 * The hostile alphabet. Left out, because psql reads them itself and the server scanner differs
 * by design: a backslash outside a string (meta-commands, `\;`), a lone `:` (`:name` variables),
 * COPY (its inline data), and CREATE RULE and CREATE FUNCTION (the splitter keeps the `;` of their
 * bodies; `begin atomic` elsewhere is two names, which the alphabet has).
 * Fragments that open something are rarer than the rest, so that most inputs are complete; the
 * backslash fragments start with a space, so that an `E` or `U&` before them stays a prefix.
 */
const OPENERS = ['--', '/*', '*/', '$$', '$a$', '$1$$', "'", '"', "E'", "B'", "X'", "N'", "U&'", 'U&"'];
const FRAGMENTS = [
  '\r',
  '\r\n',
  '\n',
  '\f',
  '\v',
  '\t',
  '-- note',
  '-- ;\r',
  '/* c */',
  '/* a /* b */ c ; */',
  '/*/ x */',
  '$$ x $$',
  '$a$ ; $b$ $a$',
  '$A$ $a$ $A$',
  '$_$ $é$ $_$',
  '$a1$$a1$',
  'x$a$',
  'a$b$',
  '$1',
  '$',
  " E'\\''",
  " E'\\\\'",
  " e'\\n;'",
  " U&'d\\0061t' UESCAPE '!'",
  "'it''s'",
  "'a;b'",
  "'\\'",
  "''",
  "''''",
  "'a'\n'b'",
  '"a"\n"b"',
  "u&'x'",
  "B'10'",
  "X'1f'",
  "N'n'",
  '"q""id"',
  '"a;b"',
  'U&"x"',
  ';',
  ';',
  ';',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '..',
  '::',
  ':=',
  '+',
  '-',
  '*',
  '/',
  '=',
  '<',
  '>',
  '!',
  '~',
  '%',
  '^',
  '|',
  '&',
  '@',
  '#',
  '?',
  '`',
  '=-',
  '?-',
  '<=',
  '=>',
  'select',
  'delete',
  'from',
  't',
  'where',
  'begin',
  'atomic',
  'begin atomic',
  'case',
  'end',
  'commit',
  'e',
  'b',
  'x',
  'u',
  'n',
  'a$b',
  '_x1',
  '\u00e9',
  '\u{1F600}',
  '\u00a0',
  '\u2028',
  '\u007f',
  '0',
  '1',
  '42',
  '1.5',
  '.5',
  '1.',
  '1.e5',
  '1e-3',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
];
const SEPARATORS = ['', '', ' ', ' ', '\n', '\r', '\r\n', '\t', '\f', '\v'];

function randomInput(random: (n: number) => number): string {
  let text = '';
  const count = 1 + random(14);
  for (let i = 0; i < count; i++) {
    const fragment = random(25) === 0 ? OPENERS[random(OPENERS.length)]! : FRAGMENTS[random(FRAGMENTS.length)]!;
    text += fragment + SEPARATORS[random(SEPARATORS.length)]!;
  }
  return text;
}

const PSQL_ONLY = new Set<Token['type']>(['psql-meta', 'psql-variable', 'copy-data']);

describe("the lexer and splitter agree with PostgreSQL's scanner", () => {
  before(() => loadGrammar());

  it(`on ${CASES} seeded random inputs from a hostile alphabet (seed ${SEED})`, { timeout: 60_000 }, (t) => {
    const random = seededRandom(SEED);
    let compared = 0;
    let psqlOnly = 0;
    for (let i = 0; i < CASES; i++) {
      const text = randomInput(random);
      const tokens = tokenize(text);
      if (tokens.some((t) => PSQL_ONLY.has(t.type))) {
        psqlOnly++; // fragments can still meet as `:x` or put `\` outside a string; psql reads those itself
        continue;
      }
      if (!agrees(text, tokens)) continue;
      compared++;
      const semicolons = tokens.filter((t) => t.type === 'punctuation' && text.charCodeAt(t.start) === 59).map((t) => t.start);
      assert.deepEqual(splitterSemicolons(text), semicolons, `statement boundaries of ${JSON.stringify(text)}`);
    }
    t.diagnostic(
      `${compared} compared token by token, ${psqlOnly} psql-only, ${CASES - compared - psqlOnly} rejected by PostgreSQL's scanner`,
    );
    // Most inputs must be complete for the comparison to mean something.
    assert.ok(compared > CASES * 0.5, `only ${compared} of ${CASES} inputs were compared (${psqlOnly} psql-only)`);
    assert.ok(psqlOnly < CASES * 0.1, `${psqlOnly} of ${CASES} inputs held psql-only syntax`);
  });

  it('on the real-world corpus, with psql syntax turned into what psql sends', () => {
    let compared = 0;
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.sql'))) {
      const text = readFileSync(join(CORPUS, file), 'utf8');
      const { server, tokens } = asServerSees(text);
      assert.ok(agrees(server, tokens), `PostgreSQL's scanner rejects ${file}`);
      compared++;
    }
    assert.ok(compared >= 10, `only ${compared} corpus files`);
  });

  it('ends a statement at every `;` PostgreSQL sees in the corpus, outside CREATE RULE and BEGIN ATOMIC', () => {
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.sql'))) {
      const text = readFileSync(join(CORPUS, file), 'utf8');
      const { server } = asServerSees(text);
      const expected = postgresTokens(server);
      assert.ok(Array.isArray(expected), file);
      const ends = new Set(splitStatements(text).statements.map((s) => s.end - 1));
      const bodies = splitStatements(text).statements.filter((s) =>
        /^create\s+(or\s+replace\s+)?rule\b|\bbegin\s+atomic\b/i.test(text.slice(s.start, s.end)),
      );
      const missed = expected
        .filter((t) => server.charCodeAt(t.start) === 59 && !ends.has(t.start))
        .filter((t) => !bodies.some((s) => s.start <= t.start && t.start < s.end));
      assert.deepEqual(
        missed.map((t) => `${file}:${t.start}`),
        [],
      );
    }
  });
});

/**
 * The text with psql meta-commands, COPY data and the backslash of `\;` blanked out and psql variables replaced by what
 * stands in for them (same length, so offsets stay put), with safesql's tokens of the same text.
 */
function asServerSees(text: string): { server: string; tokens: Token[] } {
  const chars = text.split('');
  const tokens: Token[] = [];
  for (const token of tokenize(text)) {
    if (token.type === 'psql-meta' || token.type === 'copy-data') {
      for (let i = token.start; i < token.end; i++) if (chars[i] !== '\n') chars[i] = ' ';
    } else if (token.type === 'psql-variable') {
      const quoted = chars[token.start + 1] === "'" || chars[token.start + 1] === '"';
      chars[token.start] = quoted ? ' ' : '_';
      tokens.push({
        type: quoted ? (chars[token.start + 1] === "'" ? 'string' : 'quoted-identifier') : 'word',
        start: quoted ? token.start + 1 : token.start,
        end: token.end,
      });
    } else {
      if (token.type === 'punctuation' && chars[token.start - 1] === '\\') chars[token.start - 1] = ' '; // psql's `\;`
      if (token.type === 'punctuation' && chars[token.start] === '\\') {
        chars[token.start] = ' '; // psql's `\:`
        tokens.push({ ...token, start: token.start + 1 });
        continue;
      }
      tokens.push(token);
    }
  }
  return { server: chars.join(''), tokens };
}
