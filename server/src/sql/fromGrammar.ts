import type { PgNode } from './grammar';
import type { Token } from './lexer';
import { list, unwrap, walk, type Fields } from './parseTree';
import { copyEffect, functionEffect, loadEffect, mayCallEffectFunction, outsideEffectsOfBody } from './outsideEffects';
import { evaluate, restrictsTarget, type ColumnReference, type ConstantValue, type Predicate } from './predicate';
import {
  NO_OUTSIDE_EFFECTS,
  shiftSpan,
  type Destruction,
  type OutsideEffect,
  type Reach,
  type RowChange,
  type Span,
  type StatementFacts,
  type StatementKind,
  type TransactionControl,
} from './statement';
import { TokenText } from './tokenText';

/**
 * Reads the facts the rules need from PostgreSQL's parse tree of one statement. Locations in the
 * tree are UTF-8 byte offsets; spans are turned into UTF-16 offsets of the statement's text.
 */
export function factsFromGrammar(text: string, nodes: PgNode[], tokens?: () => Token[]): StatementFacts {
  const reader = new TreeReader(text, tokens);
  const facts: StatementFacts = {
    kind: 'other',
    modifiesData: false,
    rowChanges: [],
    destructions: [],
    outsideEffects: NO_OUTSIDE_EFFECTS,
    source: 'grammar',
  };
  for (const node of nodes) reader.read(node, facts);
  return facts;
}

const KIND_BY_NODE: Record<string, StatementKind> = {
  SelectStmt: 'select',
  InsertStmt: 'insert',
  UpdateStmt: 'update',
  DeleteStmt: 'delete',
  MergeStmt: 'merge',
  TruncateStmt: 'truncate',
  TransactionStmt: 'transaction',
};

const TRANSACTION_CONTROL: Record<string, TransactionControl> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
  TRANS_STMT_PREPARE: 'prepare-transaction',
  TRANS_STMT_COMMIT_PREPARED: 'commit-prepared',
  TRANS_STMT_ROLLBACK_PREPARED: 'rollback-prepared',
};

/**
 * Statements whose expressions are a definition, evaluated later if ever (a function body, a
 * view, a column default, a policy): the calls in them do not run now.
 */
const DEFINITION_NODES = new Set([
  'CreateFunctionStmt',
  'ViewStmt',
  'RuleStmt',
  'CreateTrigStmt',
  'CreatePolicyStmt',
  'AlterPolicyStmt',
  'CreateDomainStmt',
  'AlterDomainStmt',
  'CreateStmt',
  'PrepareStmt',
  'CreatePublicationStmt',
  'AlterPublicationStmt',
]);

/**
 * Fields that hold expressions, row values or definitions: PostgreSQL allows a data-modifying
 * statement only in a WITH clause (or as a rule, function body, EXPLAIN, COPY or PREPARE query), so
 * the search for DELETE and UPDATE need not enter them. The biggest are INSERT's VALUES lists.
 */
const EXPRESSION_FIELDS = new Set([
  'whereClause',
  'targetList',
  'valuesLists',
  'returningList',
  'returningClause',
  'sortClause',
  'groupClause',
  'havingClause',
  'distinctClause',
  'tableElts',
  'typeName',
  'cols',
  'constraints',
  'options',
  'args',
]);

/** Statements PostgreSQL refuses inside a transaction block (besides the `… CONCURRENTLY` forms). */
const OUTSIDE_TRANSACTION_NODES = new Set([
  'CreatedbStmt',
  'DropdbStmt',
  'CreateTableSpaceStmt',
  'DropTableSpaceStmt',
  'AlterSystemStmt',
  // Creating or dropping a subscription creates or drops a replication slot on the publisher.
  'CreateSubscriptionStmt',
  'DropSubscriptionStmt',
]);

const DATA_MODIFYING_NODES = new Set(['DeleteStmt', 'UpdateStmt', 'InsertStmt', 'MergeStmt']);

