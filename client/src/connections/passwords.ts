import * as vscode from 'vscode';
import { identityKey, legacyIdentityKey } from '../../../server/src/exec/connection';
import type { ConnectionIdentity } from '../../../server/src/protocol';

/**
 * Passwords in the editor's SecretStorage, keyed by user, host, port and database: a workspace that
 * renames a connection or points it at another host can never receive a password saved for another.
 */
export class Passwords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(identity: Omit<ConnectionIdentity, 'name'>): string {
    return `safesql.password:${identityKey(identity)}`;
  }

  async get(identity: Omit<ConnectionIdentity, 'name'>): Promise<string | undefined> {
    const stored = await this.secrets.get(this.key(identity));
    if (stored !== undefined) return stored;
    // Moved from the key of earlier versions, where that key cannot belong to another identity.
    const legacy = legacyIdentityKey(identity);
    const old = legacy === undefined ? undefined : await this.secrets.get(`safesql.password:${legacy}`);
    if (old === undefined) return undefined;
    await this.secrets.store(this.key(identity), old);
    await this.secrets.delete(`safesql.password:${legacy}`);
    return old;
  }

  store(identity: Omit<ConnectionIdentity, 'name'>, password: string): Thenable<void> {
    return this.secrets.store(this.key(identity), password);
  }

  async delete(identity: Omit<ConnectionIdentity, 'name'>): Promise<void> {
    await this.secrets.delete(this.key(identity));
    const legacy = legacyIdentityKey(identity);
    if (legacy !== undefined) await this.secrets.delete(`safesql.password:${legacy}`);
  }

  /** Asks for a password and stores it; undefined when the user declines. */
  async ask(identity: ConnectionIdentity): Promise<string | undefined> {
    const typed = await vscode.window.showInputBox({
      title: `safesql: password for ${identity.name}`,
      prompt: `${identity.user}@${identity.host}:${identity.port}/${identity.database} — kept in the editor's secret storage, never in settings`,
      password: true,
      ignoreFocusOut: true,
    });
    if (typed === undefined) return undefined;
    if (typed !== '') await this.store(identity, typed);
    return typed;
  }
}
