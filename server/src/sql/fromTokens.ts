import { reachOf } from './fromGrammar';
import { outsideEffectsFromTokens } from './outsideEffects';
import type { ColumnReference, Predicate } from './predicate';
import { NO_OUTSIDE_EFFECTS } from './statement';
import type { Destruction, RowChange, StatementFacts, StatementKind, SyntaxError, TransactionControl } from './statement';
import { TokenText } from './tokenText';

/**
 * Reads a statement from its tokens: one that PostgreSQL's grammar rejects (usually one being
 * typed), so an unfinished `DELETE FROM orders` is still known for what it is, or one the grammar
 * was not given (`notParsed` says why).
 */
export function factsFromTokens(text: string, why: { syntaxError: SyntaxError } | { notParsed: string }): StatementFacts {
  const t = new TokenText(text);
  const kind = kindOf(t);
  // Plain EXPLAIN plans a statement without running it; EXPLAIN ANALYZE runs it.
  const runs = !t.isWord(0, 'explain') || t.words.slice(1, 4).includes('analyze');
  const rowChanges = runs ? findRowChanges(t) : [];
  const destructions = findDestructions(t, kind);
  const modifies = (runs && MODIFYING_KINDS.has(kind)) || rowChanges.length > 0;
  const transaction = transactionOf(t);
  const [first, second] = t.words;
  const cannotRunInTransaction =
    first === 'vacuum' ||
    (t.words.includes('concurrently') && first !== 'refresh') ||
    ((first === 'create' || first === 'drop') && second === 'subscription') ||
    (first === 'alter' && second === 'system') ||
    ((first === 'create' || first === 'drop') && (second === 'database' || second === 'tablespace'));
  return {
    kind,
    ...(transaction ? { transaction } : {}),
    ...(cannotRunInTransaction ? { cannotRunInTransaction } : {}),
    modifiesData: modifies,
    rowChanges,
    destructions,
    outsideEffects: runs ? outsideEffectsFromTokens(t) : NO_OUTSIDE_EFFECTS,
    ...why,
    source: 'tokens',
  };
}

const MODIFYING_KINDS = new Set<StatementKind>(['insert', 'update', 'delete', 'merge', 'truncate', 'drop', 'alter', 'copy-from']);

const KIND_BY_WORD: Record<string, StatementKind> = {
  select: 'select',
  values: 'select',
  table: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  merge: 'merge',
  truncate: 'truncate',
  drop: 'drop',
  alter: 'alter',
  create: 'create',
  begin: 'transaction',
  start: 'transaction',
  commit: 'transaction',
  end: 'transaction',
  rollback: 'transaction',
  abort: 'transaction',
};

function kindOf(t: TokenText): StatementKind {
  let first = 0;
  if (t.isWord(0, 'with')) {
    // The main statement follows the CTE list at depth 0.
    first = t.findAtDepth(1, (i) => t.isWord(i, 'select', 'insert', 'update', 'delete', 'merge'));
    if (first < 0) return 'other';
  }
  if (t.isWord(first, 'copy')) return t.findAtDepth(first, (i) => t.isWord(i, 'from')) >= 0 ? 'copy-from' : 'other';
  return KIND_BY_WORD[t.words[first] ?? ''] ?? 'other';
}

function transactionOf(t: TokenText): TransactionControl | undefined {
  const [first, second, third] = t.words;
  if (first === 'begin' && second !== 'atomic') return 'begin';
  if (first === 'start' && second === 'transaction') return 'begin';
  if (first === 'prepare' && second === 'transaction') return 'prepare-transaction';
  if (first === 'set' && second === 'transaction' && third === 'snapshot') return 'set-snapshot';
  // `AND NO CHAIN` is the plain form.
  const chain = t.words.includes('chain') && !t.words.includes('no');
  if (first === 'commit' || first === 'end') {
    if (second === 'prepared') return 'commit-prepared';
    return chain ? 'commit-and-chain' : 'commit';
  }
  if ((first === 'rollback' || first === 'abort') && second !== 'to') {
    if (second === 'prepared') return 'rollback-prepared';
    return chain ? 'rollback-and-chain' : 'rollback';
  }
  return undefined;
}

