// Maps a parsed ebRIM submission back to the metadata model, for round-trip tests and the KIH simulator.
import { createHash } from 'node:crypto';
import type { ValidationIssue } from '../core/report.js';
import type {
  RimClassification,
  RimClassifiedObject,
  RimExtrinsicObject,
  RimLocation,
  RimObjectBase,
  RimRegistryPackage,
  RimSubmission,
} from './ebrim-model.js';
import { classificationsWithScheme, externalIdentifiersWithScheme, slotValues, submissionSets } from './ebrim-model.js';
import type { CodedValue, DocumentEntry, SubmissionMetadata, SubmissionSet } from './metadata-model.js';
import { DOCUMENT_ENTRY, RIM, SUBMISSION_SET } from './vocabulary.js';

/** Code of a submission whose metadata lacks what the model needs (the metadata rules say exactly what). */
export const XDS_ERR_METADATA_MAPPING = 'XDS_ERR_METADATA_MAPPING';

export interface RimToMetadataOptions {
  /** Document id → bytes: fills hash and size when the request leaves them to the repository. */
  readonly documents?: ReadonlyMap<string, Uint8Array>;
}

export interface RimToMetadataResult {
  readonly metadata?: SubmissionMetadata;
  readonly issues: ValidationIssue[];
}

/** Collects what is missing instead of stopping at the first gap, so one run names every problem. */
class Reader {
  readonly issues: ValidationIssue[] = [];

  missing(what: string, at: RimLocation): void {
    this.issues.push({
      ruleId: XDS_ERR_METADATA_MAPPING,
      severity: 'error',
      stage: 'xds',
      message: `${what} is missing or not readable, so the submission cannot be mapped to metadata.`,
      ...(at.line > 0 ? { line: at.line } : {}),
      xpath: at.xpath,
    });
  }

  /** The single value of a slot; undefined (and an issue when required) otherwise. */
  slot(obj: RimObjectBase, name: string, label: string, required: boolean): string | undefined {
    const values = slotValues(obj, name);
    const value = values?.length === 1 ? values[0] : undefined;
    if (value === undefined && required) {
      this.missing(label, obj);
    }
    return value;
  }

  coded(classification: RimClassification | undefined, label: string, owner: RimLocation): CodedValue | undefined {
    if (!classification) {
      this.missing(label, owner);
      return undefined;
    }
    const codeSystem = slotValues(classification, 'codingScheme')?.[0];
    const { nodeRepresentation: code, name: displayName } = classification;
    if (code === undefined || codeSystem === undefined || displayName === undefined) {
      this.missing(`${label} (nodeRepresentation, codingScheme and Name)`, classification);
      return undefined;
    }
    return { code, codeSystem, displayName };
  }

  /** The one classification of a scheme; more than one is a finding of the metadata rules, the first is used. */
  single(obj: RimClassifiedObject, scheme: string, label: string): CodedValue | undefined {
    return this.coded(classificationsWithScheme(obj, scheme)[0], label, obj);
  }

  identifier(obj: RimClassifiedObject, scheme: string, label: string): string | undefined {
    const value = externalIdentifiersWithScheme(obj, scheme)[0]?.value;
    if (value === undefined) {
      this.missing(label, obj);
    }
    return value;
  }
}

/** authorInstitution values of every author classification, and the first authorPerson. */
function readAuthor(obj: RimClassifiedObject, scheme: string): { authorInstitution: string[]; authorPerson?: string } {
  const authors = classificationsWithScheme(obj, scheme);
  const authorInstitution = authors.flatMap((a) => slotValues(a, 'authorInstitution') ?? []);
  const authorPerson = authors.map((a) => slotValues(a, 'authorPerson')?.[0]).find((p) => p !== undefined);
  return { authorInstitution, ...(authorPerson !== undefined ? { authorPerson } : {}) };
}

