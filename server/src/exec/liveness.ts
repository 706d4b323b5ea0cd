import { plural } from '../plural';
import type { Session } from './session';

/**
 * "Is anybody using this database?" — answered from the server, not assumed: the sessions of other
 * clients, and what the statistics say about writes to the tables a statement touches.
 */
export interface Liveness {
  checkedAt: string;
  sessions: {
    /** Other client sessions on this database. */
    others: number;
    active: number;
    idleInTransaction: number;
    applications: string[];
    /** Seconds since the most recent activity of another session. */
    secondsSinceActivity?: number;
    /** Sessions whose state this role may not see (needs pg_read_all_stats). */
    hidden: number;
  };
  tables: TableActivity[];
  /** Other sessions that hold or wait for a lock on the tables right now: they are using them (open transactions included). */
  locks?: TableLock[];
  /** Rows written to the tables between the preview and the commit, by any session (commit only). */
  writesSincePreview?: { table: string; rows: number }[];
  summary: string[];
}

export interface TableActivity {
  oid: string;
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
  liveRows: number;
  modifiedSinceAnalyze: number;
  secondsSinceAnalyze?: number;
  /** PostgreSQL 16+: seconds since any scan of the table, i.e. since somebody last read it. */
  secondsSinceRead?: number;
}

/** `ours`: the backends of safesql's own other sessions, which are not somebody else. */
export interface TableLock {
  table: string;
  pid: number;
  application: string;
  user: string;
  /** `active`, `idle in transaction`, … (null: a role whose activity this role cannot see). */
  state: string | null;
  /** Seconds since its transaction (or, outside one, its statement) began. */
  seconds?: number;
  mode: string;
  granted: boolean;
}

/** Lock holders listed at most. */
const LOCKS_LISTED = 20;

export async function checkLiveness(session: Session, tableOids: string[], ours: number[] = []): Promise<Liveness> {
  const sessions = await session.run(
    `SELECT count(*), count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state LIKE 'idle in transaction%'),
            coalesce(json_agg(DISTINCT application_name) FILTER (WHERE application_name <> ''), '[]'),
            extract(epoch FROM clock_timestamp() - max(greatest(state_change, query_start, backend_start)))::bigint,
            count(*) FILTER (WHERE state IS NULL)
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> ALL ($1::int[]) AND backend_type = 'client backend'`,
    [ours],
  );
  const [others, active, idleInTransaction, applications, seconds, hidden] = sessions.rows[0]!;
  const oids = tableOids.filter((oid) => /^\d+$/.test(oid));
  let tables: TableActivity[] = [];
  let locks: TableLock[] = [];
  if (oids.length > 0) {
    const held = await session.run(
      `SELECT l.relation::pg_catalog.regclass::pg_catalog.text, a.pid::pg_catalog.text, COALESCE(a.application_name, ''), COALESCE(a.usename::pg_catalog.text, ''), a.state,
              extract(epoch FROM clock_timestamp() - COALESCE(a.xact_start, a.query_start, a.backend_start))::bigint::pg_catalog.text, l.mode, l.granted::pg_catalog.text
         FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
          AND l.relation IN (${oids.join(', ')}) AND l.pid <> pg_catalog.pg_backend_pid() AND l.pid <> ALL ($1::int[])
        ORDER BY l.granted DESC, 6 DESC NULLS LAST, 2 LIMIT ${LOCKS_LISTED}`,
      [ours],
    );
    locks = held.rows.map(([table, pid, application, user, state, seconds, mode, granted]) => ({
      table: table!,
      pid: Number(pid),
      application: application ?? '',
      user: user ?? '',
      state,
      ...(seconds !== null && seconds !== undefined ? { seconds: Number(seconds) } : {}),
      mode: mode!,
      granted: granted === 'true',
    }));
    // Our own rolled-back preview counts as writes too: publish it now, so that a later check can tell it apart.
    await session.run('SELECT pg_stat_force_next_flush()').catch(() => undefined);
    const lastRead =
      session.server.versionNumber >= 160000
        ? 'extract(epoch FROM clock_timestamp() - greatest(last_seq_scan, last_idx_scan))::bigint'
        : 'NULL::bigint';
    const result = await session.run(
      `SELECT relid, schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_mod_since_analyze,
              extract(epoch FROM clock_timestamp() - greatest(last_autoanalyze, last_analyze))::bigint, ${lastRead}
         FROM pg_stat_user_tables WHERE relid IN (${oids.join(', ')}) ORDER BY 2`,
    );
    tables = result.rows.map(([oid, table, inserted, updated, deleted, live, modified, analyzed, read]) => ({
      oid: oid!,
      table: table!,
      inserted: Number(inserted),
      updated: Number(updated),
      deleted: Number(deleted),
      liveRows: Number(live),
      modifiedSinceAnalyze: Number(modified),
      ...(analyzed !== null ? { secondsSinceAnalyze: Number(analyzed) } : {}),
      ...(read !== null ? { secondsSinceRead: Number(read) } : {}),
    }));
  }
  const liveness: Liveness = {
    checkedAt: new Date().toISOString(),
    sessions: {
      others: Number(others),
      active: Number(active),
      idleInTransaction: Number(idleInTransaction),
      applications: JSON.parse(applications ?? '[]') as string[],
      ...(seconds !== null && seconds !== undefined ? { secondsSinceActivity: Number(seconds) } : {}),
      hidden: Number(hidden),
    },
    tables,
    ...(locks.length > 0 ? { locks } : {}),
    summary: [],
  };
  liveness.summary = summarize(liveness);
  return liveness;
}