/** Functions whose result changes between calls, so `f() = f()` is not always true. */
const VOLATILE_FUNCTIONS = new Set(['random', 'clock_timestamp', 'nextval', 'gen_random_uuid', 'uuid_generate_v4', 'timeofday']);

class TreeReader {
  private tokenText: TokenText | undefined;
  private readonly byteToChar: ((byte: number) => number) | undefined;

  constructor(
    private readonly text: string,
    private readonly knownTokens?: () => Token[],
  ) {
    this.byteToChar = /^[\x00-\x7f]*$/.test(text) ? undefined : utf8ToUtf16(text);
  }

  private get tokens(): TokenText {
    this.tokenText ??= new TokenText(this.text, this.knownTokens?.());
    return this.tokenText;
  }

  private offset(byteLocation: unknown): number {
    const byte = typeof byteLocation === 'number' && byteLocation >= 0 ? byteLocation : 0;
    return this.byteToChar ? this.byteToChar(byte) : byte;
  }

  read(node: PgNode, facts: StatementFacts): void {
    const entry = unwrap(node);
    if (!entry) return;
    const [type, fields] = entry;
    const kind = statementKind(type, fields);
    if (facts.kind === 'other') facts.kind = kind;

    if (type === 'TransactionStmt') {
      const control = fields.chain
        ? fields.kind === 'TRANS_STMT_COMMIT'
          ? 'commit-and-chain'
          : 'rollback-and-chain'
        : TRANSACTION_CONTROL[String(fields.kind)];
      if (control) facts.transaction = control;
      return;
    }
    if (type === 'VariableSetStmt' && fields.name === 'TRANSACTION SNAPSHOT') {
      facts.transaction = 'set-snapshot';
      return;
    }
    if (type === 'ExplainStmt') {
      // Only EXPLAIN ANALYZE executes the statement it explains.
      const analyze = list(fields.options).some((o) => {
        const option = unwrap(o)?.[1];
        return option?.defname === 'analyze' && isTrueOption(option.arg);
      });
      if (analyze) this.read(fields.query as PgNode, facts);
      return;
    }
    if (
      OUTSIDE_TRANSACTION_NODES.has(type) ||
      // VACUUM, not ANALYZE (the same node); REFRESH … CONCURRENTLY runs inside a transaction.
      (type === 'VacuumStmt' && fields.is_vacuumcmd === true) ||
      (fields.concurrent === true && type !== 'RefreshMatViewStmt') ||
      list(fields.params).some((p) => unwrap(p)?.[1].defname === 'concurrently') ||
      list(fields.cmds).some((c) => (unwrap(unwrap(c)?.[1].def)?.[1] as { concurrent?: boolean } | undefined)?.concurrent === true)
    ) {
      facts.cannotRunInTransaction = true;
    }
    if (['insert', 'update', 'delete', 'merge', 'truncate', 'drop', 'alter', 'copy-from'].includes(kind)) {
      facts.modifiesData = true;
    }
    this.collectDestructions(type, fields, facts.destructions);
    this.collectRowChanges(node, false, facts);
    this.collectOutsideEffects(type, fields, facts);
  }

  private collectOutsideEffects(type: string, fields: Fields, facts: StatementFacts): void {
    const found: OutsideEffect[] = [];
    if (type === 'CopyStmt') {
      const target = this.copyTarget();
      // A file named by a psql variable (`TO :'file'`) reaches the parser as a placeholder, not its name.
      const filename = target.literal && typeof fields.filename === 'string' ? fields.filename : undefined;
      const effect = copyEffect(
        fields.is_from ? 'from' : 'to',
        fields.is_program === true,
        fields.filename !== undefined,
        filename,
        target.span,
      );
      if (effect) found.push(effect);
    } else if (type === 'LoadStmt') {
      found.push(loadEffect(this.headSpan(1)));
    } else if (type === 'DoStmt') {
      found.push(...this.doBlockEffects(fields));
    }
    if (mayCallEffectFunction(this.text)) this.findEffectCalls(type, fields, found);
    if (found.length > 0) facts.outsideEffects = [...facts.outsideEffects, ...found].sort((a, b) => a.span.start - b.span.start);
  }

