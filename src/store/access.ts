// Who may use the API: MedCom admins and vendors, each with API keys stored only as hashes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { KihError } from '../core/kih-error.js';
import type { Transaction } from './database.js';
import { ensureVendor } from './records.js';

type Queryable = Pick<Transaction, 'query'>;

export type Principal =
  | { readonly kind: 'vendor'; readonly vendorId: string; readonly keyId: string }
  | { readonly kind: 'admin'; readonly name: string; readonly keyId: string };

export interface ApiKeyInfo {
  readonly id: string;
  readonly owner: string;
  readonly kind: Principal['kind'];
  /** The first characters, so people can tell keys apart without the secret. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `kih_v_…` for vendors, `kih_a_…` for admins: 256 random bits, base64url. */
function newKey(kind: Principal['kind']): string {
  return `kih_${kind === 'vendor' ? 'v' : 'a'}_${randomBytes(32).toString('base64url')}`;
}

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new KihError(
      'STORE_ERR_INVALID_ID',
      `A ${what} name is lower-case letters, digits, ".", "_" or "-": "${name}"`
    );
  }
}

async function insertKey(db: Queryable, kind: Principal['kind'], owner: string, actor: string): Promise<string> {
  const key = newKey(kind);
  await db.query(
    `INSERT INTO api_keys (id, vendor_id, admin_name, key_hash, key_prefix, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      randomUUID(),
      kind === 'vendor' ? owner : null,
      kind === 'admin' ? owner : null,
      hashApiKey(key),
      key.slice(0, 12),
      actor,
    ]
  );
  return key;
}

/** Creates the vendor when new and returns a new key for it; the key is shown once and never stored. */
export async function addVendorKey(db: Queryable, vendorId: string, name: string, actor: string): Promise<string> {
  checkName(vendorId, 'vendor');
  await ensureVendor(db, vendorId, name, actor);
  return insertKey(db, 'vendor', vendorId, actor);
}

export async function addAdminKey(db: Queryable, name: string, actor: string): Promise<string> {
  checkName(name, 'admin');
  await db.query(`INSERT INTO admins (name, created_by) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, actor]);
  return insertKey(db, 'admin', name, actor);
}

/** Revokes every live key of the vendor or admin; returns how many. */
export async function revokeKeys(
  db: Queryable,
  kind: Principal['kind'],
  owner: string,
  actor: string
): Promise<number> {
  const rows = await db.query(
    `UPDATE api_keys SET revoked_at = now(), revoked_by = $2
     WHERE ${kind === 'vendor' ? 'vendor_id' : 'admin_name'} = $1 AND revoked_at IS NULL RETURNING id`,
    [owner, actor]
  );
  return rows.length;
}

export async function revokeKey(db: Queryable, keyId: string, actor: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(keyId)) {
    return false;
  }
  const rows = await db.query(
    `UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
    [keyId, actor]
  );
  return rows.length === 1;
}

/** The principal of a live key, or undefined; a revoked or unknown key is the same to callers. */
export async function principalForKey(db: Queryable, key: string): Promise<Principal | undefined> {
  if (!/^kih_[va]_[A-Za-z0-9_-]{43}$/.test(key)) {
    return undefined;
  }
  return principalForKeyHash(db, hashApiKey(key));
}

export async function principalForKeyHash(db: Queryable, keyHash: string): Promise<Principal | undefined> {
  const [row] = await db.query<{ id: string; vendor_id: string | null; admin_name: string | null }>(
    `SELECT id, vendor_id, admin_name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [keyHash]
  );
  return principalOf(row);
}

/** For sessions: the key must still be live. */
export async function principalForKeyId(db: Queryable, keyId: string): Promise<Principal | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(keyId)) {
    return undefined;
  }
  const [row] = await db.query<{ id: string; vendor_id: string | null; admin_name: string | null }>(
    `SELECT id, vendor_id, admin_name FROM api_keys WHERE id = $1 AND revoked_at IS NULL`,
    [keyId]
  );
  return principalOf(row);
}

/** Starts a login session for a live key; expired sessions of any key are dropped on the way. */
export async function startSession(db: Queryable, keyId: string, expiresAt: Date): Promise<string> {
  const id = randomUUID();
  await db.query(`DELETE FROM sessions WHERE expires_at < now()`);
  await db.query(`INSERT INTO sessions (id, key_id, expires_at) VALUES ($1, $2, $3)`, [id, keyId, expiresAt]);
  return id;
}

/** The principal of a session that has not ended or expired and whose key is still live. */
export async function principalForSession(db: Queryable, sessionId: string): Promise<Principal | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) {
    return undefined;
  }
  const [row] = await db.query<{ id: string; vendor_id: string | null; admin_name: string | null }>(
    `SELECT k.id, k.vendor_id, k.admin_name FROM sessions s JOIN api_keys k ON k.id = s.key_id
     WHERE s.id = $1 AND s.ended_at IS NULL AND s.expires_at > now() AND k.revoked_at IS NULL`,
    [sessionId]
  );
  return principalOf(row);
}

/** Logout: the session's cookie no longer works, wherever a copy of it is. */
export async function endSession(db: Queryable, sessionId: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) {
    return;
  }
  await db.query(`UPDATE sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL`, [sessionId]);
}

function principalOf(
  row: { id: string; vendor_id: string | null; admin_name: string | null } | undefined
): Principal | undefined {
  if (!row) {
    return undefined;
  }
  return row.vendor_id !== null
    ? { kind: 'vendor', vendorId: row.vendor_id, keyId: row.id }
    : { kind: 'admin', name: row.admin_name ?? '', keyId: row.id };
}

export async function listKeys(db: Queryable): Promise<ApiKeyInfo[]> {
  const rows = await db.query<{
    id: string;
    vendor_id: string | null;
    admin_name: string | null;
    key_prefix: string;
    created_at: Date;
    created_by: string;
    revoked_at: Date | null;
  }>(
    `SELECT id, vendor_id, admin_name, key_prefix, created_at, created_by, revoked_at FROM api_keys
     ORDER BY (revoked_at IS NOT NULL), coalesce(vendor_id, admin_name), created_at DESC`
  );
  return rows.map((r) => ({
    id: r.id,
    owner: r.vendor_id ?? r.admin_name ?? '',
    kind: r.vendor_id !== null ? 'vendor' : 'admin',
    prefix: r.key_prefix,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

export interface VendorInfo {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export async function listVendors(db: Queryable): Promise<VendorInfo[]> {
  const rows = await db.query<{ id: string; name: string; created_at: Date }>(
    `SELECT id, name, created_at FROM vendors ORDER BY id`
  );
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at.toISOString() }));
}

export async function getVendor(db: Queryable, id: string): Promise<VendorInfo | undefined> {
  const [row] = await db.query<{ id: string; name: string; created_at: Date }>(
    `SELECT id, name, created_at FROM vendors WHERE id = $1`,
    [id]
  );
  return row ? { id: row.id, name: row.name, createdAt: row.created_at.toISOString() } : undefined;
}
