// Judges an ITI-41 submission the way KIH does: documents and metadata paired, the XDS metadata rules, KIH's typeCode allow-list; findings become RegistryErrors.
import type { ValidationIssue } from '../core/report.js';
import { externalIdentifiersWithScheme } from '../xds/ebrim-model.js';
import { checkSubmission, DEFAULT_METADATA_RULE_OPTIONS } from '../xds/metadata-rules.js';
import { allFormatCodes } from '../xds/prepare-submission.js';
import type { DocumentEntry } from '../xds/metadata-model.js';
import { rimToDocumentEntries } from '../xds/rim-to-metadata.js';
import { DOCUMENT_ENTRY } from '../xds/vocabulary.js';
import type { Iti41Request } from './iti41-reader.js';
import type { RegistryErrorEntry } from './registry-response.js';

/** A DocumentEntry and its bytes, ready for the CDA check and the store. */
export interface CheckedDocument {
  readonly entryId: string;
  readonly uniqueId: string;
  readonly patientId: string;
  readonly bytes: Uint8Array;
  /** The DocumentEntry as the registry keeps it (ITI-18 answers). */
  readonly entry?: DocumentEntry;
}

export type SubmissionCheck =
  | { readonly ok: true; readonly documents: readonly CheckedDocument[] }
  | { readonly ok: false; readonly errors: readonly RegistryErrorEntry[] };

/** More RegistryErrors than this are summed up in one last entry: a broken request should not give a huge answer. */
export const MAX_REGISTRY_ERRORS = 25;

/**
 * The IHE error code for a metadata rule. Hash and size belong to the repository (ITI-41 says it
 * refuses a mismatch with XDSRepositoryMetadataError); the typeCode allow-list is KIH's local
 * policy, not an XDS defect, hence LocalPolicyRestrictionError; a patient mismatch has its own
 * code; everything else is what the registry behind KIH refuses, XDSRegistryMetadataError.
 */
export function errorCodeForRule(ruleId: string): string {
  switch (ruleId) {
    case 'XDS-IHE-018':
    case 'XDS-IHE-019':
    case 'XDS-IHE-033':
    case 'XDS-IHE-034':
    case 'XDS-IHE-035':
      return 'XDSRepositoryMetadataError';
    case 'XDS-DK-005':
      return 'LocalPolicyRestrictionError';
    case 'XDS-IHE-031':
      return 'XDSPatientIdDoesNotMatch';
    default:
      return 'XDSRegistryMetadataError';
  }
}

function fromIssue(issue: ValidationIssue): RegistryErrorEntry {
  return {
    errorCode: errorCodeForRule(issue.ruleId),
    codeContext: `${issue.ruleId}: ${issue.message}`,
    ...(issue.xpath !== undefined ? { location: issue.xpath } : {}),
    severity: 'error',
  };
}

function capped(errors: RegistryErrorEntry[]): RegistryErrorEntry[] {
  if (errors.length <= MAX_REGISTRY_ERRORS) {
    return errors;
  }
  const rest = errors.length - (MAX_REGISTRY_ERRORS - 1);
  return [
    ...errors.slice(0, MAX_REGISTRY_ERRORS - 1),
    {
      errorCode: 'XDSRegistryMetadataError',
      codeContext: `${rest} more errors are not listed.`,
      severity: 'error',
    },
  ];
}

export interface SubmissionCheckOptions {
  readonly allowedTypeCodes: readonly string[];
}

