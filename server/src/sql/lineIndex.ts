/** Zero-based line and UTF-16 character, as LSP counts them. */
export interface Position {
  line: number;
  character: number;
}

/** Converts offsets of one text into line/character positions by binary search over line starts. */
export class LineIndex {
  private readonly lineStarts: number[];

  constructor(
    readonly text: string,
    lineStarts?: number[],
  ) {
    this.lineStarts = lineStarts ?? [0];
    if (lineStarts) return;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /**
   * The index of `text`, in which `[start, newEnd)` replaced `[start, oldEnd)` of this index's
   * text: only the replaced part is searched for line breaks, the rest is moved.
   */
  edited(text: string, { start, oldEnd, newEnd }: { start: number; oldEnd: number; newEnd: number }): LineIndex {
    const old = this.lineStarts;
    const starts: number[] = [];
    let i = 0;
    while (i < old.length && old[i]! <= start) starts.push(old[i++]!);
    for (let k = text.indexOf('\n', start); k >= 0 && k < newEnd; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
    while (i < old.length && old[i]! <= oldEnd) i++;
    const delta = newEnd - oldEnd;
    while (i < old.length) starts.push(old[i++]! + delta);
    return new LineIndex(text, starts);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low]! };
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))]!;
  }

  /** The text of a line without its line break. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1]! - 1 : this.text.length;
    return this.text.slice(start, next).replace(/\r$/, '');
  }
}