function findRowChanges(t: TokenText): RowChange[] {
  const changes: RowChange[] = [];
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t.is(i, '(')) depth++;
    else if (t.is(i, ')')) depth = Math.max(0, depth - 1);
    let nameIndex = -1;
    let command: RowChange['command'] | undefined;
    if (t.isWord(i, 'delete') && t.isWord(i + 1, 'from')) {
      command = 'delete';
      nameIndex = t.isWord(i + 2, 'only') ? i + 3 : i + 2;
    } else if (t.isWord(i, 'update') && !t.isWord(i - 1, 'for', 'key', 'do', 'after', 'before', 'or', 'grant', 'revoke')) {
      // An UPDATE statement names its table and then SET (unlike FOR UPDATE, AFTER UPDATE ON, GRANT UPDATE ON).
      nameIndex = t.isWord(i + 1, 'only') ? i + 2 : i + 1;
      if (!t.isWord(nameIndex, 'on', 'of') && t.findAtDepth(nameIndex + 1, (j) => t.isWord(j, 'set')) >= 0) command = 'update';
    }
    if (!command || !t.isName(nameIndex)) continue;
    const nameEnd = t.nameEnd(nameIndex);
    const target = t.nameText(nameIndex);
    const targetNames = new Set([target.split('.').pop()!]);
    let aliasIndex = nameEnd + 1;
    if (t.isWord(aliasIndex, 'as')) aliasIndex++;
    if (t.isName(aliasIndex) && !t.isWord(aliasIndex, 'where', 'using', 'set', 'returning', 'from')) {
      targetNames.add(t.words[aliasIndex]!);
    }
    const joinWord = command === 'delete' ? 'using' : 'from';
    const whereIndex = t.findAtDepth(nameEnd + 1, (j) => t.isWord(j, 'where') || t.is(j, ';'));
    const where = whereIndex >= 0 && t.isWord(whereIndex, 'where') ? whereIndex : -1;
    const joins = t.findAtDepth(nameEnd + 1, (j) => t.isWord(j, joinWord)) >= 0;
    let predicate: Predicate | undefined;
    let whereSpan;
    let stillTyping = false;
    if (where >= 0) {
      const end = t.clauseEnd(where, ['returning']);
      whereSpan = t.span(where, end);
      predicate = new PredicateReader(t, where + 1, end + 1).read();
      stillTyping = end === where;
    }
    changes.push({
      command,
      target,
      inCte: depth > 0,
      // A WHERE with nothing after it yet is being written: give it the benefit of the doubt.
      reach: stillTyping ? { bounded: true, reason: 'where' } : reachOf(predicate, targetNames, joins),
      span: t.span(i, nameEnd),
      ...(whereSpan ? { whereSpan } : {}),
    });
  }
  return changes;
}

function findDestructions(t: TokenText, kind: StatementKind): Destruction[] {
  if (kind === 'truncate') {
    const name = t.isWord(1, 'table') ? 2 : 1;
    return [{ kind: 'truncate', object: `table ${t.isName(name) ? t.nameText(name) : ''}`.trim(), span: t.span(0, 0) }];
  }
  if (kind === 'drop' && t.length > 1) {
    return [{ kind: 'drop', object: t.words.slice(1, 3).join(' '), span: t.span(0, 1) }];
  }
  if (kind === 'alter') {
    const out: Destruction[] = [];
    for (let i = 0; i < t.length; i++) {
      if (!t.isWord(i, 'drop') || !t.isName(i + 1) || t.isWord(i + 1, 'constraint', 'default', 'not', 'expression', 'identity')) continue;
      let j = t.isWord(i + 1, 'column') ? i + 2 : i + 1;
      if (t.isWord(j, 'if')) j += 2;
      if (t.isName(j)) out.push({ kind: 'drop-column', object: `column ${t.words[j]}`, span: t.span(i, j) });
    }
    return out;
  }
  return [];
}

/**
 * A tolerant recursive-descent reader of a WHERE condition's tokens into a Predicate. What it
 * does not understand becomes `other`, keeping the columns it mentions.
 */
class PredicateReader {
  constructor(
    private readonly t: TokenText,
    private pos: number,
    private readonly end: number,
  ) {}

  /** Reads the condition; tokens left over after it are the statement's error, not part of it. */
  read(): Predicate {
    return this.or();
  }

  private or(): Predicate {
    const args = [this.and()];
    while (this.pos < this.end && this.t.isWord(this.pos, 'or')) {
      this.pos++;
      args.push(this.and());
    }
    return args.length === 1 ? args[0]! : { type: 'or', args, key: () => args.map((a) => a.key()).join(' or ') };
  }

  private and(): Predicate {
    const args = [this.not()];
    while (this.pos < this.end && this.t.isWord(this.pos, 'and')) {
      this.pos++;
      args.push(this.not());
    }
    return args.length === 1 ? args[0]! : { type: 'and', args, key: () => args.map((a) => a.key()).join(' and ') };
  }

