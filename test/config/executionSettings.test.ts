import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_EXECUTION_SETTINGS, readExecutionSettings } from '../../server/src/config/executionSettings';
import { InputError } from '../../server/src/config/inputError';
import { readSettings, urlHasPassword } from '../../server/src/config/settings';
import { loadSettingsFile } from '../../server/src/config/settingsFile';
import { workspace } from '../helpers/cli';

const SOURCE = '.vscode/settings.json';

/** The one error `raw` gives, which must name `key`. */
function onlyError(raw: unknown, key: string): string {
  const { errors } = readExecutionSettings(raw, SOURCE);
  assert.equal(errors.length, 1, `${JSON.stringify(raw)}: ${errors.join(' | ')}`);
  const [error] = errors as [string];
  assert.ok(error.startsWith(`${SOURCE}: "${key}`), `${JSON.stringify(raw)} → ${error}`);
  return error;
}

describe('readExecutionSettings: values it accepts', () => {
  it('gives the defaults when there is nothing to read', () => {
    for (const raw of [undefined, null, {}, 'text', 42, [], { 'safesql.rules': {} }]) {
      const { settings, errors } = readExecutionSettings(raw, SOURCE);
      assert.deepEqual(errors, [], JSON.stringify(raw));
      assert.deepEqual(settings, DEFAULT_EXECUTION_SETTINGS, JSON.stringify(raw));
    }
    assert.deepEqual(DEFAULT_EXECUTION_SETTINGS, {
      environments: {},
      maxAffectedRows: {},
      statementTimeoutMs: 60_000,
      lockTimeoutMs: 3_000,
      previewRowLimit: 100,
      previewMaxAgeSeconds: 600,
    });
  });

  it('reads every key of the flat settings.json form', () => {
    const { settings, errors } = readExecutionSettings(
      {
        'safesql.environments': { '7712683009961035884': 'production', '7712683009961035884/scratch': 'local', '42/a/b': 'staging' },
        'safesql.maxAffectedRows': { production: 10, staging: 1000, development: 0 },
        'safesql.statementTimeout': 5_000,
        'safesql.lockTimeout': 1,
        'safesql.previewRowLimit': 0,
        'safesql.previewMaxAge': 30,
      },
      SOURCE,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(settings, {
      environments: { '7712683009961035884': 'production', '7712683009961035884/scratch': 'local', '42/a/b': 'staging' },
      maxAffectedRows: { production: 10, staging: 1000, development: 0 },
      statementTimeoutMs: 5_000,
      lockTimeoutMs: 1,
      previewRowLimit: 0,
      previewMaxAgeSeconds: 30,
    });
  });

  it('reads the nested form the editor hands over, and only that form when nested', () => {
    const nested = readExecutionSettings({ environments: { '1': 'staging' }, lockTimeout: 250, previewMaxAge: 60 }, SOURCE, true);
    assert.deepEqual(nested.errors, []);
    assert.deepEqual(nested.settings, {
      ...DEFAULT_EXECUTION_SETTINGS,
      environments: { '1': 'staging' },
      lockTimeoutMs: 250,
      previewMaxAgeSeconds: 60,
    });

    const flatKeysWhenNested = readExecutionSettings({ 'safesql.lockTimeout': 250 }, SOURCE, true);
    assert.deepEqual(flatKeysWhenNested.settings, DEFAULT_EXECUTION_SETTINGS);
    const nestedKeysWhenFlat = readExecutionSettings({ lockTimeout: 250 }, SOURCE);
    assert.deepEqual(nestedKeysWhenFlat.settings, DEFAULT_EXECUTION_SETTINGS);
  });

  it('never shares its maps with the defaults', () => {
    const { settings } = readExecutionSettings(
      { 'safesql.environments': { '1': 'local' }, 'safesql.maxAffectedRows': { local: 5 } },
      SOURCE,
    );
    settings.environments['2'] = 'staging';
    settings.maxAffectedRows.production = 1;
    assert.deepEqual(DEFAULT_EXECUTION_SETTINGS.environments, {});
    assert.deepEqual(DEFAULT_EXECUTION_SETTINGS.maxAffectedRows, {});
    assert.deepEqual(readExecutionSettings({}, SOURCE).settings.environments, {});
  });
});

describe('readExecutionSettings: each invalid shape is a clear error naming its key', () => {
  it('safesql.environments that is not an object', () => {
    for (const value of [[], 'production', 7, null, true]) {
      const error = onlyError({ 'safesql.environments': value }, 'safesql.environments');
      assert.match(error, /must map server fingerprints to environments$/);
    }
  });

  it('safesql.environments keys that are not server fingerprints', () => {
    for (const key of ['prod-db', '', '12 34', '-1', '0x1F', '123/', '/db', 'db/123', '1.5', ' 123']) {
      const error = onlyError({ 'safesql.environments': { [key]: 'production' } }, 'safesql.environments');
      assert.ok(error.includes(`key "${key}" is not a server fingerprint`), error);
      assert.match(error, /the system identifier, optionally followed by \/database, as a preview shows it/);
    }
  });

  it('safesql.environments values that are not environments', () => {
    for (const value of ['prod', 'Production', '', null, 1, ['production']]) {
      const error = onlyError({ 'safesql.environments': { '123/db': value } }, 'safesql.environments.123/db');
      assert.ok(error.endsWith(`is ${JSON.stringify(value)}; use one of production, staging, development, local`), error);
    }
  });

  it('safesql.maxAffectedRows that is not an object, names no environment, or holds no row count', () => {
    for (const value of [[10], 10, 'production', null]) {
      assert.match(onlyError({ 'safesql.maxAffectedRows': value }, 'safesql.maxAffectedRows'), /must map environments to row counts$/);
    }
    assert.match(
      onlyError({ 'safesql.maxAffectedRows': { prod: 10 } }, 'safesql.maxAffectedRows'),
      /names "prod", which is not one of production, staging, development, local$/,
    );
    for (const cap of [-1, 1.5, '10', null, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      const error = onlyError({ 'safesql.maxAffectedRows': { production: cap } }, 'safesql.maxAffectedRows.production');
      assert.match(error, /; use a whole number of rows$/);
    }
  });

  it('time limits, row limit and preview age that are not whole numbers at or above their minimum', () => {
    const cases: [string, unknown, number][] = [
      ['safesql.statementTimeout', 0, 1],
      ['safesql.statementTimeout', '60s', 1],
      ['safesql.lockTimeout', -5, 1],
      ['safesql.lockTimeout', true, 1],
      ['safesql.previewRowLimit', -1, 0],
      ['safesql.previewRowLimit', 10.5, 0],
      ['safesql.previewMaxAge', 0, 1],
      ['safesql.previewMaxAge', null, 1],
      ['safesql.previewMaxAge', { seconds: 60 }, 1],
    ];
    for (const [key, value, minimum] of cases) {
      const error = onlyError({ [key]: value }, key);
      assert.equal(error, `${SOURCE}: "${key}" is ${JSON.stringify(value)}; use a whole number ≥ ${minimum}`);
    }
  });

  it('reports every problem at once and keeps the valid values (the defaults stand for the invalid ones)', () => {
    const { settings, errors } = readExecutionSettings(
      {
        'safesql.environments': { '1': 'production', nope: 'local', '2': 'live' },
        'safesql.maxAffectedRows': { production: 5, nowhere: 1 },
        'safesql.statementTimeout': 0,
        'safesql.lockTimeout': 100,
      },
      SOURCE,
    );
    assert.equal(errors.length, 4, errors.join('\n'));
    assert.ok(errors.some((e) => e.includes('key "nope"')));
    assert.ok(errors.some((e) => e.includes('"safesql.environments.2" is "live"')));
    assert.ok(errors.some((e) => e.includes('names "nowhere"')));
    assert.ok(errors.some((e) => e.includes('"safesql.statementTimeout" is 0')));
    assert.deepEqual(settings.environments, { '1': 'production' });
    assert.deepEqual(settings.maxAffectedRows, { production: 5 });
    assert.equal(settings.statementTimeoutMs, DEFAULT_EXECUTION_SETTINGS.statementTimeoutMs);
    assert.equal(settings.lockTimeoutMs, 100);
  });

  it('makes a settings file unusable as a whole: loadSettingsFile throws one InputError listing them', () => {
    const dir = workspace({ 'settings.json': '{ "safesql.lockTimeout": "3s", "safesql.environments": { "x": "local" } }' });
    assert.throws(
      () => loadSettingsFile(join(dir, 'settings.json'), 'settings.json'),
      (error: unknown) =>
        error instanceof InputError &&
        error.message ===
          'settings.json: "safesql.environments" key "x" is not a server fingerprint (the system identifier, optionally followed by /database, as a preview shows it)\n' +
            'settings.json: "safesql.lockTimeout" is "3s"; use a whole number ≥ 1',
    );
  });
});

describe('readSettings: connection checks', () => {
  const read = (connections: unknown[], nested = false) =>
    nested ? readSettings({ connections }, SOURCE, true) : readSettings({ 'safesql.connections': connections }, SOURCE);

  it('accepts connections without a password: url or host/port/database/user, known sslmodes', () => {
    const connections = [
      { name: 'url', environment: 'production', url: 'postgres://app@db.example.com:5432/shop?sslmode=require' },
      { name: 'url2', environment: 'staging', url: 'postgresql://db.example.com/shop' },
      { name: 'parts', environment: 'development', host: 'localhost', port: 5433, database: 'shop', user: 'me', sslmode: 'disable' },
      { name: 'bare' },
      ...['allow', 'prefer', 'require', 'verify-ca', 'verify-full'].map((sslmode) => ({ name: sslmode, sslmode })),
      { name: 'ports', port: 1 },
      { name: 'ports2', port: 65535 },
    ];
    const { settings, errors, warnings } = read(connections);
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings, []);
    assert.deepEqual(settings.connections, connections);
  });

  it('refuses a url with a password, in the user part or as a parameter, without repeating it', () => {
    for (const url of [
      'postgres://u:secret@h/db',
      'postgresql://u:secret@h:5432/db?sslmode=require',
      'postgres://u:p%40ss@h/db',
      'postgres://u:secret@with@h/db',
      'postgres://u@h/db?password=secret',
      'postgres://u@h/db?sslmode=require&PASSWORD=secret',
    ]) {
      const { settings, errors } = read([{ name: 'main', environment: 'production', url }, { name: 'other' }]);
      assert.equal(errors.length, 1, url);
      assert.match(
        errors[0]!,
        /^\.vscode\/settings\.json: "safesql\.connections"\[0\] has a password in its "url": passwords never belong in settings/,
      );
      assert.doesNotMatch(errors[0]!, /u:|password=|p%40ss|secret@/i, url);
      assert.deepEqual(
        settings.connections.map((c) => c.name),
        ['other'],
        'the refused connection is left out, the others kept',
      );
    }
  });

  it('refuses a "password" key', () => {
    const { settings, errors } = read([{ name: 'main', password: 'hunter2' }]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /"safesql\.connections"\[0\] has a "password": passwords never belong in settings/);
    assert.doesNotMatch(errors[0]!, /hunter2/);
    assert.deepEqual(settings.connections, []);
  });

  it('refuses a port that is not a number from 1 to 65535', () => {
    for (const port of [0, -1, 65536, 5432.5, '5432', null, Number.NaN]) {
      const { errors } = read([{ name: 'db', port }]);
      assert.deepEqual(
        errors,
        [`${SOURCE}: "safesql.connections"[0] has port ${JSON.stringify(port)}; use a number from 1 to 65535`],
        String(port),
      );
    }
  });

  it('refuses an sslmode libpq does not know', () => {
    for (const sslmode of ['on', 'true', 'REQUIRE', '', 1]) {
      const { errors } = read([{ name: 'db', sslmode }]);
      assert.deepEqual(
        errors,
        [
          `${SOURCE}: "safesql.connections"[0] has sslmode ${JSON.stringify(sslmode)}; use one of disable, allow, prefer, require, verify-ca, verify-full`,
        ],
        String(sslmode),
      );
    }
  });

  it('refuses other unusable connections: no name, a field that is not a string, a url that is not postgres://', () => {
    const { settings, errors } = read([
      { environment: 'local' },
      'db',
      { name: '' },
      { name: 'h', host: 5432 },
      { name: 'u', url: 'mysql://u@h/db' },
      { name: 'ok', environment: 'local' },
    ]);
    assert.deepEqual(errors, [
      `${SOURCE}: "safesql.connections"[0] needs a "name"`,
      `${SOURCE}: "safesql.connections"[1] needs a "name"`,
      `${SOURCE}: "safesql.connections"[2] needs a "name"`,
      `${SOURCE}: "safesql.connections"[3] has a "host" that is not a string`,
      `${SOURCE}: "safesql.connections"[4] has a "url" that is not a postgres:// connection string`,
    ]);
    assert.deepEqual(
      settings.connections.map((c) => c.name),
      ['ok'],
    );
  });

  it('only warns about an unknown environment (it counts as production) and keeps the connection', () => {
    const { settings, errors, warnings } = read([{ name: 'db', environment: 'prod' }]);
    assert.deepEqual(errors, []);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /has environment "prod", which is not one of production, staging, development, local: it is treated as production/,
    );
    assert.equal(settings.connections.length, 1);
  });

  it('applies the same checks to the nested form', () => {
    const { errors } = read(
      [
        { name: 'db', url: 'postgres://u:secret@h/db' },
        { name: 'p', port: 0 },
        { name: 's', sslmode: 'on' },
      ],
      true,
    );
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(errors[0]!, /has a password in its "url"/);
    assert.match(errors[1]!, /has port 0/);
    assert.match(errors[2]!, /has sslmode "on"/);
  });
});

