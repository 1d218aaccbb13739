// kih vendor and kih admin against a real database: a key is printed once, stored as a hash, and revoking ends it.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/main.js';
import { principalForKey } from '../../src/store/access.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';

let db: Database;

beforeAll(async () => {
  db = testDatabase('accesscli');
  await migrate(db);
});

afterAll(async () => {
  await dropTestDatabase(db);
});

async function kih(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        into.push(chunk.toString());
        cb();
      },
    });
  const code = await runCli(argv, {
    stdout: sink(out),
    stderr: sink(err),
    env: { DATABASE_URL: TEST_DATABASE_URL, KIH_DB_SCHEMA: db.schema },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('kih vendor', () => {
  it('add prints one new key on stdout, which then authenticates as that vendor', async () => {
    const r = await kih('vendor', 'add', 'acme', '--name', 'Acme Health');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kih_v_[A-Za-z0-9_-]{43}\n$/);
    expect(r.stderr).toContain('shown this once');
    const key = r.stdout.trim();
    expect(await principalForKey(db, key)).toMatchObject({ kind: 'vendor', vendorId: 'acme' });
    const [row] = await db.query<{ name: string }>(`SELECT name FROM vendors WHERE id = 'acme'`);
    expect(row?.name).toBe('Acme Health');
    const stored = JSON.stringify(await db.query('SELECT * FROM api_keys'));
    expect(stored).not.toContain(key);
  });

  it('list shows key prefixes, never keys; revoke ends every key of the vendor', async () => {
    const second = (await kih('vendor', 'add', 'acme')).stdout.trim();
    const list = await kih('vendor', 'list');
    expect(list.stdout).toMatch(/^acme\tAcme Health\t2 live key\(s\) kih_v_\S+… kih_v_\S+…\n$/);
    expect(list.stdout).not.toContain(second);
    const revoke = await kih('vendor', 'revoke', 'acme');
    expect(revoke.code).toBe(0);
    expect(revoke.stderr).toContain('revoked 2 key(s)');
    expect(await principalForKey(db, second)).toBeUndefined();
    expect((await kih('vendor', 'revoke', 'acme')).code).toBe(1);
  });

  it('refuses a vendor id that is not lower-case letters, digits, ".", "_" or "-", and bad usage', async () => {
    const bad = await kih('vendor', 'add', 'Acme Health');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('STORE_ERR_INVALID_ID');
    expect((await kih('vendor', 'promote', 'acme')).code).toBe(2);
    expect((await kih('vendor', 'add')).code).toBe(2);
  });
});

describe('kih admin', () => {
  it('add prints an admin key; revoke ends it', async () => {
    const r = await kih('admin', 'add', 'alice');
    expect(r.stdout).toMatch(/^kih_a_[A-Za-z0-9_-]{43}\n$/);
    const key = r.stdout.trim();
    expect(await principalForKey(db, key)).toMatchObject({ kind: 'admin', name: 'alice' });
    expect((await kih('admin', 'revoke', 'alice')).code).toBe(0);
    expect(await principalForKey(db, key)).toBeUndefined();
  });

  it('needs DATABASE_URL', async () => {
    const err: string[] = [];
    const code = await runCli(['admin', 'add', 'bob'], {
      stdout: new Writable({
        write: (_c, _e, cb) => {
          cb();
        },
      }),
      stderr: new Writable({
        write(chunk: Buffer, _enc, cb) {
          err.push(chunk.toString());
          cb();
        },
      }),
      env: {},
    });
    expect(code).toBe(2);
    expect(err.join('')).toContain('CONFIG_ERR_INVALID');
  });
});
