import { loadModule, parseSync, hasSqlDetails } from 'libpg-query';

/**
 * PostgreSQL's own parser (libpg_query compiled to WebAssembly): the judge of what is valid SQL.
 * It must be loaded once, asynchronously, before any document is analysed.
 */

let loading: Promise<void> | undefined;

export function loadGrammar(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

/** A parse tree node as libpg_query emits it: `{ NodeType: { …fields } }`. */
export type PgNode = Record<string, unknown>;

export type GrammarResult =
  | { ok: true; statements: PgNode[] }
  /** `position` is a 0-based code point offset into the text, when the parser gives one. */
  | { ok: false; message: string; position?: number };

export function parseWithGrammar(text: string): GrammarResult {
  try {
    const result = parseSync(text) as unknown as { stmts?: { stmt?: PgNode }[] };
    return { ok: true, statements: (result.stmts ?? []).flatMap((s) => (s.stmt ? [s.stmt] : [])) };
  } catch (error) {
    if (hasSqlDetails(error) && error.sqlDetails) {
      const position = error.sqlDetails.cursorPosition;
      return { ok: false, message: error.sqlDetails.message, ...(position >= 0 ? { position } : {}) };
    }
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