  private not(): Predicate {
    if (this.t.isWord(this.pos, 'not')) {
      this.pos++;
      const arg = this.not();
      return { type: 'not', arg, key: () => `not ${arg.key()}` };
    }
    return this.comparison();
  }

  private comparison(): Predicate {
    const left = this.atom();
    const t = this.t;
    if (t.isWord(this.pos, 'is')) {
      const negated = t.isWord(this.pos + 1, 'not');
      const testIndex = this.pos + (negated ? 2 : 1);
      if (t.isWord(testIndex, 'null')) {
        this.pos = testIndex + 1;
        return { type: 'null-test', arg: left, isNull: !negated, key: () => `${left.key()} is ${negated ? 'not ' : ''}null` };
      }
    }
    const operator = t.words[this.pos];
    if (this.pos < this.end && t.tokens[this.pos]!.type === 'operator' && operator) {
      this.pos++;
      const right = this.atom();
      return { type: 'compare', operator, left, right, key: () => `${left.key()} ${operator} ${right.key()}` };
    }
    // [NOT] IN (…), [NOT] LIKE / ILIKE / SIMILAR TO x, [NOT] BETWEEN a AND b: a row-dependent test.
    const start = this.pos;
    let i = t.isWord(this.pos, 'not') ? this.pos + 1 : this.pos;
    if (this.pos < this.end && t.isWord(i, 'in', 'like', 'ilike', 'similar', 'between')) {
      const between = t.isWord(i, 'between');
      i += t.isWord(i, 'similar') && t.isWord(i + 1, 'to') ? 2 : 1;
      this.pos = i;
      this.atom();
      if (between && t.isWord(this.pos, 'and')) {
        this.pos++;
        this.atom();
      }
      return this.otherOver(start, this.pos, left);
    }
    return left;
  }

  private atom(): Predicate {
    const t = this.t;
    const start = this.pos;
    if (start >= this.end) return { type: 'other', columns: [], volatile: false, key: () => '' };
    const token = t.tokens[start]!;
    const word = t.words[start]!;
    if (t.is(start, '(')) {
      this.pos++;
      const inner = this.or();
      if (t.is(this.pos, ')')) {
        this.pos++;
        return inner;
      }
      return this.otherOver(start, this.skipToDepthEnd(start));
    }
    this.pos++;
    if (token.type === 'number') return { type: 'constant', value: Number(word.replace(/_/g, '')), key: () => word };
    if (token.type === 'string') return { type: 'constant', value: stringValue(word), key: () => word };
    if (token.type === 'word' && (word === 'true' || word === 'false'))
      return { type: 'constant', value: word === 'true', key: () => word };
    if (token.type === 'word' && word === 'null') return { type: 'constant', value: null, key: () => word };
    if (t.isName(start) && !t.is(this.pos, '(')) {
      const end = t.nameEnd(start);
      this.pos = end + 1;
      const parts = t.words.slice(start, end + 1).filter((w) => w !== '.');
      const column: ColumnReference = parts.length > 1 ? { qualifier: parts[parts.length - 2]! } : {};
      return { type: 'column', column, key: () => parts.join('.') };
    }
    // A call, a subquery or anything else: skip it at its nesting depth.
    if (t.is(this.pos, '(')) this.pos = this.skipToDepthEnd(this.pos);
    return this.otherOver(start, this.pos);
  }

  /** Index just past the parenthesis group opening at `open`. */
  private skipToDepthEnd(open: number): number {
    let depth = 0;
    for (let i = open; i < this.end; i++) {
      if (this.t.is(i, '(')) depth++;
      else if (this.t.is(i, ')') && --depth === 0) return i + 1;
    }
    return this.end;
  }

  /** An opaque condition over tokens `[from, to)`, with the columns it names (and `left`'s). */
  private otherOver(from: number, to: number, left?: Predicate): Predicate {
    this.pos = to;
    const t = this.t;
    const columns: ColumnReference[] = left?.type === 'column' ? [left.column] : left?.type === 'other' ? [...left.columns] : [];
    for (let i = from; i < to; i++) {
      if (!t.isName(i) || t.is(i + 1, '(') || t.is(i - 1, '.')) continue;
      const end = t.nameEnd(i);
      const parts = t.words.slice(i, end + 1).filter((w) => w !== '.');
      columns.push(parts.length > 1 ? { qualifier: parts[parts.length - 2]! } : {});
      i = end;
    }
    return { type: 'other', columns, volatile: false, key: () => t.words.slice(from, to).join(' ') };
  }
}

function stringValue(literal: string): string {
  const quote = literal.indexOf("'");
  return literal.slice(quote + 1, -1).replace(/''/g, "'");
}
