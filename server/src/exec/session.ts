import { Client, type FieldDef } from 'pg';
import { connectionError, ExecError, statementError } from './errors';
import { planConnection, type ConnectionIdentity, type ConnectionTarget, type PasswordSource } from './connection';

/** Every value comes back as PostgreSQL's text output: exact, and valid input for the reversal script. */
const TEXT_ONLY = { getTypeParser: () => (value: string) => value };

export interface Rows {
  fields: FieldDef[];
  rows: (string | null)[][];
  command: string;
  rowCount: number;
}

/** What the server says it is: the cluster and database a preview and its commit must both reach. */
export interface ServerIdentity {
  /** `system_identifier/database`: survives renames and DNS changes, differs between clusters. */
  fingerprint: string;
  systemIdentifier: string;
  database: string;
  version: string;
  versionNumber: number;
  /** The database's OID: a database renamed into the previewed one's name has another. */
  databaseOid: string;
  /** Output settings the before-image was written with; the reversal script restores them. */
  outputSettings: Record<string, string>;
}

/**
 * Settings that decide how values are written as text, pinned in every session of the engine so
 * that a captured row reads back exactly whatever the server, database or role configure:
 * `extra_float_digits = 0` would round floats, `bytea_output = escape` and the non-ISO date styles
 * (time zone abbreviations) are not always read back as written. DateStyle keeps the server's
 * field order (DMY, MDY), which decides how the user's own date literals read.
 * `standard_conforming_strings` also decides where a string ends, and must match the lexer's view.
 * Each value is an SQL expression (DateStyle's reads the current one).
 */
const PINNED_SETTINGS: Record<string, string> = {
  extra_float_digits: "'3'",
  bytea_output: "'hex'",
  DateStyle: `'ISO, ' || COALESCE(NULLIF(pg_catalog.btrim(pg_catalog.split_part(pg_catalog.current_setting('DateStyle'), ',', 2)), ''), 'MDY')`,
  IntervalStyle: "'postgres'",
  standard_conforming_strings: "'on'",
};

/** Settings the values' text depends on without being lossy; recorded so the reversal reads them back alike. */
const OUTPUT_SETTINGS = [...Object.keys(PINNED_SETTINGS), 'TimeZone', 'lc_monetary', 'xmloption'];

/** The open transaction's identity: its id (none on a standby, where nothing can be written) and start time. */
const TRANSACTION_MARK = `SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN '' ELSE pg_catalog.txid_current()::pg_catalog.text END
  || '@' || pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS'),
  ${Object.keys(PINNED_SETTINGS)
    .map((name) => `pg_catalog.current_setting('${name}')`)
    .join(', ')}`;

/** The start of the names of safesql's own savepoint and cursors, which no user statement may use. */
export const RESERVED_PREFIX = '__safesql';

/** safesql's own savepoint around each statement. */
const SAVEPOINT = `${RESERVED_PREFIX}_statement`;

export interface TimeLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

export interface TransactionOptions {
  isolation?: 'serializable' | 'repeatable read' | 'read committed' | 'read uncommitted';
  readOnly?: boolean;
  deferrable?: boolean;
}

/**
 * Thrown when the engine finds its transaction gone after a statement: that statement committed
 * (or ended) the transaction, so what ran before it may be committed. Never a preview result.
 */
export class TransactionEscaped extends Error {
  constructor(
    readonly statementNumber: number,
    readonly detail: string,
  ) {
    super(
      `statement ${statementNumber} ended safesql's transaction (${detail}): what ran before it may have been COMMITTED; check the database`,
    );
  }
}

/** How long a cancelled statement gets to stop before the connection is closed under it. */
const CANCEL_GRACE_MS = 3_000;

/**
 * One connection to PostgreSQL, used for one preview or one commit. Statements go through the
 * extended protocol, so a text the splitter took for one statement can never run as two.
 */
export class Session {
  /** The statement in flight, which `cancel` waits for. */
  private running: Promise<unknown> | undefined;

  private constructor(
    private readonly client: Client,
    private readonly target: ConnectionTarget,
    private readonly passwords: PasswordSource | undefined,
    readonly identity: ConnectionIdentity,
    readonly server: ServerIdentity,
    readonly backendPid: number,
  ) {}

