// `kih vendor add|revoke|list` and `kih admin add|revoke`: API keys from the command line (a new key is printed once).
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { readServiceConfig } from '../config/service-config.js';
import { addAdminKey, addVendorKey, listKeys, listVendors, revokeKeys } from '../store/access.js';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';

export const VENDOR_USAGE = `Usage: kih vendor <add|revoke|list> [NAME] [options]

  add NAME [--name "Display name"]   add the vendor (if new) and print a new API key for it
  revoke NAME                        revoke every key of the vendor
  list                               the vendors and their keys (prefixes only)

The key is printed once on stdout and stored only as a SHA-256 hash; give it to the vendor
safely. NAME is the vendor id: lower-case letters, digits, ".", "_" or "-".
Needs DATABASE_URL (and KIH_DB_SCHEMA) like kih worker.

Exit status: 0 done, 1 revoke found no live key, 2 usage or tool error.`;

export const ADMIN_USAGE = `Usage: kih admin <add|revoke> NAME

  add NAME      add a MedCom user (if new) and print a new admin API key
  revoke NAME   revoke every key of the MedCom user

Admin keys can read every vendor's records, record certification decisions and manage keys.
Needs DATABASE_URL (and KIH_DB_SCHEMA) like kih worker.

Exit status: 0 done, 1 revoke found no live key, 2 usage or tool error.`;

function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `cli ${user}@${hostname()}`;
}

async function withDatabase<T>(io: CliIo, fn: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
  const config = readServiceConfig(io.env, { queues: 'record' });
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, max: 1 });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function vendorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { name: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [action, name, ...extra] = positionals;
  if (values.help) {
    io.stdout.write(VENDOR_USAGE + '\n');
    return EXIT.ok;
  }
  if (
    extra.length > 0 ||
    (action !== 'list' && name === undefined) ||
    !['add', 'revoke', 'list'].includes(action ?? '')
  ) {
    throw new KihError(
      'CLI_ERR_USAGE',
      `kih vendor add NAME, kih vendor revoke NAME or kih vendor list (see kih vendor --help).`
    );
  }
  const vendor = name ?? '';
  return withDatabase(io, async (db) => {
    if (action === 'add') {
      const key = await addVendorKey(db, vendor, values.name ?? vendor, actor());
      io.stdout.write(key + '\n');
      io.stderr.write(`kih vendor: a new key for ${name}; it is shown this once.\n`);
      return EXIT.ok;
    }
    if (action === 'revoke') {
      const n = await revokeKeys(db, 'vendor', vendor, actor());
      io.stderr.write(`kih vendor: revoked ${n} key(s) of ${name}.\n`);
      return n > 0 ? EXIT.ok : EXIT.findings;
    }
    const keys = await listKeys(db);
    for (const v of await listVendors(db)) {
      const mine = keys.filter((k) => k.kind === 'vendor' && k.owner === v.id);
      const live = mine.filter((k) => k.revokedAt === null).map((k) => `${k.prefix}…`);
      io.stdout.write(`${v.id}\t${v.name}\t${live.length} live key(s) ${live.join(' ')}\n`);
    }
    return EXIT.ok;
  });
}

export async function adminCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout.write(ADMIN_USAGE + '\n');
    return EXIT.ok;
  }
  const [action, name, ...extra] = positionals;
  if (extra.length > 0 || name === undefined || !['add', 'revoke'].includes(action ?? '')) {
    throw new KihError('CLI_ERR_USAGE', 'kih admin add NAME or kih admin revoke NAME (see kih admin --help).');
  }
  return withDatabase(io, async (db) => {
    if (action === 'add') {
      io.stdout.write((await addAdminKey(db, name, actor())) + '\n');
      io.stderr.write(`kih admin: a new MedCom key for ${name}; it is shown this once.\n`);
      return EXIT.ok;
    }
    const n = await revokeKeys(db, 'admin', name, actor());
    io.stderr.write(`kih admin: revoked ${n} key(s) of ${name}.\n`);
    return n > 0 ? EXIT.ok : EXIT.findings;
  });
}
