import { NO_OUTSIDE_EFFECTS, shiftSpan, type OutsideEffect, type OutsideEffectKind, type Span, type Statement } from './statement';
import { TokenText } from './tokenText';

interface KnownEffect {
  kind: OutsideEffectKind;
  /** The reason; for a sequence function, given the sequence's name when the call names it. */
  reason: string | ((sequence: string | undefined) => string);
}

const FILE_WRITE: KnownEffect = { kind: 'file', reason: 'writes a file on the database server' };
const REMOTE_SQL: KnownEffect = { kind: 'other-session', reason: 'runs SQL through another connection, which commits on its own' };
const REMOTE_CONNECTION: KnownEffect = {
  kind: 'other-session',
  reason: 'opens a connection to another session that outlives the rollback',
};
const CREATE_SLOT: KnownEffect = {
  kind: 'server',
  reason: 'creates a replication slot, which holds WAL on the server until it is dropped',
};
const CONSUME_SLOT: KnownEffect = { kind: 'server', reason: 'consumes changes from a replication slot' };
const RESET_STATISTICS: KnownEffect = { kind: 'server', reason: "resets the server's statistics" };
const BACKUP: KnownEffect = { kind: 'server', reason: 'starts or stops a base backup of the server' };
const SESSION_LOCK: KnownEffect = { kind: 'session-lock', reason: 'takes a session-level lock that outlives the rollback' };

/**
 * Functions whose effect survives ROLLBACK, by unqualified name (extensions such as dblink and
 * adminpack may live in any schema). Reads are not here: `lo_import`, `pg_read_file` and
 * `COPY … FROM 'file'` leave nothing behind that a rollback would have to undo. Neither are
 * `pg_notify` (delivered at commit) and the `_xact_` advisory locks (released by the rollback).
 */
const FUNCTION_EFFECTS: ReadonlyMap<string, KnownEffect> = new Map([
  ['lo_export', FILE_WRITE],
  ['pg_file_write', FILE_WRITE],
  ['pg_file_rename', { kind: 'file', reason: 'renames a file on the database server' }],
  ['pg_file_unlink', { kind: 'file', reason: 'deletes a file on the database server' }],
  ['dblink', REMOTE_SQL],
  ['dblink_exec', REMOTE_SQL],
  ['dblink_send_query', REMOTE_SQL],
  ['dblink_connect', REMOTE_CONNECTION],
  ['dblink_connect_u', REMOTE_CONNECTION],
  ['pg_terminate_backend', { kind: 'other-session', reason: 'ends another session' }],
  ['pg_cancel_backend', { kind: 'other-session', reason: "cancels another session's query" }],
  ['pg_reload_conf', { kind: 'server', reason: "reloads the server's configuration" }],
  ['pg_rotate_logfile', { kind: 'server', reason: "rotates the server's log file" }],
  ['pg_switch_wal', { kind: 'server', reason: 'switches the server to a new WAL file' }],
  ['pg_create_restore_point', { kind: 'server', reason: "writes a restore point into the server's WAL" }],
  ['pg_promote', { kind: 'server', reason: 'promotes a standby server to primary' }],
  ['pg_wal_replay_pause', { kind: 'server', reason: 'pauses WAL replay on a standby server' }],
  ['pg_wal_replay_resume', { kind: 'server', reason: 'resumes WAL replay on a standby server' }],
  ['pg_create_physical_replication_slot', CREATE_SLOT],
  ['pg_create_logical_replication_slot', CREATE_SLOT],
  ['pg_copy_physical_replication_slot', CREATE_SLOT],
  ['pg_copy_logical_replication_slot', CREATE_SLOT],
  ['pg_drop_replication_slot', { kind: 'server', reason: 'drops a replication slot' }],
  ['pg_replication_slot_advance', CONSUME_SLOT],
  ['pg_logical_slot_get_changes', CONSUME_SLOT],
  ['pg_logical_slot_get_binary_changes', CONSUME_SLOT],
  [
    'pg_logical_emit_message',
    {
      kind: 'server',
      reason: 'writes a message to the write-ahead log that logical decoding reads even after a rollback (unless it is transactional)',
    },
  ],
  ['pg_stat_reset', RESET_STATISTICS],
  ['pg_stat_reset_shared', RESET_STATISTICS],
  ['pg_stat_reset_single_table_counters', RESET_STATISTICS],
  ['pg_stat_reset_single_function_counters', RESET_STATISTICS],
  ['pg_stat_reset_slru', RESET_STATISTICS],
  ['pg_stat_reset_replication_slot', RESET_STATISTICS],
  ['pg_stat_statements_reset', RESET_STATISTICS],
  ['pg_backup_start', BACKUP],
  ['pg_backup_stop', BACKUP],
  ['pg_start_backup', BACKUP],
  ['pg_stop_backup', BACKUP],
  ['pg_advisory_lock', SESSION_LOCK],
  ['pg_advisory_lock_shared', SESSION_LOCK],
  ['pg_try_advisory_lock', SESSION_LOCK],
  ['pg_try_advisory_lock_shared', SESSION_LOCK],
  ['nextval', { kind: 'sequence', reason: (s) => (s ? `advances the sequence ${s}` : 'advances a sequence') }],
  ['setval', { kind: 'sequence', reason: (s) => (s ? `sets the sequence ${s}` : 'sets a sequence') }],
]);

