// A corpus manifest (manifest.json): what each document of the corpus is expected to do, read and checked entry by entry.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { isProfileId, PROFILE_IDS } from '../core/report.js';
import type { ProfileId } from '../core/report.js';
import { parseExpectedMetadata } from './expected-metadata.js';
import type { MetadataValues } from './expected-metadata.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestEntry {
  /** Path relative to the corpus directory, with `/` separators. */
  readonly file: string;
  /** The profile the validator should detect; null when it stops before detection or finds none. */
  readonly profile: ProfileId | null;
  readonly valid: boolean;
  /** The exact, sorted set of error rule ids expected (empty for valid documents). */
  readonly ruleIds: readonly string[];
  readonly description?: string;
  /** DocumentEntry fields the derived XDS metadata must carry (valid documents only). */
  readonly metadata?: MetadataValues;
  /**
   * A QRD's form: the QFDD (a corpus path) its pair check (`DK-PAIR-*`) measures it against. Its
   * `valid` and `ruleIds` are the verdict with that check; a stage that sees one document at a
   * time (submitting, the service's queue) finds no pair findings.
   */
  readonly pairedWith?: string;
}

export interface CorpusManifest {
  readonly version: 1;
  readonly documents: readonly ManifestEntry[];
  /** SHA-256 of the manifest's bytes, so results say which expectations they were compared with. */
  readonly sha256: string;
}

function bad(source: string, message: string): never {
  throw new KihError('REGRESS_ERR_MANIFEST', `${source}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ENTRY_KEYS = new Set(['file', 'profile', 'valid', 'ruleIds', 'description', 'metadata', 'pairedWith']);

/** A relative path inside the corpus: no `..`, not absolute, `/` separators. */
function corpusPath(where: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    bad(where, 'file must be a non-empty string');
  }
  const normal = path.posix.normalize(value);
  if (value.includes('\\') || path.posix.isAbsolute(value) || normal.startsWith('..') || normal !== value) {
    bad(where, `file "${value}" must be a plain relative path inside the corpus (forward slashes, no "..")`);
  }
  return value;
}

function parseEntry(source: string, index: number, value: unknown): ManifestEntry {
  const where = `${source}: documents[${index}]`;
  if (!isRecord(value)) {
    bad(where, 'must be an object { "file", "profile", "valid", "ruleIds" }');
  }
  for (const key of Object.keys(value)) {
    if (!ENTRY_KEYS.has(key)) {
      bad(`${where}.${key}`, `unknown key; known: ${[...ENTRY_KEYS].join(', ')}`);
    }
  }
  const file = corpusPath(where, value.file);
  const here = `${source}: ${file}`;
  if (value.profile !== null && (typeof value.profile !== 'string' || !isProfileId(value.profile))) {
    bad(here, `profile must be null or one of ${PROFILE_IDS.join(', ')}`);
  }
  if (typeof value.valid !== 'boolean') {
    bad(here, 'valid must be true or false');
  }
  const ruleIds = value.ruleIds;
  if (!Array.isArray(ruleIds) || ruleIds.some((r) => typeof r !== 'string' || r === '')) {
    bad(here, 'ruleIds must be an array of rule ids');
  }
  const ids = ruleIds as string[];
  if (new Set(ids).size !== ids.length) {
    bad(here, 'ruleIds lists a rule id twice');
  }
  if (value.valid && ids.length > 0) {
    bad(here, 'a valid document has no error rule ids');
  }
  if (!value.valid && ids.length === 0) {
    bad(here, 'an invalid document names the rule ids that must fire');
  }
  if (value.description !== undefined && typeof value.description !== 'string') {
    bad(here, 'description must be a string');
  }
  let metadata: MetadataValues | undefined;
  if (value.metadata !== undefined) {
    if (!value.valid) {
      bad(here, 'only a valid document has expected metadata (an invalid one is never submitted)');
    }
    const parsed = parseExpectedMetadata(value.metadata);
    if (!parsed.ok) {
      bad(here, parsed.message);
    }
    metadata = parsed.metadata;
  }
  return {
    file,
    profile: value.profile,
    valid: value.valid,
    ruleIds: [...ids].sort(),
    ...(typeof value.description === 'string' ? { description: value.description } : {}),
    ...(metadata ? { metadata } : {}),
    ...(value.pairedWith !== undefined ? { pairedWith: corpusPath(`${here}.pairedWith`, value.pairedWith) } : {}),
  };
}

/** Parses manifest text; `source` names it in messages. */
export function parseManifest(source: string, bytes: Buffer | string): CorpusManifest {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    bad(source, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(value)) {
    bad(source, 'must hold a JSON object { "version": 1, "documents": [...] }');
  }
  if (value.version !== 1) {
    bad(source, `version must be 1, not ${JSON.stringify(value.version)}`);
  }
  if (!Array.isArray(value.documents)) {
    bad(source, 'documents must be an array');
  }
  const documents = value.documents.map((d: unknown, i) => parseEntry(source, i, d));
  const seen = new Set<string>();
  for (const d of documents) {
    if (seen.has(d.file)) {
      bad(source, `${d.file} is listed twice`);
    }
    seen.add(d.file);
  }
  return { version: 1, documents, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Reads `<dir>/manifest.json`. */
export async function readManifest(dir: string): Promise<CorpusManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    bad(
      file,
      code === 'ENOENT'
        ? 'no manifest; a corpus lists its documents in manifest.json'
        : `cannot be read (${String(code)})`
    );
  }
  return parseManifest(file, bytes);
}
