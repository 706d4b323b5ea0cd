import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { identityKey, planConnection } from '../../../server/src/exec/connection';
import { SSL_MODES, type ConnectionSetting } from '../../../server/src/config/settings';
import {
  CLIENT_COMMANDS,
  ENVIRONMENTS,
  LSP_REQUESTS,
  SETTINGS,
  settingName,
  type TestConnectionResult,
} from '../../../server/src/protocol';
import { describeConnection, type Connections } from './connections';
import type { Passwords } from './passwords';
import { trustedOrExplain } from '../trust';
import type { ConnectionItem } from './tree';

interface Services {
  connections: Connections;
  passwords: Passwords;
  ready: Promise<LanguageClient>;
  output: vscode.OutputChannel;
}

const CONNECTIONS_UNTRUSTED =
  'This workspace is not trusted, so safesql neither uses nor changes connections here (it still checks the SQL). Trust the workspace to add or edit connections.';

const ENVIRONMENT_DETAIL: Record<string, string> = {
  production: 'real users, real data: commits need the name typed',
  staging: 'shared pre-production',
  development: 'a shared development database',
  local: 'your own machine: no live-database check',
};

export function registerConnectionCommands(services: Services): vscode.Disposable[] {
  const { connections } = services;
  return [
    vscode.commands.registerCommand(CLIENT_COMMANDS.selectConnection, async (item?: ConnectionItem) => {
      if (item?.connection) return connections.setActive(item.connection.name);
      const scope = vscode.window.activeTextEditor?.document.uri;
      const add = { label: '$(add) Add a connection…', name: undefined as string | undefined, add: true };
      const none = { label: '$(circle-slash) No connection', name: undefined as string | undefined, add: false };
      const picked = await vscode.window.showQuickPick(
        [
          ...connections.list(scope).map((c) => ({
            label: c.name,
            description: c.environment ?? 'production (no environment set)',
            detail: describeConnection(c),
            name: c.name as string | undefined,
            add: false,
          })),
          none,
          add,
        ],
        { title: 'safesql: connection for this workspace', placeHolder: 'A file can override it with -- safesql:connection <name>' },
      );
      if (!picked) return;
      if (picked.add) return vscode.commands.executeCommand(CLIENT_COMMANDS.addConnection);
      return connections.setActive(picked.name);
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.addConnection, async () => {
      if (!trustedOrExplain(CONNECTIONS_UNTRUSTED)) return;
      const definition = await askConnection(services, undefined);
      if (!definition) return;
      await updateConnections(definition.name, (list) => [...list, definition]);
      // The user typed this host in: asking "connect?" before its first run would be noise.
      await connections.approve(definition);
      if (!connections.activeName) await connections.setActive(definition.name);
      void vscode.window.showInformationMessage(`safesql: connection "${definition.name}" added (${definition.environment}).`);
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.editConnection, async (item?: ConnectionItem) => {
      if (!trustedOrExplain(CONNECTIONS_UNTRUSTED)) return;
      const existing = item?.connection ?? (await pick(connections, 'Edit which connection?'));
      if (!existing) return;
      const definition = await askConnection(services, existing);
      if (!definition) return;
      const changes = connectionChanges(existing, definition);
      // A connection that becomes production (or stops being it) is said out loud and confirmed.
      if ((existing.environment ?? 'production') !== definition.environment) {
        const answer = await vscode.window.showWarningMessage(
          `Change "${existing.name}" from ${existing.environment ?? 'production'} to ${definition.environment}?`,
          { modal: true, detail: changes.join('\n') },
          'Change',
        );
        if (answer !== 'Change') return;
      }
      if (changes.length > 0)
        await updateConnections(existing.name, (list) => list.map((c) => (c.name === existing.name ? definition : c)));
      await connections.approve(definition);
      if (connections.activeName === existing.name) await connections.setActive(definition.name);
      void vscode.window.showInformationMessage(
        changes.length > 0
          ? `safesql: connection "${definition.name}" updated: ${changes.join(', ')}.`
          : `safesql: connection "${definition.name}" unchanged.`,
      );
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.removeConnection, async (item?: ConnectionItem) => {
      const existing = item?.connection ?? (await pick(connections, 'Remove which connection?'));
      if (!existing) return;
      const answer = await vscode.window.showWarningMessage(`Remove connection "${existing.name}"?`, { modal: true }, 'Remove');
      if (answer !== 'Remove') return;
      await updateConnections(existing.name, (list) => list.filter((c) => c.name !== existing.name));
      const rest = connections.list();
      // The password goes too, unless another connection reaches the same user, server and database.
      const identity = planConnection(existing).identity;
      const shared = rest.some((c) => identityKey(planConnection(c).identity) === identityKey(identity));
      if (!shared) await services.passwords.delete(identity);
      if (connections.activeName === existing.name) await connections.setActive(undefined);
    }),
    vscode.commands.registerCommand(CLIENT_COMMANDS.testConnection, async (item?: ConnectionItem) => {
      if (!trustedOrExplain()) return;
      const existing = item?.connection ?? (await pick(connections, 'Test which connection?'));
      if (!existing) return;
      if (!(await connections.confirmUse(vscode.window.activeTextEditor?.document, existing.name))) return;
      const client = await services.ready;
      const uri =
        (vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.toString() ?? 'untitled:safesql';
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `safesql: connecting to ${existing.name}…`, cancellable: true },
          (_progress, token) => client.sendRequest<TestConnectionResult>(LSP_REQUESTS.testConnection, { uri, name: existing.name }, token),
        );
        connections.learn(existing.name, result.environment, result.reasons);
        services.output.appendLine(`tested ${existing.name}: ${result.version}, server ${result.fingerprint}, ${result.environment}`);
        const warning = result.reasons.length ? ` ⚠ ${result.reasons.join(' ')}` : '';
        await vscode.window.showInformationMessage(
          `safesql: "${existing.name}" answers: PostgreSQL ${result.version}, server ${result.fingerprint}, ${result.environment.toUpperCase()}.${warning}`,
        );
      } catch (error) {
        await vscode.window.showErrorMessage(`safesql: ${(error as Error).message}`);
      }
    }),
  ];
}

async function pick(connections: Connections, title: string): Promise<ConnectionSetting | undefined> {
  const list = connections.list();
  const picked = await vscode.window.showQuickPick(
    list.map((c) => ({ label: c.name, description: c.environment ?? 'production' })),
    { title: `safesql: ${title}` },
  );
  return picked && list.find((c) => c.name === picked.label);
}

/**
 * A single choice that starts on `current` (a plain quick pick starts on its first item, so pressing
 * Enter through an edit would quietly pick that instead); undefined when dismissed.
 */
function pickOne<T extends vscode.QuickPickItem>(
  items: T[],
  current: string | undefined,
  options: { title: string; placeholder: string },
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const quickPick = vscode.window.createQuickPick<T>();
    quickPick.title = options.title;
    quickPick.placeholder = options.placeholder;
    quickPick.ignoreFocusOut = true;
    quickPick.items = items;
    const start = items.find((item) => item.label === current);
    if (start) quickPick.activeItems = [start];
    let chosen: T | undefined;
    quickPick.onDidAccept(() => {
      chosen = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      quickPick.dispose();
      resolve(chosen);
    });
    quickPick.show();
  });
}