/**
 * True when the text may call one of the functions: a cheap test that spares nearly every
 * statement the walk of its tree. Names are case-insensitive in SQL unless quoted, so a quoted
 * `"NEXTVAL"` passes here and is then told apart by the tree.
 */
export function mayCallEffectFunction(text: string): boolean {
  return MAY_CALL.test(text);
}

const MAY_CALL = new RegExp([...FUNCTION_EFFECTS.keys()].join('|'), 'i');

/** The effect of a call of `name` (unqualified, as the parser folded it), if it has one outside the transaction. */
export function functionEffect(name: string, sequence: string | undefined, span: Span): OutsideEffect | undefined {
  const known = FUNCTION_EFFECTS.get(name);
  if (!known) return undefined;
  const reason = typeof known.reason === 'string' ? known.reason : known.reason(sequence);
  return { kind: known.kind, reason, what: `${name}()`, span };
}

/**
 * `COPY … TO/FROM PROGRAM` and `COPY … TO 'file'`, naming the file when the text does; undefined
 * for STDIN/STDOUT and for reading a file.
 */
export function copyEffect(
  direction: 'to' | 'from',
  program: boolean,
  toFile: boolean,
  filename: string | undefined,
  span: Span,
): OutsideEffect | undefined {
  const what = `COPY … ${direction.toUpperCase()}`;
  if (program) return { kind: 'program', reason: 'runs a program on the database server', what: `${what} PROGRAM`, span };
  if (direction === 'to' && toFile) {
    const reason = filename === undefined ? 'writes a file on the database server' : `writes the file ${filename} on the database server`;
    return { kind: 'file', reason, what: `${what} a file`, span };
  }
  return undefined;
}

/** `LOAD 'library'`: the library's initialisation code runs in the server process and stays loaded. */
export function loadEffect(span: Span): OutsideEffect {
  return { kind: 'server', reason: 'loads a shared library into the server process', what: 'LOAD', span };
}

/** Words before a function's name that make it a reference to the function, not a call. */
const NOT_A_CALL = ['function', 'procedure', 'routine', 'aggregate'];

/**
 * The same effects read from the tokens of a statement the grammar rejects (or was not given):
 * `COPY … PROGRAM`, `COPY … TO 'file'`, `LOAD`, and calls of the functions by name.
 */
