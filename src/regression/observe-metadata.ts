// Derives the metadata of one corpus document exactly as the submit stage would, for a manifest entry that expects some of it.
import type { DocumentStatus, ProfileId } from '../core/report.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import { prepareSubmission } from '../xds/prepare-submission.js';
import { metadataValues } from './expected-metadata.js';
import type { MetadataField, MetadataValues } from './expected-metadata.js';
import type { ManifestEntry } from './manifest.js';

/** The derived values, or the error rule ids that stopped the derivation. */
export type ObservedMetadata = { readonly values: MetadataValues } | { readonly failed: readonly string[] };

export function observeMetadata(
  bytes: Uint8Array,
  file: string,
  profile: ProfileId | null,
  settings: ResolvedSettings,
  fields: readonly MetadataField[]
): ObservedMetadata {
  const prepared = prepareSubmission(bytes, file, { settings, ...(profile ? { profile } : {}) });
  const entry = prepared.metadata?.documentEntries[0];
  if (!entry) {
    const failed = [...new Set(prepared.issues.filter((i) => i.severity === 'error').map((i) => i.ruleId))].sort();
    return { failed };
  }
  return { values: metadataValues(entry, fields) };
}

export interface MetadataRequest {
  readonly entry: ManifestEntry | undefined;
  readonly file: string;
  readonly status: DocumentStatus;
  readonly profile: ProfileId | null;
  /** Reads the document's bytes; called only when metadata is to be derived. */
  readonly load: () => Promise<Uint8Array>;
  readonly settings: ResolvedSettings;
}

/**
 * The metadata of a document found valid whose manifest entry expects some; undefined
 * otherwise, without reading the document (the CLI and the service share this).
 */
export async function metadataFor(request: MetadataRequest): Promise<ObservedMetadata | undefined> {
  const expected = request.entry?.metadata;
  if (!expected || request.status !== 'valid') {
    return undefined;
  }
  const fields = Object.keys(expected) as MetadataField[];
  return observeMetadata(await request.load(), request.file, request.profile, request.settings, fields);
}
