import { analyzeDocument } from '../sql/analyze';
import { parseWithGrammar } from '../sql/grammar';
import { list, unwrap, walk } from '../sql/parseTree';
import { previewRefusal } from '../sql/outsideEffects';
import type { Statement } from '../sql/statement';
import { ExecError } from './errors';
import type { Session } from './session';

/**
 * What a preview's ROLLBACK does not take back, or cannot see: sequences (nextval through a
 * default, a serial or identity column, or called directly), and the user-defined volatile
 * functions a statement calls, whose effects elsewhere no row image shows.
 */

type SequenceStates = Map<string, string>;

/** Every readable sequence's state (`last_value`, or `-` before its first use), to compare after the unit. */
export async function sequenceStates(session: Session): Promise<SequenceStates> {
  // A sequence dropped by another session between the catalog scan and the read fails the query: read again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await readSequences(session);
    } catch (error) {
      if (attempt === SEQUENCE_READ_ATTEMPTS || !(error instanceof ExecError) || error.details.code !== 'XX000') throw error;
    }
  }
}

const SEQUENCE_READ_ATTEMPTS = 3;

async function readSequences(session: Session): Promise<SequenceStates> {
  const { rows } = await session.run(
    `SELECT pg_catalog.format('%I.%I', schemaname, sequencename), COALESCE(last_value::pg_catalog.text, '-'),
            increment_by::pg_catalog.text, start_value::pg_catalog.text
       FROM pg_catalog.pg_sequences`,
  );
  return new Map(rows.map(([name, value, increment, start]) => [name!, `${value}/${increment}/${start}`]));
}

/** One sentence per sequence that moved between the two readings. */
export function sequencesAdvanced(before: SequenceStates, after: SequenceStates): string[] {
  const moved: string[] = [];
  for (const [name, now] of after) {
    const was = before.get(name);
    if (was === undefined || was === now) continue;
    const [from, increment, start] = was.split('/');
    const [to] = now.split('/');
    // Before its first use a sequence's next value is its start: reaching `to` took one more step.
    const steps =
      to === '-' || !Number(increment)
        ? undefined
        : from === '-'
          ? (Number(to) - Number(start)) / Number(increment) + 1
          : (Number(to) - Number(from)) / Number(increment);
    moved.push(
      `sequence ${name} advanced${steps !== undefined && Number.isFinite(steps) ? ` by ${steps}` : ''} (from ${from === '-' ? 'unused' : from} to ${to}); sequences are not rolled back`,
    );
  }
  return moved.sort();
}

/** The names of the functions a statement calls, as written (`schema.name` or `name`), from its parse tree. */
export function calledFunctions(statement: Statement): string[] {
  const parsed = parseWithGrammar(statement.text);
  if (!parsed.ok) return [];
  const names = new Set<string>();
  walk(parsed.statements, (type, fields) => {
    if (type === 'FuncCall')
      names.add(
        list(fields.funcname)
          .map((part) => String(unwrap(part)?.[1].sval ?? ''))
          .join('.'),
      );
  });
  return [...names];
}

/** How `names` match functions as the session resolves them: qualified exactly, unqualified through the search_path. */
const CALLED = `JOIN pg_catalog.unnest($1::pg_catalog.text[]) AS called(name)
  ON CASE WHEN called.name LIKE '%.%' THEN n.nspname || '.' || p.proname = called.name
          ELSE p.proname = called.name AND pg_catalog.pg_function_is_visible(p.oid) END`;

/** A volatile function a unit calls, as the session resolves it. */
export interface VolatileCall {
  signature: string;
  /** In pg_catalog (random(), clock_timestamp()): named, never read. */
  builtIn: boolean;
  language: string;
  trusted: boolean;
  source: string;
}

/**
 * The volatile functions among `names` (random(), clock_timestamp(), the user's own), resolved as the
 * session would resolve them (an unqualified name through the search_path), in signature order.
 */
export async function volatileCalls(session: Session, names: string[]): Promise<VolatileCall[]> {
  if (names.length === 0) return [];
  const { rows } = await session.run(
    `SELECT DISTINCT p.oid::pg_catalog.regprocedure::pg_catalog.text, (n.nspname = 'pg_catalog')::pg_catalog.text,
            l.lanname::pg_catalog.text, l.lanpltrusted::pg_catalog.text, p.prosrc
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
       JOIN pg_catalog.pg_language l ON l.oid = p.prolang ${CALLED}
      WHERE p.provolatile = 'v' AND n.nspname <> 'information_schema'
      ORDER BY 1`,
    [names],
  );
  return rows.map(([signature, builtIn, language, trusted, source]) => ({
    signature: signature!,
    builtIn: builtIn === 'true',
    language: language!,
    trusted: trusted === 'true',
    source: source ?? '',
  }));
}

/**
 * Why a preview must not make these calls, if it must not: a user-defined function whose body (SQL
 * or PL/pgSQL, read like top-level SQL) has an effect outside the transaction (dblink, COPY …
 * PROGRAM, …), or one in an untrusted language, which can do anything outside the database.
 */
export function functionRefusal(calls: VolatileCall[]): string | undefined {
  for (const { signature, builtIn, language, trusted, source } of calls) {
    if (builtIn) continue;
    if (language === 'sql' || language === 'plpgsql') {
      const body = language === 'sql' ? source : `DO $__safesql_body$${source}$__safesql_body$;`;
      const reasons = analyzeDocument(body).statements.flatMap((statement) => previewRefusal(statement) ?? []);
      if (reasons.length > 0) return `it calls ${signature}, which ${reasons.join('; ')}`;
    } else if (!trusted && language !== 'c' && language !== 'internal') {
      return `it calls ${signature}, written in the untrusted language ${language}, which can act outside the database where no rollback reaches`;
    }
  }
  return undefined;
}
