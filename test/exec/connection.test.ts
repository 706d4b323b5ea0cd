import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { identityKey, legacyIdentityKey, planConnection } from '../../server/src/exec/connection';

describe('identityKey', () => {
  it('tells apart identities that `user@host:port/database` would run together', () => {
    const pairs = [
      [
        { user: 'a@b', host: 'c', port: 5432, database: 'd' },
        { user: 'a', host: 'b@c', port: 5432, database: 'd' },
      ],
      [
        { user: 'u', host: 'x', port: 5432, database: 'y:5432/d' },
        { user: 'u', host: 'x:5432/y', port: 5432, database: 'd' },
      ],
    ];
    for (const [a, b] of pairs) {
      assert.equal(`${a!.user}@${a!.host}:${a!.port}/${a!.database}`, `${b!.user}@${b!.host}:${b!.port}/${b!.database}`);
      assert.notEqual(identityKey(a!), identityKey(b!));
    }
  });

  it('is the same for the same user, host, port and database whatever the connection is called or how it is written', () => {
    const asUrl = planConnection({ name: 'one', url: 'postgres://app@db.example:5433/shop' }).identity;
    const asFields = planConnection({ name: 'two', host: 'db.example', port: 5433, user: 'app', database: 'shop' }).identity;
    assert.equal(identityKey(asUrl), identityKey(asFields));
    for (const change of [{ user: 'other' }, { host: 'db2.example' }, { port: 5432 }, { database: 'shop2' }]) {
      assert.notEqual(identityKey({ ...asFields, ...change }), identityKey(asFields), JSON.stringify(change));
    }
  });
});

describe('legacyIdentityKey', () => {
  it('gives the old key only where it splits one way, so an old secret cannot move to another identity', () => {
    assert.equal(legacyIdentityKey({ user: 'app', host: 'db.example', port: 5432, database: 'shop' }), 'app@db.example:5432/shop');
    for (const identity of [
      { user: 'a@b', host: 'c', port: 5432, database: 'd' },
      { user: 'a', host: 'b@c', port: 5432, database: 'd' },
      { user: 'u', host: 'x:5432', port: 5432, database: 'd' },
      { user: 'u', host: 'x', port: 5432, database: 'y:5432/d' },
      { user: 'u', host: '/var/run/postgresql', port: 5432, database: 'd' },
    ]) {
      assert.equal(legacyIdentityKey(identity), undefined, JSON.stringify(identity));
    }
  });
});

describe('planConnection: where the password comes from', () => {
  const saved = { PGPASSWORD: process.env.PGPASSWORD, PGPASSFILE: process.env.PGPASSFILE };
  beforeEach(() => {
    delete process.env.PGPASSWORD;
    process.env.PGPASSFILE = join(mkdtempSync(join(tmpdir(), 'safesql-nopass-')), 'none');
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const passwordOf = async (url: string, passwords?: Parameters<typeof planConnection>[1]) => {
    const { config } = planConnection({ name: 'x', url }, passwords);
    return (config.password as () => Promise<string>)();
  };

  it('an empty password in the url (user:@ or none at all) gives way to PGPASSWORD', async () => {
    process.env.PGPASSWORD = 'from-env';
    assert.equal(await passwordOf('postgres://me@db.example/shop'), 'from-env');
    assert.equal(await passwordOf('postgres://me:@db.example/shop'), 'from-env');
    assert.equal(await passwordOf('postgres://me:in-url@db.example/shop'), 'in-url');
  });

  it('then to the password file, matched on host, port, database and user', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'safesql-pgpass-')), 'pgpass');
    writeFileSync(file, 'db.example:5432:shop:me:from-file\nother.example:5432:shop:me:not-this\n', { mode: 0o600 });
    process.env.PGPASSFILE = file;
    assert.equal(await passwordOf('postgres://me:@db.example/shop'), 'from-file');
    process.env.PGPASSWORD = '';
    assert.equal(await passwordOf('postgres://me@db.example/shop'), 'from-file', 'an empty PGPASSWORD is no password (as for libpq)');
    writeFileSync(`${file}-open`, 'db.example:5432:shop:me:from-open-file\n', { mode: 0o644 });
    process.env.PGPASSFILE = `${file}-open`;
    assert.equal(await passwordOf('postgres://me@db.example/shop'), '', 'a password file others can read is ignored');
    process.env.PGPASSFILE = file;
    assert.equal(await passwordOf('postgres://me@elsewhere.example/shop'), '');
  });

  it("the editor's stored password is asked for this identity first, and the user last", async () => {
    const asked: string[] = [];
    const password = await passwordOf('postgres://me@db.example:5433/shop', async (identity, ask) => {
      asked.push(`${ask ? 'ask' : 'stored'} ${identityKey(identity)}`);
      return ask ? 'typed' : undefined;
    });
    assert.equal(password, 'typed');
    const key = identityKey({ user: 'me', host: 'db.example', port: 5433, database: 'shop' });
    assert.deepEqual(asked, [`stored ${key}`, `ask ${key}`]);
  });
});
