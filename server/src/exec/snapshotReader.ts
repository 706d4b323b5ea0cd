import type { ConnectionTarget, PasswordSource } from './connection';
import { ExecError } from './errors';
import { Session, type Rows, type TimeLimits } from './session';

/** How long the reader's transaction may take to start before the reads fall back to the transaction itself. */
const START_WITHIN_MS = 1_000;

/**
 * A second session that reads what the preview's transaction sees, while that transaction runs the
 * statement. A row change's preview needs the rows as they were before it (the first ones to show,
 * and the versions of all of them for the digest); read before the statement, on the same
 * connection, they cost nearly as much as the statement itself.
 *
 * Used only where the two sessions see the same rows: for the first statement of a unit (nothing
 * of the transaction's own is then visible to it but not to an importer of its snapshot), and only
 * when the second connection reaches another backend of the same database, checked before the
 * transaction begins (an embedded server or a pooler that multiplexes one backend would queue the
 * reader behind the very transaction it is to read beside). Whoever uses it falls back to reading in
 * the transaction itself when it is not there or does not start at once.
 */
export class SnapshotReader {
  private constructor(
    private readonly session: Session,
    private readonly limits: TimeLimits,
  ) {}

  /**
   * A reader beside `main`, which must not be in a transaction yet; undefined when the second
   * connection fails or reaches the same backend (then closed).
   */
  static async open(
    main: Session,
    target: ConnectionTarget,
    passwords: PasswordSource | undefined,
    limits: TimeLimits,
  ): Promise<SnapshotReader | undefined> {
    const session = await Session.open(target, passwords).catch(() => undefined);
    if (!session) return undefined;
    const { server } = session;
    if (
      server.fingerprint === main.server.fingerprint &&
      server.databaseOid === main.server.databaseOid &&
      session.backendPid !== main.backendPid
    ) {
      return new SnapshotReader(session, limits);
    }
    await session.close();
    return undefined;
  }

  /**
   * Runs `work` in a read-only transaction at `snapshot` (exported by the transaction to read
   * beside), under the same time limits, then ends it. Failures are the caller's to fall back from.
   */
  async read<T>(snapshot: string, work: (run: (text: string) => Promise<Rows>) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.session.destroy();
        reject(new ExecError('connection', `the second session did not start its transaction within ${START_WITHIN_MS} ms`));
      }, START_WITHIN_MS);
    });
    try {
      await Promise.race([this.session.beginAtSnapshot(snapshot, this.limits), late]);
    } finally {
      clearTimeout(timer);
    }
    try {
      return await work((text) => this.session.run(text));
    } finally {
      await this.session.rollback();
    }
  }

  /** Its backend, which the live-database check must not count as somebody else. */
  get backendPid(): number {
    return this.session.backendPid;
  }

  /** Stops whatever it is reading: the connection closes, and the server ends its transaction. */
  destroy(): void {
    this.session.destroy();
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