/** What an edit changed, in words ("environment development → production"); empty when nothing did. */
export function connectionChanges(before: ConnectionSetting, after: ConnectionSetting): string[] {
  const fields = ['name', 'environment', 'host', 'port', 'database', 'user', 'sslmode'] as const;
  return fields.flatMap((field) => {
    const was = before[field] ?? (field === 'environment' ? 'production (not set)' : '');
    const now = after[field] ?? '';
    return String(was) === String(now) ? [] : [`${field} ${String(was) || '(none)'} → ${String(now) || '(none)'}`];
  });
}

/** The form, as a sequence of validated input boxes and quick picks; undefined when cancelled. */
async function askConnection(services: Services, existing: ConnectionSetting | undefined): Promise<ConnectionSetting | undefined> {
  const defined = services.connections.defined();
  const taken = new Set([...defined.connections.map((c) => c.name), ...Object.keys(defined.conflicts)]);
  if (existing) taken.delete(existing.name);
  const title = existing ? `safesql: edit "${existing.name}"` : 'safesql: add a connection';
  const name = await vscode.window.showInputBox({
    title,
    prompt: 'Name (a production commit asks for it to be typed)',
    value: existing?.name ?? '',
    ignoreFocusOut: true,
    validateInput: (v) =>
      !v.trim()
        ? 'a name is needed'
        : taken.has(v.trim())
          ? `"${v.trim()}" exists already`
          : /\s/.test(v.trim())
            ? 'no spaces, please'
            : undefined,
  });
  if (name === undefined) return undefined;
  const environment = await pickOne(
    ENVIRONMENTS.map((e) => ({ label: e, detail: ENVIRONMENT_DETAIL[e] })),
    existing?.environment,
    { title, placeholder: 'Environment (a name or host that looks like production counts as production anyway)' },
  );
  if (!environment) return undefined;
  const required = (what: string, value: string) =>
    vscode.window.showInputBox({
      title,
      prompt: what,
      value,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : `${what.toLowerCase()} is needed`),
    });
  const host = await required('Host', existing?.host ?? 'localhost');
  if (host === undefined) return undefined;
  const port = await vscode.window.showInputBox({
    title,
    prompt: 'Port',
    value: String(existing?.port ?? 5432),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'a port number from 1 to 65535'),
  });
  if (port === undefined) return undefined;
  const database = await required('Database', existing?.database ?? '');
  if (database === undefined) return undefined;
  const user = await required('User', existing?.user ?? 'postgres');
  if (user === undefined) return undefined;
  const sslmode = await pickOne(
    SSL_MODES.map((m) => ({ label: m })),
    existing?.sslmode ?? 'prefer',
    { title, placeholder: 'SSL mode (libpq sslmode)' },
  );
  if (!sslmode) return undefined;
  const definition: ConnectionSetting = {
    name: name.trim(),
    environment: environment.label,
    host: host.trim(),
    port: Number(port),
    database: database.trim(),
    user: user.trim(),
    sslmode: sslmode.label,
  };
  const identity = planConnection(definition).identity;
  const password = await vscode.window.showInputBox({
    title,
    prompt: `Password for ${identity.user}@${identity.host}:${identity.port}/${identity.database} — kept in the editor's secret storage, never in settings. ${
      existing ? 'Leave empty to keep the one stored (if any).' : 'Leave empty to use none (or ~/.pgpass).'
    }`,
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return undefined;
  if (password) await services.passwords.store(identity, password);
  return definition;
}

/**
 * Changes the list in the scope that defines the connection (a new one goes to the workspace when
 * one is open, so the team can share it), leaving the other scope's entries where they are.
 */
async function updateConnections(name: string, change: (list: ConnectionSetting[]) => ConnectionSetting[]): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(SETTINGS.section);
  const key = settingName(SETTINGS.connections);
  const inspected = configuration.inspect<ConnectionSetting[]>(key);
  const inWorkspace = inspected?.workspaceValue?.some((c) => c.name === name);
  const inGlobal = inspected?.globalValue?.some((c) => c.name === name);
  const target =
    inWorkspace || (!inGlobal && vscode.workspace.workspaceFolders)
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  const current = (target === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  await configuration.update(key, change(current), target);
}
