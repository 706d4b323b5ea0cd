import type { DatabaseError } from 'pg';
import { describeIdentity, redact, type ConnectionIdentity } from './connection';

/** `escaped`: a statement ended safesql's transaction, so something may have been committed. */
export type ExecErrorKind = 'connection' | 'statement' | 'timeout' | 'cancelled' | 'escaped';

/**
 * Something the database or the network said no to: one clear line for the user (the CLI prints it
 * and exits 2), never a stack trace and never a password. Nothing was changed when it is thrown.
 */
export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(
    readonly kind: ExecErrorKind,
    message: string,
    readonly details: StatementErrorDetails = {},
  ) {
    super(redact(message));
  }
}

/** What PostgreSQL adds to an error, kept for the results view. */
export interface StatementErrorDetails {
  code?: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text, when PostgreSQL gives one. */
  position?: number | undefined;
}

const CANCELED = '57014';
const LOCK_NOT_AVAILABLE = '55P03';
const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof Error && typeof (error as DatabaseError).code === 'string' && 'severity' in error;
}

/** Why a connection could not be opened, in words a user can act on. */
export function connectionError(error: unknown, identity: ConnectionIdentity): ExecError {
  const where = `${identity.name} (${describeIdentity(identity)})`;
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = error instanceof Error ? error.message : String(error);
  let reason: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = `host "${identity.host}" cannot be found`;
  else if (code === 'ECONNREFUSED')
    reason = `connection refused at ${identity.host}:${identity.port}: is PostgreSQL running and listening there?`;
  else if (code === 'ETIMEDOUT' || /timeout/i.test(message)) reason = `no answer from ${identity.host}:${identity.port} within 10 s`;
  else if (code === 'ECONNRESET') reason = `the server closed the connection (${message})`;
  else if (code === '28P01') reason = `password authentication failed for user "${identity.user}"`;
  else if (code === '3D000') reason = `database "${identity.database}" does not exist`;
  else if (/password must be a string|no password/i.test(message))
    reason = 'the server asks for a password and none was found (PGPASSWORD, ~/.pgpass, or the password stored by the editor)';
  else reason = message;
  return new ExecError('connection', `cannot connect to ${where}: ${reason}`);
}

/** A statement's failure, with PostgreSQL's own message and what it adds. */
export function statementError(error: unknown): ExecError {
  if (!isDatabaseError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    if (/Connection terminated|connection .*closed|ECONNRESET/i.test(message)) {
      return new ExecError('connection', `the connection was lost while the statement ran (${message}); the transaction was rolled back`);
    }
    return new ExecError('statement', message);
  }
  const details: StatementErrorDetails = {
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error.position ? { position: Number(error.position) } : {}),
  };
  if (error.code === CANCELED) {
    const timedOut = /statement timeout/i.test(error.message);
    return new ExecError(
      timedOut ? 'timeout' : 'cancelled',
      timedOut ? 'the statement ran past its time limit and was stopped' : 'cancelled',
      details,
    );
  }
  if (error.code === LOCK_NOT_AVAILABLE) {
    return new ExecError('timeout', `${error.message}: another session holds a lock the statement needs`, details);
  }
  if (error.code === IDLE_IN_TRANSACTION_TIMEOUT) return new ExecError('timeout', error.message, details);
  return new ExecError('statement', error.message, details);
}
