import { Client, type FieldDef } from 'pg';
import { connectionError, statementError } from './errors';
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
  /** Output settings the before-image was written with; the reversal script restores them. */
  outputSettings: Record<string, string>;
}

const OUTPUT_SETTINGS = ['TimeZone', 'DateStyle', 'IntervalStyle', 'bytea_output', 'extra_float_digits'];

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
      // If safesql dies mid-transaction, the server notices within a second (PostgreSQL 14+) and rolls
      // back, instead of holding the transaction's locks until its statement ends.
      await client.query("SELECT set_config('client_connection_check_interval', '1000', false)").catch(() => undefined);
      await client.query("SET idle_in_transaction_session_timeout = '60s'").catch(() => undefined);
      const server = await readServerIdentity(client);
      const pid = await client.query<{ pid: string }>('SELECT pg_backend_pid() AS pid');
      return new Session(client, target, passwords, identity, server, Number(pid.rows[0]!.pid));
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
  async run(text: string): Promise<Rows> {
    const query = this.client.query<(string | null)[]>({ text, rowMode: 'array', queryMode: 'extended' } as never);
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

  /** Runs statements of safesql's own (BEGIN, SET LOCAL, ROLLBACK) through the simple protocol. */
  async control(text: string): Promise<void> {
    try {
      await this.client.query(text);
    } catch (error) {
      throw statementError(error);
    }
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

async function readServerIdentity(client: Client): Promise<ServerIdentity> {
  const { rows } = await client.query<Record<string, string>>(
    `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
            current_database() AS database,
            current_setting('server_version') AS version,
            current_setting('server_version_num') AS version_number,
            ${OUTPUT_SETTINGS.map((name) => `current_setting('${name}') AS "${name}"`).join(', ')}`,
  );
  const row = rows[0]!;
  return {
    fingerprint: `${row.system_identifier}/${row.database}`,
    systemIdentifier: row.system_identifier!,
    database: row.database!,
    version: row.version!,
    versionNumber: Number(row.version_number),
    outputSettings: Object.fromEntries(OUTPUT_SETTINGS.map((name) => [name, row[name]!])),
  };
}
