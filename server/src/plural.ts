/** `1 row`, `2 rows`: a count with its noun, for every message that states one. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
