import { parseWithGrammar, type PgNode } from '../sql/grammar';
import type { Statement } from '../sql/statement';
import { RESERVED_PREFIX, type TransactionOptions } from './session';
import type { ExecutionUnit } from './units';

/**
 * Transaction control in a unit, read from PostgreSQL's own parse tree. The engine never sends the
 * text of a block's BEGIN or COMMIT: it builds its own BEGIN from the options read here, and refuses
 * every other statement that could end, chain, prepare or replace its transaction, before anything runs.
 */

/** How the unit's transaction begins, or why the unit cannot run as one transaction. */
export type UnitTransaction =
  | {
      ok: true;
      options: TransactionOptions;
      /** Leading `SET TRANSACTION …` statements, folded into the BEGIN (they must come before any query). */
      folded: Set<Statement>;
    }
  | { ok: false; reason: string };

type Fields = Record<string, unknown>;

function only(statement: Statement): [string, Fields] | string {
  const parsed = parseWithGrammar(statement.text);
  if (!parsed.ok) return `PostgreSQL's grammar rejects it (${parsed.message})`;
  if (parsed.statements.length !== 1) return `it holds ${parsed.statements.length} statements where one was expected`;
  const [type, fields] = Object.entries(parsed.statements[0]!)[0]!;
  return [type, fields as Fields];
}

export function unitTransaction(unit: ExecutionUnit): UnitTransaction {
  const options: TransactionOptions = {};
  if (unit.begin) {
    const begin = only(unit.begin);
    if (typeof begin === 'string') return { ok: false, reason: `the block's BEGIN (statement ${unit.begin.index + 1}): ${begin}` };
    const [type, fields] = begin;
    if (type !== 'TransactionStmt' || (fields.kind !== 'TRANS_STMT_BEGIN' && fields.kind !== 'TRANS_STMT_START')) {
      return { ok: false, reason: `statement ${unit.begin.index + 1} does not begin a transaction` };
    }
    const problem = readModes(fields.options, options);
    if (problem) return { ok: false, reason: `the block's BEGIN: ${problem}` };
  }
  if (unit.endStatement) {
    const end = only(unit.endStatement);
    const plain =
      typeof end !== 'string' &&
      end[0] === 'TransactionStmt' &&
      (end[1].kind === 'TRANS_STMT_COMMIT' || end[1].kind === 'TRANS_STMT_ROLLBACK') &&
      !end[1].chain;
    if (!plain) {
      return {
        ok: false,
        reason: `the block's end (statement ${unit.endStatement.index + 1}) is not a plain COMMIT or ROLLBACK${typeof end === 'string' ? `: ${end}` : ''}`,
      };
    }
  }
  const folded = new Set<Statement>();
  for (const statement of unit.block ? unit.statements : []) {
    const parsed = only(statement);
    if (typeof parsed === 'string' || parsed[0] !== 'VariableSetStmt' || parsed[1].name !== 'TRANSACTION') break;
    const problem = readModes(parsed[1].args, options);
    if (problem) return { ok: false, reason: `statement ${statement.index + 1}: ${problem}` };
    folded.add(statement);
  }
  return { ok: true, options, folded };
}

const ISOLATION: Record<string, TransactionOptions['isolation']> = {
  serializable: 'serializable',
  'repeatable read': 'repeatable read',
  'read committed': 'read committed',
  'read uncommitted': 'read uncommitted',
};

/** Reads `ISOLATION LEVEL …`, `READ ONLY|WRITE`, `[NOT] DEFERRABLE` into `options`; anything else is a problem. */
function readModes(list: unknown, options: TransactionOptions): string | undefined {
  for (const item of Array.isArray(list) ? (list as PgNode[]) : []) {
    const element = item.DefElem as Fields | undefined;
    const constant = (element?.arg as PgNode | undefined)?.A_Const as Fields | undefined;
    const text = (constant?.sval as Fields | undefined)?.sval;
    const flag = constant && 'ival' in constant ? Boolean((constant.ival as Fields).ival) : undefined;
    switch (element?.defname) {
      case 'transaction_isolation': {
        const level = typeof text === 'string' ? ISOLATION[text] : undefined;
        if (!level) return `unknown isolation level ${JSON.stringify(text)}`;
        options.isolation = level;
        break;
      }
      case 'transaction_read_only':
        if (flag === undefined) return 'READ ONLY / READ WRITE without a value';
        options.readOnly = flag;
        break;
      case 'transaction_deferrable':
        if (flag === undefined) return 'DEFERRABLE without a value';
        options.deferrable = flag;
        break;
      default:
        return `unknown transaction option ${JSON.stringify(element?.defname)}`;
    }
  }
  return undefined;
}

/**
 * Why a statement inside a unit must not run, when it is transaction control: everything but a
 * savepoint of the user's own would commit, chain, prepare or swap the transaction safesql rolls back.
 */
export function transactionControlRefusal(type: string, fields: Fields): string | undefined {
  if (type === 'VariableSetStmt') {
    if (fields.name === 'TRANSACTION SNAPSHOT') {
      return 'SET TRANSACTION SNAPSHOT makes the transaction see another session’s snapshot; safesql previews and commits on its own';
    }
    if (fields.name === 'TRANSACTION') return 'SET TRANSACTION must come first in its block, before any other statement';
    return undefined;
  }
  if (type !== 'TransactionStmt') return undefined;
  switch (fields.kind) {
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO':
      return String(fields.savepoint_name ?? '').startsWith(RESERVED_PREFIX)
        ? `the savepoint name ${String(fields.savepoint_name)} is reserved for safesql's own savepoints`
        : undefined;
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
      return fields.chain
        ? `${fields.kind === 'TRANS_STMT_COMMIT' ? 'COMMIT' : 'ROLLBACK'} AND CHAIN would end the transaction in the middle of the unit (committing what ran before it) and go on in a new one; split the block in two instead`
        : 'COMMIT and ROLLBACK belong at the end of a BEGIN … COMMIT block, which safesql runs as one unit';
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'a BEGIN inside a block: PostgreSQL ignores it, so the block’s end would not be where it appears to be; remove it';
    case 'TRANS_STMT_PREPARE':
      return 'PREPARE TRANSACTION hands the transaction to two-phase commit, where another session can commit it; safesql cannot preview it';
    case 'TRANS_STMT_COMMIT_PREPARED':
    case 'TRANS_STMT_ROLLBACK_PREPARED':
      return 'COMMIT PREPARED and ROLLBACK PREPARED finish another, prepared transaction, which no rollback can undo';
    default:
      return `transaction control (${String(fields.kind)}) cannot run inside safesql's transaction`;
  }
}
