import type { StatementFacts } from './statement';

/**
 * Facts by statement text, so a statement seen before (re-split around an edit, an undo, a
 * reopened file) is not parsed again. Bounded by the characters its keys hold; the least recently
 * used go first. Keys must own their text (see `detachedText`): a slice as a key would keep the
 * whole document it was sliced from.
 */
export class FactsCache {
  private readonly entries = new Map<string, StatementFacts>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get(text: string): StatementFacts | undefined {
    const facts = this.entries.get(text);
    if (facts) {
      this.entries.delete(text);
      this.entries.set(text, facts);
    }
    return facts;
  }

  set(text: string, facts: StatementFacts): void {
    if (text.length > this.maxChars || this.entries.has(text)) return;
    this.entries.set(text, facts);
    this.chars += text.length;
    for (const [oldest] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}