function sha1Hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function readDocumentEntry(r: Reader, eo: RimExtrinsicObject, options: RimToMetadataOptions): DocumentEntry | null {
  const before = r.issues.length;
  const bytes = options.documents?.get(eo.id);
  const codes = eo.classifications.filter((c) => c.classificationScheme === DOCUMENT_ENTRY.confidentialityCode);
  if (codes.length === 0) {
    r.missing('DocumentEntry.confidentialityCode', eo);
  }
  const fields = {
    uniqueId: r.identifier(eo, DOCUMENT_ENTRY.uniqueId, 'DocumentEntry.uniqueId'),
    patientId: r.identifier(eo, DOCUMENT_ENTRY.patientId, 'DocumentEntry.patientId'),
    sourcePatientId: r.slot(eo, 'sourcePatientId', 'DocumentEntry.sourcePatientId', true),
    typeCode: r.single(eo, DOCUMENT_ENTRY.typeCode, 'DocumentEntry.typeCode'),
    classCode: r.single(eo, DOCUMENT_ENTRY.classCode, 'DocumentEntry.classCode'),
    formatCode: r.single(eo, DOCUMENT_ENTRY.formatCode, 'DocumentEntry.formatCode'),
    healthcareFacilityTypeCode: r.single(
      eo,
      DOCUMENT_ENTRY.healthcareFacilityTypeCode,
      'DocumentEntry.healthcareFacilityTypeCode'
    ),
    practiceSettingCode: r.single(eo, DOCUMENT_ENTRY.practiceSettingCode, 'DocumentEntry.practiceSettingCode'),
    confidentialityCode: codes.map((c) => r.coded(c, 'DocumentEntry.confidentialityCode', eo)),
    eventCodeList: classificationsWithScheme(eo, DOCUMENT_ENTRY.eventCodeList).map((c) =>
      r.coded(c, 'DocumentEntry.eventCodeList', eo)
    ),
    languageCode: r.slot(eo, 'languageCode', 'DocumentEntry.languageCode', true),
    creationTime: r.slot(eo, 'creationTime', 'DocumentEntry.creationTime', true),
    serviceStartTime: r.slot(eo, 'serviceStartTime', 'DocumentEntry.serviceStartTime', false),
    serviceStopTime: r.slot(eo, 'serviceStopTime', 'DocumentEntry.serviceStopTime', false),
    legalAuthenticator: r.slot(eo, 'legalAuthenticator', 'DocumentEntry.legalAuthenticator', false),
    hash: r.slot(eo, 'hash', 'DocumentEntry.hash', bytes === undefined) ?? (bytes ? sha1Hex(bytes) : undefined),
    size: r.slot(eo, 'size', 'DocumentEntry.size', bytes === undefined) ?? (bytes ? String(bytes.length) : undefined),
  };
  if (eo.name === undefined) {
    r.missing('DocumentEntry.title', eo);
  }
  if (!eo.mimeType) {
    r.missing('DocumentEntry.mimeType', eo);
  }
  if (!eo.objectType) {
    r.missing('DocumentEntry.objectType', eo);
  }
  const size = fields.size !== undefined && /^\d+$/.test(fields.size) ? Number(fields.size) : undefined;
  if (fields.size !== undefined && size === undefined) {
    r.missing('DocumentEntry.size (an integer)', eo);
  }
  const {
    uniqueId,
    patientId,
    sourcePatientId,
    typeCode,
    classCode,
    formatCode,
    healthcareFacilityTypeCode,
    practiceSettingCode,
    languageCode,
    creationTime,
    hash,
  } = fields;
  if (
    r.issues.length > before ||
    uniqueId === undefined ||
    patientId === undefined ||
    sourcePatientId === undefined ||
    typeCode === undefined ||
    classCode === undefined ||
    formatCode === undefined ||
    healthcareFacilityTypeCode === undefined ||
    practiceSettingCode === undefined ||
    languageCode === undefined ||
    creationTime === undefined ||
    hash === undefined ||
    size === undefined ||
    eo.name === undefined ||
    eo.mimeType === undefined ||
    eo.objectType === undefined
  ) {
    return null;
  }
  return {
    entryUUID: eo.id,
    uniqueId,
    patientId,
    sourcePatientId,
    sourcePatientInfo: slotValues(eo, 'sourcePatientInfo') ?? [],
    typeCode,
    classCode,
    formatCode,
    confidentialityCode: fields.confidentialityCode.filter((c): c is CodedValue => c !== undefined),
    healthcareFacilityTypeCode,
    practiceSettingCode,
    eventCodeList: fields.eventCodeList.filter((c): c is CodedValue => c !== undefined),
    languageCode,
    creationTime,
    ...(fields.serviceStartTime !== undefined ? { serviceStartTime: fields.serviceStartTime } : {}),
    ...(fields.serviceStopTime !== undefined ? { serviceStopTime: fields.serviceStopTime } : {}),
    title: eo.name,
    ...readAuthor(eo, DOCUMENT_ENTRY.author),
    ...(fields.legalAuthenticator !== undefined ? { legalAuthenticator: fields.legalAuthenticator } : {}),
    mimeType: eo.mimeType,
    objectType: eo.objectType,
    // ITI-41 usually leaves status to the registry, which makes every new entry Approved.
    availabilityStatus: eo.status ?? RIM.approved,
    hash,
    size,
    ...(eo.home !== undefined ? { homeCommunityId: eo.home } : {}),
  };
}