/** The commit's check, compared with the preview's: what others wrote in between. */
export function withWritesSince(preview: Liveness | undefined, now: Liveness): Liveness {
  if (!preview) return now;
  const writesSincePreview = now.tables.flatMap((table) => {
    const before = preview.tables.find((t) => t.oid === table.oid);
    if (!before) return [];
    const rows = table.inserted + table.updated + table.deleted - (before.inserted + before.updated + before.deleted);
    return rows > 0 ? [{ table: table.table, rows }] : [];
  });
  const result = { ...now, writesSincePreview };
  return { ...result, summary: summarize(result) };
}

function span(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

function ago(seconds: number): string {
  return `${span(seconds)} ago`;
}

function summarize(live: Liveness): string[] {
  const lines: string[] = [];
  const s = live.sessions;
  if (s.others === 0) {
    lines.push('No other client is connected to this database.');
  } else {
    const apps = s.applications.length > 0 ? `; applications: ${s.applications.join(', ')}` : '';
    const when = s.secondsSinceActivity !== undefined ? `; last activity ${ago(s.secondsSinceActivity)}` : '';
    const states = [`${s.active} active`, ...(s.idleInTransaction > 0 ? [`${s.idleInTransaction} idle in a transaction`] : [])];
    lines.push(`${plural(s.others, 'other client session')} on this database (${states.join(', ')})${apps}${when}.`);
    if (s.hidden > 0) lines.push(`${s.hidden} of them belong to other roles whose activity this role cannot see.`);
  }
  for (const t of live.tables) {
    const analyzed =
      t.secondsSinceAnalyze !== undefined ? ` since the last analyze ${ago(t.secondsSinceAnalyze)}` : ' since statistics began';
    const read = t.secondsSinceRead !== undefined ? `; last read ${ago(t.secondsSinceRead)}` : '';
    lines.push(`${t.table}: ${t.liveRows} live rows, ${t.modifiedSinceAnalyze} modified${analyzed}${read}.`);
  }
  for (const lock of live.locks ?? []) {
    const who = `${lock.application || 'a session'} (user ${lock.user || 'unknown'}, pid ${lock.pid}${lock.state ? `, ${lock.state}` : ''}${lock.seconds !== undefined ? ` for ${span(lock.seconds)}` : ''})`;
    lines.push(`${lock.table}: ${who} ${lock.granted ? 'holds' : 'is waiting for'} ${lock.mode} on it now.`);
  }
  for (const w of live.writesSincePreview ?? []) lines.push(`${w.table}: ${w.rows} rows written since the preview.`);
  return lines;
}