describe('urlHasPassword', () => {
  it('finds a password in the user part or a password= parameter, and nowhere else', () => {
    const withPassword = [
      'postgres://u:secret@h/db',
      'postgres://u:@h/db',
      'postgres://:secret@h/db',
      'postgres://u:s:e@h/db',
      'postgres://u@h/db?password=x',
      'postgres://u@h/db?sslmode=disable&password=x',
    ];
    const without = [
      'postgres://u@h/db',
      'postgres://h:5432/db',
      'postgres://u@h:5432/db?sslmode=require',
      'postgres:///db?host=/var/run/postgresql',
      'postgres://u@h/db?passwordless=1',
      'postgres://h/db?application_name=a:b@c',
    ];
    for (const url of withPassword) assert.equal(urlHasPassword(url), true, url);
    for (const url of without) assert.equal(urlHasPassword(url), false, url);
  });

  it('finds a password= parameter whose name is percent-encoded, which pg-connection-string decodes and uses', () => {
    for (const url of ['postgres://u@h/db?passwor%64=secret', 'postgres://u@h/db?%70assword=secret']) {
      assert.equal(urlHasPassword(url), true, url);
      assert.equal(readSettings({ 'safesql.connections': [{ name: 'db', url }] }, SOURCE).errors.length, 1, url);
    }
  });
});
