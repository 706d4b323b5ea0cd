import { readSpan } from '../sql/analyze';
import type { Token } from '../sql/lexer';
import { LineIndex } from '../sql/lineIndex';
import { splitFrom } from '../sql/splitter';
import { positioned, type SqlDocument, type Statement } from '../sql/statement';
import type { FactsPool } from './factsPool';

/**
 * Statements are split and read a slice at a time, so the tokens and parse trees of a huge file
 * never exist all at once: what stays is the facts. With a pool, each slice is one batch for it.
 */
const SLICE_CHARS = 256 * 1024;
const POOL_SLICE_CHARS = 32 * 1024;

export async function analyzeForLint(text: string, pool: FactsPool | undefined): Promise<SqlDocument> {
  const slices: (Statement[] | Promise<Statement[]>)[] = [];
  const comments: Token[] = [];
  let count = 0;
  for (let from = 0; ;) {
    const sliceEnd = from + (pool ? POOL_SLICE_CHARS : SLICE_CHARS);
    const { result, stoppedAt } = splitFrom(text, from, (start) => start >= sliceEnd);
    for (const comment of result.comments) comments.push(comment);
    const first = count;
    count += result.statements.length;
    if (pool) {
      const spans = result.statements.map(({ start, end, openEnded }) => ({ start, end, openEnded }));
      const texts = spans.map((span) => text.slice(span.start, span.end));
      slices.push(
        pool
          .facts(texts)
          .then((facts) =>
            facts.map((f, i) =>
              positioned(f, spans[i]!.start, first + i, { start: spans[i]!.start, end: spans[i]!.end }, texts[i]!, spans[i]!.openEnded),
            ),
          ),
      );
    } else {
      slices.push(result.statements.map((span, i) => readSpan(text, span, first + i)));
    }
    if (stoppedAt === undefined) break;
    from = stoppedAt;
    // Lets the pool hand back finished batches, and the main thread take one, while splitting goes on.
    if (pool) await new Promise((resolve) => setImmediate(resolve));
  }
  const statements: Statement[] = [];
  for (const slice of slices) for (const statement of await slice) statements.push(statement);
  return { text, lines: new LineIndex(text), statements, comments };
}
