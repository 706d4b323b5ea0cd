import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveEnvironment } from '../../server/src/config/environment';
import { InputError } from '../../server/src/config/inputError';
import { findConnection, readSettings, resolveConnections, type ConnectionSetting } from '../../server/src/config/settings';
import { loadSettingsFile } from '../../server/src/config/settingsFile';
import { workspace } from '../helpers/cli';

const real = { name: 'prod', environment: 'production', host: 'db.client.example', database: 'shop' };
const spoof = { name: 'prod', environment: 'production', host: 'collector.attacker.example', database: 'shop' };

describe('resolveConnections: a name is defined once', () => {
  it('uses every connection defined once, from every place, in order', () => {
    const resolved = resolveConnections([
      { place: 'user settings', connections: [{ name: 'a', host: 'h1' }] },
      { place: 'workspace settings', connections: [{ name: 'b', host: 'h2' }, { name: 'c' }] },
      { place: 'folder settings', connections: undefined },
    ]);
    assert.deepEqual(resolved.errors, []);
    assert.deepEqual(resolved.conflicts, {});
    assert.deepEqual(
      resolved.connections.map((c) => c.name),
      ['a', 'b', 'c'],
    );
  });

  it('a name defined twice in one file is an error naming both entries, and neither is used', () => {
    const resolved = resolveConnections([{ place: '.vscode/settings.json', connections: [spoof, { name: 'dev' }, real] }]);
    assert.deepEqual(
      resolved.connections.map((c) => c.name),
      ['dev'],
    );
    assert.equal(resolved.errors.length, 1);
    const [error] = resolved.errors as [string];
    assert.equal(resolved.conflicts.prod, error);
    assert.match(error, /^connection "prod" is defined twice: /);
    assert.ok(error.includes('.vscode/settings.json: "safesql.connections"[0]'), error);
    assert.ok(error.includes('.vscode/settings.json: "safesql.connections"[2]'), error);
    assert.match(error, /rename or remove/);
  });

  it('a name defined in user and in workspace settings is an error naming both places, not "the workspace wins"', () => {
    const resolved = resolveConnections([
      { place: 'user settings', connections: [real] },
      { place: 'workspace settings (.vscode/settings.json)', connections: [spoof] },
    ]);
    assert.deepEqual(resolved.connections, []);
    const error = resolved.conflicts.prod!;
    assert.ok(error.includes('user settings: "safesql.connections"[0]'), error);
    assert.ok(error.includes('workspace settings (.vscode/settings.json): "safesql.connections"[0]'), error);
  });

  it('counts three definitions, and identical duplicates are duplicates too', () => {
    const resolved = resolveConnections([
      { place: 'a', connections: [real] },
      { place: 'b', connections: [real, real] },
    ]);
    assert.deepEqual(resolved.connections, []);
    assert.match(resolved.conflicts.prod!, /is defined 3 times: in a: .*\[0\] and in b: .*\[0\] and in b: .*\[1\]/);
  });

  it('an entry refused for another reason (a password, a bad port) still claims its name: the other one is not used either', () => {
    const resolved = resolveConnections([
      { place: 'user settings', connections: [real] },
      { place: 'workspace settings', connections: [{ ...spoof, password: 'hunter2' }, { name: 'dev', port: 'x' }, { name: 'dev' }] },
    ]);
    assert.deepEqual(resolved.connections, []);
    assert.ok(
      resolved.errors.some((e) => /"\[0\] has a "password"/.test(e)),
      resolved.errors.join('\n'),
    );
    assert.ok(!resolved.errors.join('\n').includes('hunter2'));
    assert.match(resolved.conflicts.prod!, /in user settings: .*\[0\] and in workspace settings: .*\[0\]/);
    assert.match(resolved.conflicts.dev!, /in workspace settings: .*\[1\] and in workspace settings: .*\[2\]/);
  });
});

describe('findConnection', () => {
  it('gives the connection defined once, and an InputError naming both places for one defined twice', () => {
    const { settings, errors } = readSettings({ 'safesql.connections': [real, { name: 'dev' }, spoof] }, '.vscode/settings.json');
    assert.equal(errors.length, 1);
    assert.deepEqual(findConnection(settings, 'dev', 'x'), { name: 'dev' });
    assert.throws(
      () => findConnection(settings, 'prod', 'x'),
      (error: unknown) => error instanceof InputError && error.message === errors[0],
    );
    assert.throws(
      () => findConnection(settings, 'nope', '.vscode/settings.json'),
      /^InputError: no connection named "nope" \(.vscode\/settings.json; known: dev\)$/,
    );
  });

  it('reads the same from the nested form the editor hands the language server', () => {
    const { settings, errors } = readSettings({ connections: [real, spoof] }, 'editor settings', true);
    assert.equal(errors.length, 1);
    assert.deepEqual(settings.connections, []);
    assert.throws(
      () => findConnection(settings, 'prod', 'x'),
      /defined twice: in editor settings: "safesql.connections"\[0\] and in editor settings: "safesql.connections"\[1\]/,
    );
  });
});

describe('loadSettingsFile: a duplicated name makes the whole file an error', () => {
  it('throws an InputError that names both entries', () => {
    const dir = workspace({ '.vscode/settings.json': `{\n  // two of them\n  "safesql.connections": ${JSON.stringify([spoof, real])}\n}` });
    assert.throws(
      () => loadSettingsFile(join(dir, '.vscode/settings.json'), '.vscode/settings.json'),
      (error: unknown) =>
        error instanceof InputError &&
        error.message.includes('"safesql.connections"[0]') &&
        error.message.includes('"safesql.connections"[1]') &&
        error.message.startsWith('connection "prod" is defined twice'),
    );
  });
});

describe('resolveEnvironment reads every part of a connection', () => {
  const cases: { label: string; fields: Partial<ConnectionSetting>; url: string; why: RegExp }[] = [
    {
      label: 'database',
      fields: { host: 'db.example', database: 'shop_prod' },
      url: 'postgres://db.example/shop_prod',
      why: /database "shop_prod"/,
    },
    {
      label: 'host',
      fields: { host: 'prod-db.example', database: 'shop' },
      url: 'postgres://prod-db.example:5432/shop',
      why: /host "prod-db.example"/,
    },
    {
      label: 'user',
      fields: { user: 'live_writer', host: 'db', database: 'shop' },
      url: 'postgres://live_writer@db/shop',
      why: /user "live_writer"/,
    },
    {
      label: 'host as a parameter',
      fields: { host: 'db.prd.example', database: 'shop' },
      url: 'postgres:///shop?host=db.prd.example',
      why: /host "db.prd.example"/,
    },
    {
      label: 'database and user as parameters',
      fields: { database: 'production', user: 'me' },
      url: 'postgres://db/?dbname=production&user=me',
      why: /database "production"/,
    },
  ];
  for (const { label, fields, url, why } of cases) {
    it(`labelled local, a production-looking ${label} counts as production, written as fields or as a url`, () => {
      const asFields = resolveEnvironment({ name: 'scratch', environment: 'local', ...fields });
      const asUrl = resolveEnvironment({ name: 'scratch', environment: 'local', url });
      assert.equal(asFields.environment, 'production');
      assert.equal(asUrl.environment, 'production');
      assert.match(asFields.escalation!, why);
      assert.match(asUrl.escalation!, why);
    });
  }

  it('leaves a connection whose parts do not look like production at its label, fields or url alike', () => {
    for (const environment of ['local', 'development', 'staging'] as const) {
      assert.deepEqual(resolveEnvironment({ name: 'x', environment, host: 'db.example', database: 'products', user: 'prodigy' }), {
        environment,
      });
      assert.deepEqual(resolveEnvironment({ name: 'x', environment, url: 'postgres://prodigy@db.example:5432/products?sslmode=require' }), {
        environment,
      });
    }
  });

  it('never repeats a password, and a url that cannot be read counts as production', () => {
    const unreadable = resolveEnvironment({ name: 'x', environment: 'local', url: 'postgres://me:secret-pw@[::1:5432/x' });
    assert.equal(unreadable.environment, 'production');
    assert.doesNotMatch(unreadable.escalation!, /secret-pw/);
    const withPassword = resolveEnvironment({ name: 'x', environment: 'local', url: 'postgres://me:prod@db/shop' });
    assert.equal(withPassword.environment, 'local', 'the password is not a part that names an environment');
  });
});
