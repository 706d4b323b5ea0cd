import * as vscode from 'vscode';
import type { ConnectionIdentity } from '../../../server/src/protocol';
/**
 * Passwords in the editor's SecretStorage, keyed by user, host, port and database: a workspace that
 * renames a connection or points it at another host can never receive a password saved for another.
 */
export declare class Passwords {
  private readonly secrets;
  constructor(secrets: vscode.SecretStorage);
  private key;
  get(identity: Omit<ConnectionIdentity, 'name'>): Thenable<string | undefined>;
  store(identity: Omit<ConnectionIdentity, 'name'>, password: string): Thenable<void>;
  delete(identity: Omit<ConnectionIdentity, 'name'>): Thenable<void>;
  /** Asks for a password and stores it; undefined when the user declines. */
  ask(identity: ConnectionIdentity): Promise<string | undefined>;
}