/** Pairs documents with DocumentEntries and runs the metadata rules; Failure entries or the documents to store. */
export function checkIti41Submission(request: Iti41Request, options: SubmissionCheckOptions): SubmissionCheck {
  const sub = request.submission;
  if (!sub) {
    const why = request.submissionIssues.map((i) => i.message).join(' ');
    return {
      ok: false,
      errors: [
        { errorCode: 'XDSMissingDocumentMetadata', codeContext: why || 'No ebRIM metadata.', severity: 'error' },
      ],
    };
  }
  const errors: RegistryErrorEntry[] = [];
  if (sub.extrinsicObjects.length === 0) {
    errors.push({
      errorCode: 'XDSMissingDocumentMetadata',
      codeContext: 'The submission has no DocumentEntry (rim:ExtrinsicObject); KIH stores documents only.',
      severity: 'error',
    });
  }
  // Pairing is judged here rather than through XDS-IHE-004, because its two directions have two IHE codes.
  const contents = new Map(request.documents.map((d) => [d.id, d]));
  const entryIds = new Set(sub.extrinsicObjects.map((eo) => eo.id));
  for (const eo of sub.extrinsicObjects) {
    const content = contents.get(eo.id);
    if (!content) {
      errors.push({
        errorCode: 'XDSMissingDocument',
        codeContext: `DocumentEntry ${eo.id} has no xds:Document with the same id.`,
        location: eo.xpath,
        severity: 'error',
      });
    } else if (!content.bytes) {
      errors.push({
        errorCode: 'XDSMissingDocument',
        codeContext: `The xds:Document for DocumentEntry ${eo.id} cannot be used: ${content.problem ?? 'no content'}.`,
        location: eo.xpath,
        severity: 'error',
      });
    }
  }
  for (const d of request.documents) {
    if (!entryIds.has(d.id)) {
      errors.push({
        errorCode: 'XDSMissingDocumentMetadata',
        codeContext: `xds:Document "${d.id}" matches no DocumentEntry (rim:ExtrinsicObject id).`,
        severity: 'error',
      });
    }
  }
  const seen = new Set<string>();
  for (const uniqueId of request.uniqueIds) {
    if (seen.has(uniqueId)) {
      errors.push({
        errorCode: 'XDSRepositoryDuplicateUniqueIdInMessage',
        codeContext: `DocumentEntry.uniqueId ${uniqueId} occurs more than once in the submission.`,
        severity: 'error',
      });
    }
    seen.add(uniqueId);
  }

  const bytesById = new Map<string, Uint8Array>();
  for (const d of request.documents) {
    if (d.bytes) {
      bytesById.set(d.id, d.bytes);
    }
  }
  const issues = checkSubmission(sub, {
    ...DEFAULT_METADATA_RULE_OPTIONS,
    // KIH accepts the DK uniqueId form root^UUID and every formatCode this project can send.
    uniqueIdExtensionLimit: null,
    formatCodes: allFormatCodes(),
    typeCodes: options.allowedTypeCodes,
    requireHashAndSize: false,
    documents: bytesById,
  });
  errors.push(...issues.filter((i) => i.severity === 'error' && i.ruleId !== 'XDS-IHE-004').map(fromIssue));
  if (errors.length > 0) {
    return { ok: false, errors: capped(errors) };
  }

  const documents: CheckedDocument[] = [];
  // Mapped with the bytes, so entries that leave hash and size to the repository get them.
  const registered = new Map(
    rimToDocumentEntries(sub, { documents: bytesById }).entries.map((e) => [e.entryUUID, e] as const)
  );
  for (const eo of sub.extrinsicObjects) {
    const bytes = bytesById.get(eo.id);
    const uniqueId = externalIdentifiersWithScheme(eo, DOCUMENT_ENTRY.uniqueId)[0]?.value;
    const patientId = externalIdentifiersWithScheme(eo, DOCUMENT_ENTRY.patientId)[0]?.value;
    if (!bytes || uniqueId === undefined || patientId === undefined) {
      // The rules above refuse such an entry; should one slip through, it is refused, not stored half-known.
      return {
        ok: false,
        errors: [
          {
            errorCode: 'XDSRepositoryError',
            codeContext: `DocumentEntry ${eo.id} lacks its document, uniqueId or patientId.`,
            severity: 'error',
          },
        ],
      };
    }
    const entry = registered.get(eo.id);
    documents.push({ entryId: eo.id, uniqueId, patientId, bytes, ...(entry ? { entry } : {}) });
  }
  return { ok: true, documents };
}