  /** Every call in the tree that runs now, in any clause, CTE, subquery or argument list. */
  private findEffectCalls(type: string, fields: Fields, out: OutsideEffect[]): void {
    if (DEFINITION_NODES.has(type) || (type === 'CreateTableAsStmt' && (fields.into as Fields | undefined)?.skipData === true)) return;
    // SET DEFAULT stores the expression; ADD COLUMN … DEFAULT evaluates it for every existing row.
    if (type === 'AlterTableCmd' && fields.subtype === 'AT_ColumnDefault') return;
    if (type === 'FuncCall') {
      const names = list(fields.funcname);
      const name = unwrap(names[names.length - 1])?.[1].sval;
      if (typeof name === 'string') {
        const effect = functionEffect(name, constantString(list(fields.args)[0]), this.nameSpan(fields.location));
        if (effect) out.push(effect);
      }
    }
    for (const key in fields) {
      const value = fields[key];
      if (value && typeof value === 'object') this.findEffectCallsIn(value, out);
    }
  }

  private findEffectCallsIn(value: object, out: OutsideEffect[]): void {
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') this.findEffectCallsIn(item as object, out);
      return;
    }
    const entry = unwrap(value);
    if (entry) this.findEffectCalls(entry[0], entry[1], out);
    else this.findEffectCalls('', value as Fields, out); // a struct field, such as withClause
  }

  /** What a PL/pgSQL DO block's body calls, placed in the statement (at the body's string, if it is no dollar-quoted one). */
  private doBlockEffects(fields: Fields): OutsideEffect[] {
    const option = (name: string) =>
      list(fields.args)
        .map((a) => unwrap(a)?.[1])
        .find((o) => o?.defname === name);
    const language = (unwrap(option('language')?.arg)?.[1].sval as string | undefined) ?? 'plpgsql';
    const body = unwrap(option('as')?.arg)?.[1].sval;
    if (language.toLowerCase() !== 'plpgsql' || typeof body !== 'string') return [];
    const effects = outsideEffectsOfBody(body);
    if (effects.length === 0) return effects;
    const tokens = this.tokens;
    // The body is the last string: `DO LANGUAGE 'plpgsql' $$ … $$` names its language with one too.
    let index = tokens.length - 1;
    while (index > 0 && tokens.tokens[index]!.type !== 'dollar-string' && tokens.tokens[index]!.type !== 'string') index--;
    const token = tokens.tokens[index]!;
    const literal = tokens.words[index]!;
    const tag = literal.slice(0, literal.indexOf('$', 1) + 1);
    if (token.type === 'dollar-string' && literal.slice(tag.length, -tag.length) === body) {
      return effects.map((e) => ({ ...e, span: shiftSpan(e.span, token.start + tag.length) }));
    }
    return effects.map((e) => ({ ...e, span: { start: token.start, end: token.end } }));
  }

  /** A possibly qualified name starting at a tree location, e.g. `public.dblink_exec`. */
  private nameSpan(byteLocation: unknown): Span {
    const tokens = this.tokens;
    const index = tokens.indexAt(this.offset(byteLocation));
    return index < 0 ? { start: 0, end: this.text.length } : tokens.span(index, tokens.nameEnd(index));
  }

  /** From COPY's TO or FROM to its file name or program, e.g. `TO PROGRAM 'gzip > /tmp/orders.gz'`. */
  private copyTarget(): { span: Span; literal: boolean } {
    const tokens = this.tokens;
    const direction = tokens.findAtDepth(1, (i) => tokens.isWord(i, 'to', 'from'));
    if (direction < 0) return { span: this.headSpan(1), literal: false };
    let end = direction;
    if (tokens.isWord(end + 1, 'program')) end++;
    const type = tokens.tokens[end + 1]?.type;
    const literal = type === 'string' || type === 'dollar-string';
    if (literal || type === 'psql-variable') end++;
    return { span: tokens.span(direction, end), literal };
  }

  /** Every DELETE and UPDATE in the tree: the statement itself and any in WITH clauses. */
  private collectRowChanges(node: unknown, inCte: boolean, facts: StatementFacts): void {
    if (Array.isArray(node)) {
      for (const item of node) this.collectRowChanges(item, inCte, facts);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const entry = unwrap(node);
    if (entry && (entry[0] === 'DeleteStmt' || entry[0] === 'UpdateStmt')) {
      facts.rowChanges.push(this.rowChange(entry[0] === 'DeleteStmt' ? 'delete' : 'update', entry[1], inCte));
    }
    if (entry && inCte && DATA_MODIFYING_NODES.has(entry[0])) facts.modifiesData = true;
    for (const [key, value] of Object.entries(entry ? entry[1] : (node as Fields))) {
      if (typeof value !== 'object' || EXPRESSION_FIELDS.has(key)) continue;
      this.collectRowChanges(value, inCte || key === 'ctequery', facts);
    }
  }

  private rowChange(command: 'delete' | 'update', fields: Fields, inCte: boolean): RowChange {
    const relation = (fields.relation ?? {}) as Fields;
    const target = [relation.schemaname, relation.relname].filter(Boolean).join('.');
    const alias = (relation.alias as Fields | undefined)?.aliasname;
    const targetNames = new Set([String(relation.relname ?? '').toLowerCase(), String(alias ?? '').toLowerCase()]);
    targetNames.delete('');
    const others = list(command === 'delete' ? fields.usingClause : fields.fromClause);

    const tokens = this.tokens;
    const relationIndex = tokens.indexAt(this.offset(relation.location));
    let head = relationIndex;
    while (head > 0 && !tokens.isWord(head, command)) head--;
    const span = tokens.span(Math.max(head, 0), tokens.nameEnd(relationIndex));

    const where = fields.whereClause;
    let whereSpan;
    if (where) {
      const whereIndex = tokens.findAtDepth(relationIndex, (i) => tokens.isWord(i, 'where'));
      if (whereIndex >= 0) whereSpan = tokens.span(whereIndex, tokens.clauseEnd(whereIndex, ['returning']));
    }
    const reach = reachOf(where ? this.predicate(where) : undefined, targetNames, others.length > 0);
    return { command, target, inCte, reach, span, ...(whereSpan ? { whereSpan } : {}) };
  }

  private collectDestructions(type: string, fields: Fields, out: Destruction[]): void {
    const whole = { start: 0, end: this.text.length };
    if (type === 'TruncateStmt') {
      const names = list(fields.relations).map((r) => rangeVarName(unwrap(r)?.[1]));
      out.push({ kind: 'truncate', object: `table ${names.join(', ')}`, span: this.headSpan(2) });
    } else if (type === 'DropStmt') {
      const objectType = String(fields.removeType ?? 'OBJECT')
        .replace(/^OBJECT_/, '')
        .toLowerCase()
        .replace(/_/g, ' ');
      const names = list(fields.objects).map(objectName).filter(Boolean);
      out.push({ kind: 'drop', object: `${objectType} ${names.join(', ')}`.trim(), span: this.headSpan(2) });
    } else if (type === 'DropdbStmt') {
      out.push({ kind: 'drop', object: `database ${String(fields.dbname)}`, span: this.headSpan(2) });
    } else if (type.startsWith('Drop')) {
      out.push({ kind: 'drop', object: this.tokens.words.slice(1, 3).join(' '), span: this.headSpan(2) });
    } else if (type === 'AlterTableStmt') {
      const table = rangeVarName(fields.relation as Fields);
      for (const cmd of list(fields.cmds)) {
        const command = unwrap(cmd)?.[1];
        if (command?.subtype !== 'AT_DropColumn') continue;
        out.push({
          kind: 'drop-column',
          object: `column ${String(command.name)} of ${table}`,
          span: this.dropColumnSpan(String(command.name)) ?? whole,
        });
      }
    }
  }

  /** The first `count` words of the statement, e.g. `DROP TABLE`. */
  private headSpan(count: number): { start: number; end: number } {
    const tokens = this.tokens;
    return tokens.span(0, Math.min(count, tokens.length) - 1);
  }

  private dropColumnSpan(column: string): { start: number; end: number } | undefined {
    const tokens = this.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (!tokens.isWord(i, 'drop')) continue;
      let j = i + 1;
      if (tokens.isWord(j, 'column')) j++;
      if (tokens.isWord(j, 'if')) j += 2;
      if (tokens.words[j] === column.toLowerCase() || tokens.words[j] === `"${column}"`) return tokens.span(i, j);
    }
    return undefined;
  }

  private predicate(node: unknown): Predicate {
    const key = memo(() => canonicalKey(node));
    const entry = unwrap(node);
    if (!entry) return { type: 'other', columns: [], volatile: false, key };
    const [type, f] = entry;
    switch (type) {
      case 'BoolExpr': {
        const args = list(f.args).map((a) => this.predicate(a));
        if (f.boolop === 'NOT_EXPR') return { type: 'not', arg: args[0]!, key };
        return { type: f.boolop === 'OR_EXPR' ? 'or' : 'and', args, key };
      }
      case 'A_Const':
        return { type: 'constant', value: constantValue(f), key };
      case 'TypeCast': {
        const inner = this.predicate(f.arg);
        if (inner.type !== 'constant') return { ...this.other(node), key };
        const typeName = list((f.typeName as Fields | undefined)?.names)
          .map((n) => String(unwrap(n)?.[1].sval))
          .pop();
        return { type: 'constant', value: castConstant(inner.value, typeName), key: inner.key };
      }
      case 'ColumnRef': {
        const fields = list(f.fields)
          .map((x) => unwrap(x)?.[1].sval)
          .filter((s): s is string => typeof s === 'string');
        const qualifier = fields.length > 1 ? fields[fields.length - 2]!.toLowerCase() : undefined;
        return { type: 'column', column: qualifier ? { qualifier } : {}, key };
      }
      case 'A_Expr': {
        const name = list(f.name)
          .map((n) => unwrap(n)?.[1].sval)
          .join('.');
        if (f.kind === 'AEXPR_OP' && f.lexpr && f.rexpr) {
          return { type: 'compare', operator: name, left: this.predicate(f.lexpr), right: this.predicate(f.rexpr), key };
        }
        return this.other(node);
      }
      case 'NullTest':
        return { type: 'null-test', arg: this.predicate(f.arg), isNull: f.nulltesttype === 'IS_NULL', key };
      case 'BooleanTest': {
        const arg = this.predicate(f.arg);
        const test = String(f.booltesttype);
        const truth = evaluate(arg);
        if (truth === undefined) return this.other(node);
        const value = test.endsWith('UNKNOWN') ? truth === null : truth === test.endsWith('TRUE');
        return { type: 'constant', value: test.includes('_NOT_') ? !value : value, key };
      }
      case 'CurrentOfExpr':
        return { type: 'current-of', key };
      default:
        return this.other(node);
    }
  }

  private other(node: unknown): Predicate {
    const columns: ColumnReference[] = [];
    let volatile = false;
    walk(node, (type, fields) => {
      if (type === 'ColumnRef') {
        const parts = list(fields.fields)
          .map((x) => unwrap(x)?.[1].sval)
          .filter((s): s is string => typeof s === 'string');
        columns.push(parts.length > 1 ? { qualifier: parts[parts.length - 2]!.toLowerCase() } : {});
      } else if (type === 'FuncCall') {
        const name = list(fields.funcname)
          .map((n) => unwrap(n)?.[1].sval)
          .pop();
        if (typeof name === 'string' && VOLATILE_FUNCTIONS.has(name)) volatile = true;
      }
    });
    return { type: 'other', columns, volatile, key: memo(() => canonicalKey(node)) };
  }
}

