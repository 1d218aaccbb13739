// The simulator's durable store: documents by SHA-256, an fsync'd append-only index, and a lock against a second process.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { isUuid, newUuidUrn } from '../xds/datatypes.js';
import type { DocumentEntry } from '../xds/metadata-model.js';
import { KeyedLock } from './keyed-lock.js';

export interface StoredEntry {
  readonly uniqueId: string;
  readonly entryUUID: string;
  /** SHA-1 of the document bytes, lower-case hex (the XDS hash). */
  readonly hash: string;
  readonly sha256: string;
  readonly size: number;
  /** HMAC-SHA256 of the patientId under this store's own key: correlates entries, never reveals the CPR. */
  readonly patientIdHash: string;
  readonly storedAt: string;
  /** The request's wsa:MessageID (or DGWS Linking/MessageID); empty when it had none. */
  readonly messageId: string;
}

export interface NewEntry {
  readonly uniqueId: string;
  /** The DocumentEntry id as submitted; kept when it is a UUID not used yet, else the store assigns one. */
  readonly submittedEntryUUID: string;
  readonly bytes: Uint8Array;
  readonly patientId: string;
  readonly messageId: string;
  /** The DocumentEntry as submitted, kept for ITI-18 answers (entryUUID, hash and size set by the store). */
  readonly metadata?: DocumentEntry;
}

export const STORE_FILES = {
  index: 'index.jsonl',
  documents: 'documents',
  /** `<entry uuid>.json`: the registered DocumentEntry of each entry, for the registry side (ITI-18). */
  registry: 'registry',
  lock: 'lock',
  key: 'store-key',
} as const;

const TEMP_PREFIX = '.tmp-';

function storeError(message: string, cause?: unknown): KihError {
  return new KihError('KIH_ERR_SIMULATOR', message, cause === undefined ? undefined : { cause });
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(err) === 'EPERM';
  }
}

/** Two processes appending to one index would interleave lines, so a live holder keeps the store. */
async function takeLock(file: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') {
        throw err;
      }
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw storeError(`The store ${path.dirname(file)} is in use by another simulator (process ${pid}).`);
      }
      // A stale lock from a process that died.
      await rm(file, { force: true });
    }
  }
  throw storeError(`Could not take the lock ${file}.`);
}

async function readOrCreateKey(file: string): Promise<Buffer> {
  try {
    const hex = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw storeError(`${file} is not a 64-digit hex key; delete it only together with the index.`);
    }
    return Buffer.from(hex, 'hex');
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') {
      throw err;
    }
    const key = randomBytes(32);
    await writeFile(file, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  }
}

function isEntry(value: unknown): value is StoredEntry {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    ['uniqueId', 'entryUUID', 'hash', 'sha256', 'patientIdHash', 'storedAt', 'messageId'].every(
      (k) => typeof v[k] === 'string'
    ) &&
    typeof v.size === 'number' &&
    /^[0-9a-f]{64}$/.test(v.sha256 as string)
  );
}

/** Reads the index; a last line without its newline is a write cut off by a crash (never answered Success) and is dropped. */
async function loadIndex(file: string): Promise<StoredEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      return [];
    }
    throw err;
  }
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) {
    await truncate(file, Buffer.byteLength(text.slice(0, complete), 'utf8'));
  }
  const entries: StoredEntry[] = [];
  const lines = text.slice(0, complete).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (!isEntry(parsed)) {
      throw storeError(`${file} line ${i + 1} is not a stored entry; the index is damaged.`);
    }
    entries.push(parsed);
  });
  return entries;
}

/** Makes a rename durable: the directory entry itself is fsync'd (not possible everywhere, so failures are ignored). */
async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms cannot open or sync a directory; the rename is then as durable as the OS makes it.
  } finally {
    await fh?.close();
  }
}