export function outsideEffectsFromTokens(t: TokenText): readonly OutsideEffect[] {
  let found: OutsideEffect[] | undefined;
  const add = (effect: OutsideEffect | undefined) => effect && (found ??= []).push(effect);
  if (t.isWord(0, 'copy')) {
    const direction = t.findAtDepth(1, (i) => t.isWord(i, 'to', 'from'));
    if (direction >= 0) {
      const program = t.isWord(direction + 1, 'program');
      const file = program ? direction + 2 : direction + 1;
      const literal = literalValue(t, file);
      const named = literal !== undefined || t.tokens[file]?.type === 'psql-variable';
      const span = t.span(direction, named ? file : program ? direction + 1 : direction);
      add(copyEffect(t.isWord(direction, 'to') ? 'to' : 'from', program, named, literal, span));
    }
  } else if (t.isWord(0, 'load')) {
    add(loadEffect(t.span(0, 0)));
  }
  // Inside CREATE (a function, a view, a default) the calls are a definition, not run now.
  if (!t.isWord(0, 'create') && MAY_CALL.test(t.text)) {
    for (let i = 0; i < t.length; i++) {
      if (t.tokens[i]!.type !== 'word' || !FUNCTION_EFFECTS.has(t.words[i]!) || !t.is(i + 1, '(')) continue;
      const start = t.is(i - 1, '.') && t.isName(i - 2) ? i - 2 : i;
      if (t.isWord(start - 1, ...NOT_A_CALL)) continue;
      add(functionEffect(t.words[i]!, literalValue(t, i + 2), t.span(start, i)));
    }
  }
  return found ?? NO_OUTSIDE_EFFECTS;
}

/** The value of the string literal at `i`, if there is one (quotes undoubled, dollar tags removed). */
function literalValue(t: TokenText, i: number): string | undefined {
  const type = t.tokens[i]?.type;
  const literal = t.words[i]!;
  if (type === 'dollar-string') {
    const tag = literal.slice(0, literal.indexOf('$', 1) + 1);
    return literal.slice(tag.length, -tag.length);
  }
  if (type !== 'string') return undefined;
  const quote = literal.indexOf("'");
  return literal.slice(quote + 1, -1).replace(/''/g, "'");
}

/** Words after which a PL/pgSQL statement starts with no `;` before it. */
const PLPGSQL_BLOCK_WORDS = ['begin', 'declare', 'then', 'else', 'loop', 'exception'];

/**
 * The effects of a PL/pgSQL body that runs now (a DO block), spans relative to the body: each of
 * its statements read like a statement the grammar rejects, so that calls inside a CREATE in the
 * body still count as a definition and `COPY … PROGRAM` is known at the start of a statement.
 */
export function outsideEffectsOfBody(body: string): OutsideEffect[] {
  if (!MAY_CALL.test(body) && !/\b(copy|load)\b/i.test(body)) return [];
  const t = new TokenText(body);
  const found: OutsideEffect[] = [];
  let first = 0;
  for (let i = 0; i <= t.length; i++) {
    const boundary = i === t.length || t.is(i, ';') || t.isWord(i, ...PLPGSQL_BLOCK_WORDS);
    if (!boundary) continue;
    if (i > first) {
      const from = t.tokens[first]!.start;
      const part = new TokenText(body.slice(from, t.tokens[i - 1]!.end));
      for (const effect of outsideEffectsFromTokens(part)) found.push({ ...effect, span: shiftSpan(effect.span, from) });
    }
    first = i + 1;
  }
  return found;
}

/**
 * Why a preview must not run this statement, if it must not: it has an effect outside the
 * transaction that the preview's ROLLBACK would leave behind. Sequences are not a reason (a preview
 * reports them instead): every INSERT into a serial column advances one too.
 */
export function previewRefusal(statement: Pick<Statement, 'outsideEffects'>): string | undefined {
  const refused = statement.outsideEffects.filter((e) => e.kind !== 'sequence');
  if (refused.length === 0) return undefined;
  return [...new Set(refused.map((e) => `${e.reason} (${e.what})`))].join('; ');
}