function readSubmissionSet(r: Reader, pkg: RimRegistryPackage): SubmissionSet | null {
  const before = r.issues.length;
  const uniqueId = r.identifier(pkg, SUBMISSION_SET.uniqueId, 'SubmissionSet.uniqueId');
  const sourceId = r.identifier(pkg, SUBMISSION_SET.sourceId, 'SubmissionSet.sourceId');
  const patientId = r.identifier(pkg, SUBMISSION_SET.patientId, 'SubmissionSet.patientId');
  const submissionTime = r.slot(pkg, 'submissionTime', 'SubmissionSet.submissionTime', true);
  const contentTypeCode = r.single(pkg, SUBMISSION_SET.contentTypeCode, 'SubmissionSet.contentTypeCode');
  if (
    r.issues.length > before ||
    uniqueId === undefined ||
    sourceId === undefined ||
    patientId === undefined ||
    submissionTime === undefined ||
    contentTypeCode === undefined
  ) {
    return null;
  }
  return {
    entryUUID: pkg.id,
    uniqueId,
    sourceId,
    patientId,
    submissionTime,
    contentTypeCode,
    ...(pkg.name !== undefined ? { title: pkg.name } : {}),
    ...readAuthor(pkg, SUBMISSION_SET.author),
    ...(pkg.home !== undefined ? { homeCommunityId: pkg.home } : {}),
  };
}

/**
 * The metadata of a submission: the one RegistryPackage marked as SubmissionSet and every
 * ExtrinsicObject as a DocumentEntry, in document order. Without metadata when anything the model
 * requires is missing; `checkSubmission` gives the full, rule-by-rule account.
 */
export function rimToMetadata(sub: RimSubmission, options: RimToMetadataOptions = {}): RimToMetadataResult {
  const r = new Reader();
  const sets = submissionSets(sub);
  const [pkg] = sets;
  if (!pkg || sets.length > 1) {
    r.missing(`Exactly one SubmissionSet (found ${sets.length})`, sub.request);
  }
  const submissionSet = pkg ? readSubmissionSet(r, pkg) : null;
  const documentEntries = sub.extrinsicObjects.map((eo) => readDocumentEntry(r, eo, options));
  if (r.issues.length > 0 || !submissionSet) {
    return { issues: r.issues };
  }
  return {
    metadata: {
      submissionSet,
      documentEntries: documentEntries.filter((e): e is DocumentEntry => e !== null),
    },
    issues: [],
  };
}

/**
 * The DocumentEntries among registry objects that stand without a SubmissionSet (an ITI-18
 * LeafClass answer). An entry the model cannot hold is left out and named in `issues`.
 */
export function rimToDocumentEntries(
  sub: RimSubmission,
  options: RimToMetadataOptions = {}
): { entries: DocumentEntry[]; issues: ValidationIssue[] } {
  const r = new Reader();
  const entries = sub.extrinsicObjects
    .map((eo) => readDocumentEntry(r, eo, options))
    .filter((e): e is DocumentEntry => e !== null);
  return { entries, issues: r.issues };
}
