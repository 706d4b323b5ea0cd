import { detachedText } from './detachedText';
import { FactsCache } from './factsCache';
import { factsFromGrammar } from './fromGrammar';
import { factsFromTokens } from './fromTokens';
import { parseWithGrammar } from './grammar';
import type { Token } from './lexer';
import { LineIndex } from './lineIndex';
import { withPsqlVariablesReplaced } from './psqlVariables';
import { splitFrom, splitStatements, type StatementSpan } from './splitter';
import { positioned, type SqlDocument, type Statement, type StatementFacts } from './statement';

/** About 2 MB of statement text: all of a large document, a few times over for a small one. */
const factsCache = new FactsCache(1_000_000);

/** Splits and reads a whole SQL document. The grammar must have been loaded (`loadGrammar`). */
export function analyzeDocument(text: string): SqlDocument {
  const { statements: spans, comments } = splitStatements(text);
  const statements = spans.map((span, index) => readSpan(text, span, index));
  return { text, lines: new LineIndex(text), statements, comments };
}

/**
 * The same analysis as `analyzeDocument`, in slices of about `sliceChars` characters with the
 * event loop served between them, so a huge document never blocks a server. Resolves undefined
 * as soon as `stillWanted` says the result is no longer needed (the text changed, the file closed).
 */
export async function analyzeDocumentInSlices(
  text: string,
  stillWanted: () => boolean,
  sliceChars = 256 * 1024,
): Promise<SqlDocument | undefined> {
  const statements: Statement[] = [];
  const comments: Token[] = [];
  for (let from = 0; ;) {
    const sliceEnd = from + sliceChars;
    const { result, stoppedAt } = splitFrom(text, from, (start) => start >= sliceEnd);
    for (const span of result.statements) statements.push(readSpan(text, span, statements.length));
    comments.push(...result.comments);
    if (stoppedAt === undefined) break;
    from = stoppedAt;
    await new Promise((resolve) => setImmediate(resolve));
    if (!stillWanted()) return undefined;
  }
  return { text, lines: new LineIndex(text), statements, comments };
}

/** The statement a freshly split span holds. */
export function readSpan(documentText: string, span: StatementSpan, index: number): Statement {
  const statementText = detachedText(documentText.slice(span.start, span.end));
  return statementAt(statementText, span.start, index, span.openEnded, () =>
    span.tokens.map((t) => ({ ...t, start: t.start - span.start, end: t.end - span.start })),
  );
}

/** A statement with the given text placed at `start` in its document. */
function statementAt(statementText: string, start: number, index: number, openEnded: boolean, tokens?: () => Token[]): Statement {
  return positioned(factsOf(statementText, tokens), start, index, { start, end: start + statementText.length }, statementText, openEnded);
}

/** A statement's facts, spans relative to its text; `tokens` gives its tokens if it must be read. */
export function factsOf(statementText: string, tokens?: () => Token[]): StatementFacts {
  let facts = factsCache.get(statementText);
  if (!facts) {
    facts = readStatement(statementText, tokens);
    factsCache.set(statementText, facts);
  }
  return facts;
}

/**
 * Past this size a statement (a multi-megabyte INSERT, a pasted dump) is read from its tokens
 * only: parsing it would hold up everything else for seconds.
 */
export const MAX_PARSED_STATEMENT_CHARS = 1_000_000;

function readStatement(text: string, tokens?: () => Token[]): StatementFacts {
  if (text.length > MAX_PARSED_STATEMENT_CHARS) {
    return factsFromTokens(text, { notParsed: `it is ${text.length.toLocaleString('en')} characters long` });
  }
  const parsed = parseWithGrammar(withPsqlVariablesReplaced(text, tokens));
  if (parsed.ok) return factsFromGrammar(text, parsed.statements, tokens);
  const at = parsed.position === undefined ? 0 : codePointToUtf16(text, parsed.position);
  const end = Math.min(text.length, Math.max(at + 1, tokenEndAt(text, at)));
  return factsFromTokens(text, { syntaxError: { message: parsed.message, span: { start: Math.min(at, text.length), end } } });
}

/** The end of the word or symbol at `offset`, so the squiggle covers the offending token. */
function tokenEndAt(text: string, offset: number): number {
  const match = /^[\p{L}\p{N}_$]+|^\S/u.exec(text.slice(offset, offset + 200));
  return offset + (match ? match[0].length : 0);
}

function codePointToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  for (let i = 0; i < codePoints && offset < text.length; i++) {
    offset += (text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  }
  return offset;
}
