/**
 * A WHERE clause reduced to what the reach analysis needs, whichever parser produced it, and the
 * analysis itself: is the condition always true, and does it restrict the target's rows at all?
 */

export interface ColumnReference {
  /** The qualifier as written (`o` in `o.id`), lower-cased; absent for a bare column name. */
  qualifier?: string;
}

export type Predicate =
  | { type: 'constant'; value: ConstantValue; key: Key }
  | { type: 'column'; column: ColumnReference; key: Key }
  | { type: 'and' | 'or'; args: Predicate[]; key: Key }
  | { type: 'not'; arg: Predicate; key: Key }
  | { type: 'compare'; operator: string; left: Predicate; right: Predicate; key: Key }
  | { type: 'null-test'; arg: Predicate; isNull: boolean; key: Key }
  | { type: 'current-of'; key: Key }
  /** Anything else. `volatile` marks calls whose value may differ between evaluations. */
  | { type: 'other'; columns: ColumnReference[]; volatile: boolean; key: Key };

/**
 * The expression's identity without source positions: equal keys mean the same expression.
 * Computed on demand, since only a few comparisons ever need it.
 */
export type Key = () => string;

/** A literal: boolean, NULL, number (as a JS number) or string. */
export type ConstantValue = boolean | null | number | string;

/** Three-valued result of folding a predicate without data: `undefined` means it depends on rows. */
export type Truth = true | false | null | undefined;

export function evaluate(p: Predicate): Truth {
  switch (p.type) {
    case 'constant':
      return typeof p.value === 'boolean' || p.value === null ? p.value : undefined;
    case 'not': {
      const inner = evaluate(p.arg);
      return typeof inner === 'boolean' ? !inner : inner;
    }
    case 'and': {
      const values = p.args.map(evaluate);
      if (values.includes(false)) return false;
      if (values.every((v) => v === true)) return true;
      return values.includes(undefined) ? undefined : null;
    }
    case 'or': {
      const values = p.args.map(evaluate);
      if (values.includes(true) || coversNullAndNotNull(p.args)) return true;
      if (values.every((v) => v === false)) return false;
      return values.includes(undefined) ? undefined : null;
    }
    case 'compare':
      return compare(p.operator, p.left, p.right);
    case 'null-test': {
      if (p.arg.type !== 'constant') return undefined;
      return (p.arg.value === null) === p.isNull;
    }
    default:
      return undefined;
  }
}

/** `x IS NULL OR x IS NOT NULL` (in any order, among other disjuncts) is always true. */
function coversNullAndNotNull(args: Predicate[]): boolean {
  const seen = new Map<string, boolean>();
  for (const arg of args) {
    if (arg.type !== 'null-test') continue;
    const other = seen.get(arg.arg.key());
    if (other !== undefined && other !== arg.isNull) return true;
    seen.set(arg.arg.key(), arg.isNull);
  }
  return false;
}

const SELF_TRUE_OPERATORS = new Set(['=', '<=', '>=']);
const SELF_FALSE_OPERATORS = new Set(['<>', '!=', '<', '>']);

function compare(operator: string, left: Predicate, right: Predicate): Truth {
  if (left.type === 'constant' && right.type === 'constant') {
    const a = left.value;
    const b = right.value;
    if (a === null || b === null) return null;
    const sameType = typeof a === typeof b;
    switch (operator) {
      case '=':
        return sameType ? a === b : undefined;
      case '<>':
      case '!=':
        return sameType ? a !== b : undefined;
      case '<':
        return sameType ? a < b : undefined;
      case '>':
        return sameType ? a > b : undefined;
      case '<=':
        return sameType ? a <= b : undefined;
      case '>=':
        return sameType ? a >= b : undefined;
      default:
        return undefined;
    }
  }
  // `x = x` matches every row where x is not NULL: for reach that is every row.
  if (left.type === right.type && left.type !== 'constant' && left.key() === right.key() && !isVolatile(left)) {
    if (SELF_TRUE_OPERATORS.has(operator)) return true;
    if (SELF_FALSE_OPERATORS.has(operator)) return false;
  }
  return undefined;
}

function isVolatile(p: Predicate): boolean {
  switch (p.type) {
    case 'other':
      return p.volatile;
    case 'and':
    case 'or':
      return p.args.some(isVolatile);
    case 'not':
    case 'null-test':
      return isVolatile(p.arg);
    case 'compare':
      return isVolatile(p.left) || isVolatile(p.right);
    default:
      return false;
  }
}

/**
 * Whether the condition limits which rows of the target it matches. A column reference counts as
 * the target's when it is qualified by the target's name or alias, or unqualified (it may be the
 * target's: without the schema we give it the benefit of the doubt).
 */
export function restrictsTarget(p: Predicate, targetNames: ReadonlySet<string>): boolean {
  const truth = evaluate(p);
  if (truth === true) return false;
  if (truth === false || truth === null) return true; // matches nothing
  switch (p.type) {
    case 'and':
      return p.args.some((arg) => restrictsTarget(arg, targetNames));
    case 'or':
      return p.args.every((arg) => restrictsTarget(arg, targetNames));
    case 'current-of':
      return true;
    default:
      return columnsOf(p).some((c) => c.qualifier === undefined || targetNames.has(c.qualifier));
  }
}

function columnsOf(p: Predicate): ColumnReference[] {
  switch (p.type) {
    case 'column':
      return [p.column];
    case 'other':
      return p.columns;
    case 'and':
    case 'or':
      return p.args.flatMap(columnsOf);
    case 'not':
    case 'null-test':
      return columnsOf(p.arg);
    case 'compare':
      return [...columnsOf(p.left), ...columnsOf(p.right)];
    default:
      return [];
  }
}