export class DocumentStore {
  /** Callers hold a uniqueId's lock around their duplicate check and `add`. */
  readonly locks = new KeyedLock();
  private readonly byUniqueId = new Map<string, StoredEntry[]>();
  private readonly all: StoredEntry[] = [];
  private readonly usedEntryUuids = new Set<string>();
  private indexWrites: Promise<unknown> = Promise.resolve();
  private pending = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly index: FileHandle,
    private readonly key: Buffer,
    entries: readonly StoredEntry[],
    private readonly now: () => Date
  ) {
    for (const e of entries) {
      this.remember(e);
    }
  }

  /** Opens (creating when missing) a store directory; any failure is KIH_ERR_SIMULATOR. */
  static async open(dir: string, now: () => Date): Promise<DocumentStore> {
    const root = path.resolve(dir);
    const lockFile = path.join(root, STORE_FILES.lock);
    let locked = false;
    try {
      await mkdir(path.join(root, STORE_FILES.documents), { recursive: true });
      await mkdir(path.join(root, STORE_FILES.registry), { recursive: true });
      await takeLock(lockFile);
      locked = true;
      const key = await readOrCreateKey(path.join(root, STORE_FILES.key));
      const entries = await loadIndex(path.join(root, STORE_FILES.index));
      // Temp files left by a crash between write and rename hold nothing the index refers to.
      for (const sub of [STORE_FILES.documents, STORE_FILES.registry]) {
        const dirPath = path.join(root, sub);
        for (const name of await readdir(dirPath)) {
          if (name.startsWith(TEMP_PREFIX)) {
            await rm(path.join(dirPath, name), { force: true });
          }
        }
      }
      const index = await open(path.join(root, STORE_FILES.index), 'a');
      return new DocumentStore(root, index, key, entries, now);
    } catch (err) {
      if (locked) {
        await rm(lockFile, { force: true });
      }
      if (err instanceof KihError) {
        throw err;
      }
      throw storeError(
        `The simulator store ${root} cannot be opened: ${err instanceof Error ? err.message : String(err)}`,
        err
      );
    }
  }

  private remember(e: StoredEntry): void {
    this.all.push(e);
    this.usedEntryUuids.add(e.entryUUID);
    const list = this.byUniqueId.get(e.uniqueId);
    if (list) {
      list.push(e);
    } else {
      this.byUniqueId.set(e.uniqueId, [e]);
    }
  }

  /** The entry with this entryUUID (`urn:uuid:…`), if stored. */
  byEntryUUID(entryUUID: string): StoredEntry | undefined {
    return this.all.find((e) => e.entryUUID === entryUUID);
  }

  private registryPath(entryUUID: string): string {
    return path.join(this.dir, STORE_FILES.registry, `${entryUUID.replace(/^urn:uuid:/, '')}.json`);
  }

  /**
   * The registered DocumentEntry of a stored entry; undefined for entries stored before the
   * simulator kept metadata (they are found by uniqueId but cannot be listed as LeafClass).
   */
  async registered(entry: StoredEntry): Promise<DocumentEntry | undefined> {
    try {
      return JSON.parse(await readFile(this.registryPath(entry.entryUUID), 'utf8')) as DocumentEntry;
    } catch (err) {
      if (errorCode(err) === 'ENOENT') {
        return undefined;
      }
      throw err;
    }
  }

  /** The stored bytes of an entry. */
  readDocument(entry: StoredEntry): Promise<Buffer> {
    return readFile(this.documentPath(entry.sha256));
  }

  lookup(uniqueId: string): StoredEntry[] {
    return [...(this.byUniqueId.get(uniqueId) ?? [])];
  }

  entries(): StoredEntry[] {
    return [...this.all];
  }

  get size(): number {
    return this.all.length;
  }

  patientIdHash(patientId: string): string {
    return createHmac('sha256', this.key).update(patientId, 'utf8').digest('hex');
  }

  documentPath(sha256: string): string {
    return path.join(this.dir, STORE_FILES.documents, `${sha256}.xml`);
  }

  private async writeDocument(sha256: string, bytes: Uint8Array): Promise<void> {
    const dir = path.join(this.dir, STORE_FILES.documents);
    const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const fh = await open(temp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // Same name, same bytes: renaming over an existing copy changes nothing.
    await rename(temp, this.documentPath(sha256));
    await syncDirectory(dir);
  }

  /** Written (fsync'd) before the index line, so an entry in the index always has its metadata. */
  private async writeRegistered(metadata: DocumentEntry): Promise<void> {
    const dir = path.join(this.dir, STORE_FILES.registry);
    const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const fh = await open(temp, 'wx');
    try {
      await fh.writeFile(JSON.stringify(metadata));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, this.registryPath(metadata.entryUUID));
    await syncDirectory(dir);
  }

  private appendIndex(line: string): Promise<void> {
    const write = this.indexWrites.then(async () => {
      await this.index.write(line);
      await this.index.sync();
    });
    // The queue goes on after a failed write; the failure is the caller's, who awaits `write`.
    this.indexWrites = Promise.allSettled([write]);
    return write;
  }

  /**
   * Stores a document and its entry: the bytes (temp file, fsync, rename), then the index line
   * (fsync'd). It resolves only when both are on disk, so a Success answer never outlives a crash.
   */
  async add(input: NewEntry): Promise<StoredEntry> {
    if (this.closed) {
      throw storeError('The simulator store is closed.');
    }
    const work = this.addNow(input);
    this.pending.add(work);
    try {
      return await work;
    } finally {
      this.pending.delete(work);
    }
  }

  private async addNow(input: NewEntry): Promise<StoredEntry> {
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const submitted = input.submittedEntryUUID;
    // A registry assigns UUIDs to symbolic ids, and a re-submission must not reuse an entryUUID already stored.
    const entryUUID =
      submitted.startsWith('urn:uuid:') && isUuid(submitted.slice(9)) && !this.usedEntryUuids.has(submitted)
        ? submitted
        : newUuidUrn();
    this.usedEntryUuids.add(entryUUID);
    const entry: StoredEntry = {
      uniqueId: input.uniqueId,
      entryUUID,
      hash: createHash('sha1').update(input.bytes).digest('hex'),
      sha256,
      size: input.bytes.byteLength,
      patientIdHash: this.patientIdHash(input.patientId),
      storedAt: this.now().toISOString(),
      messageId: input.messageId,
    };
    try {
      await this.writeDocument(sha256, input.bytes);
      if (input.metadata) {
        await this.writeRegistered({
          ...input.metadata,
          entryUUID,
          hash: entry.hash,
          size: entry.size,
        });
      }
      await this.appendIndex(`${JSON.stringify(entry)}\n`);
    } catch (err) {
      this.usedEntryUuids.delete(entryUUID);
      throw err;
    }
    this.remember(entry);
    return entry;
  }

  /** Waits for writes under way, then releases the index and the lock. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.allSettled([...this.pending]);
    await this.indexWrites;
    await this.index.close();
    await rm(path.join(this.dir, STORE_FILES.lock), { force: true });
  }
}