  static async open(target: ConnectionTarget, passwords?: PasswordSource): Promise<Session> {
    const { identity, config } = planConnection(target, passwords);
    const client = new Client({ ...config, types: TEXT_ONLY });
    // A connection dropped by the server must not become an unhandled 'error' event.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw connectionError(error, identity);
    }
    try {
      // If safesql dies mid-transaction, the server notices within a second (PostgreSQL 14+, on
      // platforms that support it, hence on its own) and rolls back, instead of holding the
      // transaction's locks until its statement ends.
      await client.query("SELECT set_config('client_connection_check_interval', '1000', false)").catch(() => undefined);
      const { server, backendPid } = await pinAndIdentify(client);
      return new Session(client, target, passwords, identity, server, backendPid);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw statementError(error);
    }
  }

  /** Opens a session for `work`, cancels its statement when `signal` aborts, and always closes it. */
  static async with<T>(
    target: ConnectionTarget,
    passwords: PasswordSource | undefined,
    signal: AbortSignal | undefined,
    work: (session: Session) => Promise<T>,
  ): Promise<T> {
    const session = await Session.open(target, passwords);
    const onAbort = () => void session.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      return await work(session);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await session.close();
    }
  }

  /** Runs one statement; its failure is an ExecError carrying PostgreSQL's message and position. */
  async run(text: string, values?: unknown[]): Promise<Rows> {
    const query = this.client.query<(string | null)[]>({ text, values, rowMode: 'array', queryMode: 'extended' } as never);
    this.running = query;
    try {
      const result = await query;
      return { fields: result.fields, rows: result.rows, command: result.command, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw statementError(error);
    } finally {
      if (this.running === query) this.running = undefined;
    }
  }

  /**
   * The only way text reaches the server through the simple query protocol (which runs as many
   * statements as it is given): safesql's own transaction control, built here from constants,
   * whitelisted options and integers. No text taken from a document ever comes this way.
   */
  private async control(text: string): Promise<void> {
    try {
      await this.client.query(text);
    } catch (error) {
      throw statementError(error);
    }
  }

  /** BEGIN with the block's options, then the time limits local to this transaction; returns its mark. */
  async begin(options: TransactionOptions, limits: TimeLimits): Promise<string> {
    const parts = ['BEGIN'];
    if (options.isolation) parts.push(`ISOLATION LEVEL ${ISOLATION_LEVELS[options.isolation]}`);
    if (options.readOnly !== undefined) parts.push(options.readOnly ? 'READ ONLY' : 'READ WRITE');
    if (options.deferrable !== undefined) parts.push(options.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE');
    await this.control(`${parts.join(' ')}; ${timeouts(limits, 'local')}`);
    return (await this.transactionState()).mark;
  }

  /**
   * A read-only transaction that sees exactly what another session's transaction saw when it
   * exported `snapshot` (see `exportSnapshot`), with the same time limits.
   */
  async beginAtSnapshot(snapshot: string, limits: TimeLimits): Promise<void> {
    // The identifier comes from the server, but it is spliced into SQL: only its documented shape passes.
    if (!/^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/.test(snapshot)) throw new ExecError('statement', `unexpected snapshot identifier ${snapshot}`);
    await this.control(
      `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshot}'; ${timeouts(limits, 'local')}`,
    );
  }

  /**
   * What the open transaction sees now, for another session to see too (`beginAtSnapshot`); never
   * inside a savepoint. `visible`: the same snapshot as `xmin:xmax:xip` (see `currentSnapshot`).
   */
  async exportSnapshot(): Promise<{ id: string; visible: string }> {
    const [id, visible] = (await this.run(`SELECT pg_catalog.pg_export_snapshot(), ${this.snapshotText()}`)).rows[0]!;
    return { id: id!, visible: visible! };
  }

  /** The snapshot a statement would run with now, as `xmin:xmax:xip,…` (which transactions it sees as still running). */
  async currentSnapshot(): Promise<string> {
    return (await this.run(`SELECT ${this.snapshotText()}`)).rows[0]![0]!;
  }

  private snapshotText(): string {
    return this.server.versionNumber >= 130000
      ? 'pg_catalog.pg_current_snapshot()::pg_catalog.text'
      : 'pg_catalog.txid_current_snapshot()::pg_catalog.text';
  }

  /** The statement and lock time limits, for this transaction (`local`) or this session. */
  async setTimeouts(limits: TimeLimits, scope: 'local' | 'session'): Promise<void> {
    await this.control(timeouts(limits, scope));
  }

  async savepoint(): Promise<void> {
    await this.control(`SAVEPOINT ${SAVEPOINT}`);
  }

  async releaseSavepoint(): Promise<void> {
    await this.control(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  }

  async rollbackToSavepoint(): Promise<void> {
    await this.control(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
  }

  async commit(): Promise<void> {
    await this.control('COMMIT');
  }

  /**
   * Throws TransactionEscaped unless the session is still inside the transaction `mark` names, with
   * the output settings still pinned (a statement that changed them would make its capture lossy).
   */
  async assertSameTransaction(mark: string, statementNumber: number): Promise<void> {
    let state: { mark: string; settings: Record<string, string> };
    try {
      state = await this.transactionState();
    } catch (error) {
      throw new TransactionEscaped(statementNumber, `its state could not be read: ${(error as Error).message}`);
    }
    if (state.mark !== mark) throw new TransactionEscaped(statementNumber, `the transaction ${mark} became ${state.mark}`);
    for (const [name, value] of Object.entries(state.settings)) {
      const pinned = this.server.outputSettings[name];
      if (value !== pinned) {
        throw new ExecError(
          'statement',
          `statement ${statementNumber} changes ${name} (to ${value}), which safesql keeps at ${pinned} so that the rows it captures read back exactly; leave it out of the statements safesql runs`,
        );
      }
    }
  }

  private async transactionState(): Promise<{ mark: string; settings: Record<string, string> }> {
    const { rows } = await this.client.query<(string | null)[]>({ text: TRANSACTION_MARK, rowMode: 'array' } as never);
    const [mark, ...values] = rows[0]!;
    return { mark: mark ?? '', settings: Object.fromEntries(Object.keys(PINNED_SETTINGS).map((name, i) => [name, values[i] ?? ''])) };
  }

  /**
   * Stops the running statement: a cancel request from a second connection, then, if the statement
   * has not stopped within a grace period, closing this connection (the server then rolls back).
   */
  async cancel(): Promise<void> {
    const running = this.running;
    if (!running) return;
    const settled = running.then(
      () => true,
      () => true,
    );
    const sendCancel = async () => {
      const helper = await Session.openBare(this.target, this.passwords);
      try {
        await helper.query('SELECT pg_cancel_backend($1)', [this.backendPid]);
      } finally {
        await helper.end().catch(() => undefined);
      }
    };
    const grace = new Promise<false>((resolve) => setTimeout(() => resolve(false), CANCEL_GRACE_MS).unref());
    const stopped = await Promise.race([
      settled,
      sendCancel().then(
        () => Promise.race([settled, grace]),
        () => grace,
      ),
    ]);
    if (!stopped) this.destroy();
  }

  private static async openBare(target: ConnectionTarget, passwords?: PasswordSource): Promise<Client> {
    const { config } = planConnection(target, passwords);
    const client = new Client({ ...config, application_name: 'safesql (cancel)' });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** Ends the open transaction unchanged: ROLLBACK, or, should even that fail, closing the connection. */
  async rollback(): Promise<void> {
    await this.control('ROLLBACK').catch(() => this.destroy());
  }

  /** Closes the socket without a goodbye: PostgreSQL rolls back whatever transaction was open. */
  destroy(): void {
    (this.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

const ISOLATION_LEVELS: Record<NonNullable<TransactionOptions['isolation']>, string> = {
  serializable: 'SERIALIZABLE',
  'repeatable read': 'REPEATABLE READ',
  'read committed': 'READ COMMITTED',
  'read uncommitted': 'READ UNCOMMITTED',
};

function timeouts(limits: TimeLimits, scope: 'local' | 'session'): string {
  const set = scope === 'local' ? 'SET LOCAL' : 'SET';
  return `${set} statement_timeout = ${integer(limits.statementTimeoutMs)}; ${set} lock_timeout = ${integer(limits.lockTimeoutMs)}`;
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new ExecError('statement', `${value} is not a whole number of milliseconds`);
  return String(value);
}

/**
 * Pins the output settings and reads the server's identity, in one round trip: the settings are
 * set in a materialized CTE, which runs before the identity (with the values pinned) is read.
 */
async function pinAndIdentify(client: Client): Promise<{ server: ServerIdentity; backendPid: number }> {
  const pins = Object.entries(PINNED_SETTINGS).map(([name, pinned]) => `pg_catalog.set_config('${name}', ${pinned}, false)`);
  const { rows } = await client.query<Record<string, string>>(
    `WITH pinned AS MATERIALIZED (
       SELECT ${pins.join(', ')}, pg_catalog.set_config('idle_in_transaction_session_timeout', '60s', false)
     )
     SELECT (SELECT system_identifier::pg_catalog.text FROM pg_catalog.pg_control_system()) AS system_identifier,
            pg_catalog.current_database() AS database,
            (SELECT oid::pg_catalog.text FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) AS database_oid,
            pg_catalog.current_setting('server_version') AS version,
            pg_catalog.current_setting('server_version_num') AS version_number,
            pg_catalog.pg_backend_pid()::pg_catalog.text AS backend_pid,
            ${OUTPUT_SETTINGS.map((name) => `pg_catalog.current_setting('${name}') AS "${name}"`).join(', ')}
       FROM pinned`,
  );
  const row = rows[0]!;
  return {
    backendPid: Number(row.backend_pid),
    server: {
      fingerprint: `${row.system_identifier}/${row.database}`,
      systemIdentifier: row.system_identifier!,
      database: row.database!,
      databaseOid: row.database_oid!,
      version: row.version!,
      versionNumber: Number(row.version_number),
      outputSettings: Object.fromEntries(OUTPUT_SETTINGS.map((name) => [name, row[name]!])),
    },
  };
}
