/** Reading libpg_query's JSON parse trees: nodes are `{ NodeType: fields }`, lists are arrays. */

export type Fields = Record<string, unknown>;

/** The single `{ NodeType: fields }` entry of a node. */
export function unwrap(node: unknown): [string, Fields] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const type = keys[0]!;
  const fields = (node as Record<string, unknown>)[type];
  return fields && typeof fields === 'object' ? [type, fields as Fields] : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Calls `visit` for every node of a tree, at any depth, parents before their children. */
export function walk(node: unknown, visit: (type: string, fields: Fields) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const entry = unwrap(node);
  if (entry) visit(entry[0], entry[1]);
  for (const value of Object.values(entry ? entry[1] : (node as Fields))) {
    if (value && typeof value === 'object') walk(value, visit);
  }
}
