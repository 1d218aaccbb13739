// From a document's bytes (or the header facts validation read) to checked XDS metadata and the ebRIM request the metadata rules checked, which is the one sent.
import { checkInputBytes, DEFAULT_MAX_DOCUMENT_BYTES } from '../xml/input-checks.js';
import { detectProfile } from '../cda/profile-detection.js';
import { parseXml } from '../xml/xml-parser.js';
import type { ProfileId, ValidationIssue } from '../core/report.js';
import { PROFILE_IDS } from '../core/report.js';
import { readCdaHeader } from '../cda/cda-header.js';
import type { CdaHeader } from '../cda/cda-header.js';
import { deriveFromHeader, formatCodeFor } from './derive-metadata.js';
import type { DeriveOptions } from './derive-metadata.js';
import { buildProvideAndRegisterRequest } from './ebrim-build.js';
import { parseSubmission } from './ebrim-parse.js';
import type { CheckedRequest } from './iti41-request.js';
import type { SubmissionMetadata } from './metadata-model.js';
import { cidUrl, newContentId } from './mtom.js';
import { checkSubmission, compareWithCda, DEFAULT_METADATA_RULE_OPTIONS } from './metadata-rules.js';
import type { MetadataRuleOptions } from './metadata-rules.js';
import { SETTINGS_TO_CHOOSE } from '../config/metadata-settings.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import { rimToMetadata } from './rim-to-metadata.js';

export interface PrepareOptions {
  readonly settings: ResolvedSettings;
  /** Validate as this profile instead of detecting it. */
  readonly profile?: ProfileId;
  /** A real KIH environment: settings still at the tool's defaults get a warning. */
  readonly live?: boolean;
  readonly uniqueIdExtensionLimit?: number | null;
  readonly maxBytes?: number;
  readonly now?: Date;
  readonly ids?: DeriveOptions['ids'];
}

export interface PreparedSubmission {
  readonly profile: ProfileId | null;
  /** Present when no error finding stands in the way of a request. */
  readonly metadata?: SubmissionMetadata;
  /** With `metadata`: the checked request body to send. */
  readonly request?: CheckedRequest;
  readonly issues: readonly ValidationIssue[];
  readonly defaultsUsed: ResolvedSettings['defaultsUsed'];
}

/** Every formatCode the tool can emit, in both styles: what the metadata rules accept from it. */
export function allFormatCodes(): string[] {
  return [
    ...new Set(PROFILE_IDS.flatMap((p) => [formatCodeFor(p, 'versioned').code, formatCodeFor(p, 'legacy').code])),
  ];
}

function ruleOptions(options: PrepareOptions, documentId: string, bytes: Uint8Array): MetadataRuleOptions {
  return {
    ...DEFAULT_METADATA_RULE_OPTIONS,
    uniqueIdExtensionLimit: options.uniqueIdExtensionLimit ?? null,
    formatCodes: allFormatCodes(),
    requireHashAndSize: true,
    documents: new Map([[documentId, bytes]]),
  };
}

/** Findings about the settings themselves, documented in docs/xds-metadata.md. */
export const CONFIG_RULE_IDS = {
  'XDS-CFG-001': "A setting a person should choose is still the tool's default on a live KIH target.",
} as const;

function defaultsWarnings(settings: ResolvedSettings): ValidationIssue[] {
  return settings.defaultsUsed
    .filter((name) => SETTINGS_TO_CHOOSE.includes(name))
    .map((name) => ({
      ruleId: 'XDS-CFG-001' satisfies keyof typeof CONFIG_RULE_IDS,
      severity: 'warning' as const,
      stage: 'xds' as const,
      message: `The ${name} setting is the tool's default, a stand-in for a real KIH environment; set your own value in the settings file.`,
    }));
}

/**
 * Derives the metadata and checks it the way a repository would: the request body is built,
 * parsed back, checked with the IHE and DK rules and compared with what was derived, so a
 * defect in the builder shows up as a finding instead of a refused submission.
 */
export function prepareSubmission(bytes: Uint8Array, file: string, options: PrepareOptions): PreparedSubmission {
  const base = { defaultsUsed: options.settings.defaultsUsed };
  const input = checkInputBytes(bytes, options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES);
  if (!input.ok) {
    return { ...base, profile: null, issues: input.issues };
  }
  const parsed = parseXml(bytes, file, input.text);
  if (!parsed.ok) {
    return { ...base, profile: null, issues: parsed.issues };
  }
  const doc = parsed.doc;
  let profile = options.profile ?? null;
  let header: CdaHeader;
  try {
    if (!profile) {
      const detection = detectProfile(doc);
      if (!detection.profile) {
        return { ...base, profile: null, issues: detection.issues };
      }
      profile = detection.profile;
    }
    header = readCdaHeader(doc);
  } finally {
    doc.dispose();
  }
  return prepareFromHeader(header, profile, bytes, options);
}

/**
 * `prepareSubmission` for a document validation has parsed already: the metadata comes from the
 * header facts it read (`Validator.validateBytesWithHeader`), with the same checks after that.
 * `bytes` are exactly what will be sent (hash and size).
 */
export function prepareFromHeader(
  header: CdaHeader,
  profile: ProfileId,
  bytes: Uint8Array,
  options: PrepareOptions
): PreparedSubmission {
  const base = { defaultsUsed: options.settings.defaultsUsed };
  const derived = deriveFromHeader(header, bytes, {
    profile,
    settings: options.settings.settings,
    ...(options.now ? { now: options.now } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  const issues: ValidationIssue[] = [...derived.issues];
  if (options.live) {
    issues.push(...defaultsWarnings(options.settings));
  }
  const metadata = derived.metadata;
  if (!metadata) {
    return { ...base, profile, issues };
  }
  const entry = metadata.documentEntries[0];
  const documentContentId = newContentId('document');
  const ebrim = buildProvideAndRegisterRequest(metadata, [{ kind: 'xop', href: cidUrl(documentContentId) }]);
  const rim = parseSubmission(ebrim);
  if (rim.submission && entry) {
    issues.push(...checkSubmission(rim.submission, ruleOptions(options, entry.entryUUID, bytes)));
    const back = rimToMetadata(rim.submission);
    issues.push(...back.issues);
    const sent = back.metadata?.documentEntries[0];
    if (sent) {
      issues.push(...compareWithCda(sent, entry));
    }
  } else {
    issues.push(...rim.issues);
  }
  const failed = issues.some((i) => i.severity === 'error');
  return { ...base, profile, issues, ...(failed ? {} : { metadata, request: { ebrim, documentContentId } }) };
}