/** A string constant, possibly cast (`'orders_id_seq'::regclass`), as a call's argument. */
function constantString(node: unknown): string | undefined {
  const entry = unwrap(node);
  if (entry?.[0] === 'TypeCast') return constantString(entry[1].arg);
  const value = entry?.[0] === 'A_Const' ? (entry[1].sval as Fields | undefined)?.sval : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** An option's boolean value as PostgreSQL reads it: absent means true (`EXPLAIN (ANALYZE)`). */
function isTrueOption(arg: unknown): boolean {
  const entry = unwrap(arg);
  if (!entry) return true;
  const [type, value] = entry;
  if (type === 'Integer') return Number(value.ival ?? 0) !== 0;
  if (type === 'Boolean') return Boolean(value.boolval);
  return !['false', 'off', 'no', 'n', 'f', '0'].includes(String(value.sval ?? '').toLowerCase());
}

function statementKind(type: string, fields: Fields): StatementKind {
  const known = KIND_BY_NODE[type];
  if (known) return known;
  if (type === 'CopyStmt') return fields.is_from ? 'copy-from' : 'other';
  if (type.startsWith('Drop')) return 'drop';
  if (type.startsWith('Alter') || type === 'RenameStmt') return 'alter';
  if (type.startsWith('Create')) return 'create';
  return 'other';
}

export function reachOf(where: Predicate | undefined, targetNames: ReadonlySet<string>, joinsOthers: boolean): Reach {
  if (!where) return { bounded: false, reason: 'no-where' };
  if (where.type === 'current-of') return { bounded: true, reason: 'current-of' };
  if (restrictsTarget(where, targetNames)) return { bounded: true, reason: 'where' };
  if (evaluate(where) === true) return { bounded: false, reason: 'always-true' };
  return { bounded: false, reason: joinsOthers ? 'unrelated-join' : 'row-independent' };
}

function constantValue(f: Fields): ConstantValue {
  // libpg_query omits zero values: `{ ival: {} }` is 0, `{ boolval: {} }` is false.
  if (f.isnull) return null;
  if ('boolval' in f) return Boolean((f.boolval as Fields).boolval);
  if ('ival' in f) return Number((f.ival as Fields).ival ?? 0);
  if ('fval' in f) return Number((f.fval as Fields).fval);
  if ('sval' in f) return String((f.sval as Fields).sval ?? '');
  if ('bsval' in f) return String((f.bsval as Fields).bsval ?? '');
  return null;
}

function castConstant(value: ConstantValue, typeName: string | undefined): ConstantValue {
  if (typeof value !== 'string') return value;
  if (typeName === 'bool') {
    const v = value.trim().toLowerCase();
    if (['t', 'true', 'y', 'yes', 'on', '1'].includes(v)) return true;
    if (['f', 'false', 'n', 'no', 'off', '0'].includes(v)) return false;
  }
  if (typeName && /^(int[248]|numeric|float[48])$/.test(typeName) && value.trim() !== '' && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return value;
}

function rangeVarName(fields: Fields | undefined): string {
  if (!fields) return '';
  return [fields.schemaname, fields.relname].filter(Boolean).join('.');
}

function objectName(node: unknown): string {
  const entry = unwrap(node);
  if (!entry) return '';
  const [type, f] = entry;
  if (type === 'List') return list(f.items).map(objectName).join('.');
  if (type === 'String') return String(f.sval);
  if (type === 'TypeName') return list(f.names).map(objectName).join('.');
  if (type === 'ObjectWithArgs') return list(f.objname).map(objectName).join('.');
  return '';
}

function memo(compute: () => string): () => string {
  let value: string | undefined;
  return () => (value ??= compute());
}

/** A node's structure without source locations: equal keys mean the same expression. */
function canonicalKey(node: unknown): string {
  return JSON.stringify(node, (k, v: unknown) => (k === 'location' ? undefined : v));
}

/** Maps UTF-8 byte offsets of `text` to UTF-16 offsets. */
function utf8ToUtf16(text: string): (byte: number) => number {
  const byteToChar: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) byteToChar.push(i);
    if (code > 0xffff) i++;
  }
  return (byte) => (byte < byteToChar.length ? byteToChar[byte]! : text.length);
}
