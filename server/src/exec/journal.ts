import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../config/inputError';
import type { ConnectionIdentity } from './connection';
import type { Environment } from '../protocol';
import type { UndoAvailability } from './results';
import type { Reversal } from './reversal';
import type { TableColumn } from './tables';

/** The full images of one statement's rows, as committed. */
export interface JournalImage {
  statement: number;
  command: string;
  table?: string;
  columns: string[];
  /** What the reversal needs of the table (entries written since the reversal is built at undo time). */
  layout?: { columns: TableColumn[]; primaryKey: string[] };
  before?: (string | null)[][];
  after?: (string | null)[][];
}

/** One commit, written before PostgreSQL is asked to COMMIT. */
export interface JournalEntry {
  id: string;
  at: string;
  /** The journal entry this commit undid, for an undo. */
  undoOf?: string;
  connection: ConnectionIdentity;
  fingerprint: string;
  /** The database's OID, so that an undo cannot reach another database renamed into its name. */
  databaseOid?: string;
  environment: Environment;
  /** Where the statement came from (a file path or an editor URI), when known. */
  source?: string;
  text: string;
  digest: string;
  affectedRows: number;
  statements: {
    statement: number;
    command: string;
    table?: string;
    affectedRows: number;
    /** The digest of the rows it changed (see guard.ts), which an undo must restore exactly. */
    digest?: { rows: number; before: string; after: string };
  }[];
  images: JournalImage[];
  /** Whether it can be undone, as said at commit; the reversal is built from the images when an undo asks. */
  undo?: UndoAvailability;
  /** The output settings the images' values were written under, which the reversal reads them back with. */
  outputSettings?: Record<string, string>;
  /** The reversal itself, in entries written before it was built at undo time. */
  reversal?: Reversal;
}

export type JournalStatus = 'pending' | 'committed' | 'aborted';

/** A statement that ended the engine's transaction: something may have been committed that nobody confirmed. */
export interface JournalIncident {
  at: string;
  during: 'preview' | 'commit';
  connection: ConnectionIdentity;
  fingerprint: string;
  text: string;
  digest: string;
  /** 1-based number of the statement after which the transaction was gone. */
  statement: number;
  message: string;
}

type JournalRecord =
  | ({ type: 'entry' } & JournalEntry)
  | { type: 'outcome'; id: string; at: string; status: Exclude<JournalStatus, 'pending'>; reason?: string }
  | ({ type: 'incident' } & JournalIncident);

export interface JournalListing extends JournalEntry {
  /** `pending`: the process stopped between writing the entry and learning whether COMMIT succeeded. */
  status: JournalStatus;
  reason?: string;
  /** The entry that undid this one, if any. */
  undoneBy?: string;
}

/** An entry as the editor lists it: without its row images, with the reversal built from them. */
export type JournalSummary = Omit<JournalListing, 'images' | 'reversal'> & { reversal: Reversal };

/** About how many characters go to the file at a time. */
const WRITE_CHUNK = 1 << 20;

/** Rows serialized at a time within a long array. */
const ROWS_PER_PIECE = 1_000;

/**
 * `JSON.stringify(value)`, in pieces: objects key by key, long arrays a slice at a time, everything
 * else whole. For the plain data a journal holds (no toJSON, no functions), the pieces join into
 * exactly what JSON.stringify writes.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  if (Array.isArray(value)) {
    if (value.length <= ROWS_PER_PIECE) {
      yield JSON.stringify(value);
      return;
    }
    for (let i = 0; i < value.length; i += ROWS_PER_PIECE) {
      const slice = JSON.stringify(value.slice(i, i + ROWS_PER_PIECE));
      yield `${i === 0 ? '[' : ','}${slice.slice(1, -1)}`;
    }
    yield ']';
    return;
  }
  if (value === null || typeof value !== 'object') {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  let first = true;
  yield '{';
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* jsonPieces(item);
  }
  yield '}';
}

/** Where the CLI keeps its journal and previews: `$SAFESQL_HOME`, else `~/.safesql`. */
export function safesqlHome(): string {
  return process.env.SAFESQL_HOME || join(homedir(), '.safesql');
}

/**
 * The undo journal: an append-only JSON-lines file that only this user can read (it holds row
 * data). Each commit appends its entry (images and reversal) before COMMIT and its outcome after,
 * so a crash in between leaves an entry marked as pending rather than a change without a record.
 */
export class Journal {
  constructor(readonly path: string) {}

  static inDirectory(directory: string): Journal {
    return new Journal(join(directory, 'journal', 'journal.jsonl'));
  }

  static newId(now = new Date()): string {
    return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomBytes(3).toString('hex')}`;
  }

  async write(entry: JournalEntry): Promise<void> {
    await this.append({ type: 'entry', ...entry });
  }

  async settle(id: string, status: 'committed' | 'aborted', reason?: string): Promise<void> {
    await this.append({ type: 'outcome', id, at: new Date().toISOString(), status, ...(reason ? { reason } : {}) });
  }

  async recordIncident(incident: JournalIncident): Promise<void> {
    await this.append({ type: 'incident', ...incident });
  }

  private async append(record: JournalRecord): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const file = await open(this.path, 'a', 0o600);
    try {
      // An entry's images can be tens of megabytes: written in pieces rather than as one string.
      let pending = '';
      for (const piece of jsonPieces(record)) {
        pending += piece;
        if (pending.length >= WRITE_CHUNK) {
          await file.write(pending);
          pending = '';
        }
      }
      await file.write(`${pending}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /** Every record, oldest first. A damaged line is skipped, not fatal. */
  private async records(): Promise<JournalRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        // a line cut short by a crash
      }
    }
    return records;
  }

  /** Every entry, oldest first, with what became of it. */
  async list(): Promise<JournalListing[]> {
    const entries = new Map<string, JournalListing>();
    for (const record of await this.records()) {
      if (record.type === 'entry') {
        const { type: _type, ...entry } = record;
        entries.set(entry.id, { ...entry, status: 'pending' });
      } else if (record.type === 'outcome') {
        const entry = entries.get(record.id);
        if (entry) Object.assign(entry, { status: record.status }, record.reason ? { reason: record.reason } : {});
      }
    }
    for (const entry of entries.values()) {
      if (entry.undoOf && entry.status === 'committed') {
        const undone = entries.get(entry.undoOf);
        if (undone) undone.undoneBy = entry.id;
      }
    }
    return [...entries.values()];
  }

  /** One entry by id (or a unique prefix of it); the latest committed, not yet undone one without. */
  async find(id?: string): Promise<JournalListing | undefined> {
    const entries = await this.list();
    if (!id) return entries.reverse().find((e) => e.status === 'committed' && !e.undoneBy && !e.undoOf);
    const exact = entries.find((e) => e.id === id);
    if (exact) return exact;
    const matches = entries.filter((e) => e.id.startsWith(id));
    if (matches.length > 1) throw new InputError(`"${id}" matches ${matches.length} journal entries; give more of the id`);
    return matches[0];
  }
}
