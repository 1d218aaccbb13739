// The DocumentEntry a registry should hold for a document: derived from its bytes exactly as the submit path derives it (kih verify, --verify and the verify queue).
import type { ResolvedSettings } from '../config/metadata-settings.js';
import type { Target } from '../config/targets.js';
import type { ProfileId } from '../core/report.js';
import type { DocumentEntry } from '../xds/metadata-model.js';
import { prepareSubmission } from '../xds/prepare-submission.js';

export interface ExpectedEntryOptions {
  /** The target it was sent to: whether it is live and its uniqueId extension limit shape the metadata. */
  readonly target: Pick<Target, 'live' | 'uniqueIdExtensionLimit'>;
  /** The metadata settings of that target. */
  readonly settings: ResolvedSettings;
  readonly profile?: ProfileId;
}

export type ExpectedEntry =
  | { readonly entry: DocumentEntry }
  | {
      readonly entry?: undefined;
      /** Why no metadata could be derived: the error findings, as `kih submit` reports them. */
      readonly errors: readonly {
        readonly errorCode: string;
        readonly codeContext: string;
        readonly severity: 'error';
      }[];
    };

/**
 * The first DocumentEntry of the submission the project would build for these bytes, with the
 * same options the submit path uses, so a comparison is with what was sent; `errors` when the
 * metadata cannot be derived (an invalid document).
 */
export function expectedEntry(bytes: Uint8Array, file: string, options: ExpectedEntryOptions): ExpectedEntry {
  const prepared = prepareSubmission(bytes, file, {
    settings: options.settings,
    live: options.target.live,
    uniqueIdExtensionLimit: options.target.uniqueIdExtensionLimit,
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const entry = prepared.metadata?.documentEntries[0];
  if (entry) {
    return { entry };
  }
  return {
    errors: prepared.issues
      .filter((i) => i.severity === 'error')
      .map((i) => ({ errorCode: i.ruleId, codeContext: i.message, severity: 'error' as const })),
  };
}
