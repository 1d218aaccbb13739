// Derives the metadata of one corpus document exactly as the submit stage would, for a manifest entry that expects some of it.
import type { ProfileId } from '../validation/report.js';
import type { ResolvedSettings } from '../xds/metadata-settings.js';
import { prepareSubmission } from '../xds/prepare-submission.js';
import { metadataValues } from './expected-metadata.js';
import type { MetadataField, MetadataValues } from './expected-metadata.js';

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
