// Derives the DK XDS DocumentEntry and SubmissionSet from a CDA document's header; missing or contradictory data is a finding, never a guess.
import { createHash } from 'node:crypto';
import type { XmlDocument } from 'libxml2-wasm';
import type { ProfileId, ValidationIssue } from '../core/report.js';
import { readCdaHeader } from '../cda/cda-header.js';
import type { CdaHeader, HeaderName } from '../cda/cda-header.js';
import { checkCdaHeader, DerivationFindings, profileFamily } from '../rules/xds-header-checks.js';
import type { DocumentFamily } from '../rules/xds-header-checks.js';
import {
  cdaDatePart,
  formatCx,
  formatUniqueId,
  formatUtcDtm,
  formatXcn,
  formatXon,
  newUuidOid,
  newUuidUrn,
} from './datatypes.js';
import type { PersonName } from './datatypes.js';
import type { CodedValue, DocumentEntry, SubmissionMetadata, SubmissionSet } from './metadata-model.js';
import type { MetadataSettings } from '../config/metadata-settings.js';
import { CLASS_CODE_CLINICAL_REPORT, DK_OID, DOCUMENT_ENTRY, RIM, TYPE_CODES } from './vocabulary.js';

// The header checks and the family of a profile are shared with validation (src/rules).
export { DERIVATION_RULE_IDS, profileFamily } from '../rules/xds-header-checks.js';
export type { DerivationRuleId, DocumentFamily } from '../rules/xds-header-checks.js';

const FORMAT_VERSION: Readonly<Record<ProfileId, string>> = {
  'dk-phmr-1.3': 'phmr-v1.3',
  'dk-phmr-2.1': 'phmr-v2.1',
  'dk-qrd-1.3': 'qrd-v1.3',
  'dk-qfdd-1.2': 'qfdd-v1.2',
};

const FORMAT_DISPLAY: Readonly<Record<ProfileId, string>> = {
  'dk-phmr-1.3': 'DK PHMR 1.3',
  'dk-phmr-2.1': 'DK PHMR 2.1',
  'dk-qrd-1.3': 'DK QRD 1.3',
  'dk-qfdd-1.2': 'DK QFDD 1.2',
};

/** DocumentEntry.formatCode for a profile, in the target's style (codingScheme 1.2.208.184.100.10). */
export function formatCodeFor(profile: ProfileId, style: MetadataSettings['formatCodeStyle']): CodedValue {
  const name = style === 'legacy' ? profileFamily(profile) : FORMAT_VERSION[profile];
  return { code: `urn:ad:dk:medcom:${name}:full`, codeSystem: DK_OID.formatCode, displayName: FORMAT_DISPLAY[profile] };
}

export interface DeriveOptions {
  readonly profile: ProfileId;
  readonly settings: MetadataSettings;
  /** submissionTime; default: now. */
  readonly now?: Date;
  /** Fixed registry ids (tests, replays); default: fresh UUIDs and a fresh `2.25` OID. */
  readonly ids?: {
    readonly documentEntry: string;
    readonly submissionSet: string;
    readonly submissionSetUniqueId: string;
  };
}

export interface DerivedMetadata {
  /** Absent when an error-severity finding makes the metadata incomplete. */
  readonly metadata?: SubmissionMetadata;
  readonly issues: readonly ValidationIssue[];
}

function personName(name: HeaderName | undefined): PersonName | undefined {
  if (!name?.family) {
    return undefined;
  }
  const [given, ...middle] = name.given;
  return {
    family: name.family,
    ...(given ? { given } : {}),
    ...(middle.length > 0 ? { middle: middle.join(' ') } : {}),
  };
}

/** sourcePatientInfo from the patient's name, birth date and gender (gaps are XDS-CDA-012, a header check). */
function sourcePatientInfo(header: CdaHeader): string[] {
  const info: string[] = [];
  const name = personName(header.patient.name);
  if (name) {
    info.push(`PID-5|${formatXcn(name).slice(1)}`);
  }
  const birth = header.patient.birthTime ? cdaDatePart(header.patient.birthTime.value) : null;
  if (birth) {
    info.push(`PID-7|${birth}`);
  }
  const gender = header.patient.gender;
  if (gender === 'M' || gender === 'F') {
    info.push(`PID-8|${gender}`);
  } else if (gender) {
    info.push('PID-8|U');
  }
  return info;
}

function eventCodes(
  f: DerivationFindings,
  header: CdaHeader,
  family: DocumentFamily,
  settings: MetadataSettings
): CodedValue[] {
  const codes: CodedValue[] = [];
  const seen = new Set<string>();
  const push = (c: CodedValue): void => {
    const key = `${c.codeSystem}|${c.code}`;
    if (!seen.has(key)) {
      seen.add(key);
      codes.push(c);
    }
  };
  for (const c of header.serviceEventCodes) {
    // A code without displayName is XDS-CDA-015, a header check.
    if (!c.displayName) {
      continue;
    }
    push({ code: c.code, codeSystem: c.codeSystem, displayName: c.displayName });
  }
  settings.eventCodes.forEach(push);
  if (family === 'qrd' && codes.length === 0) {
    f.add(
      'XDS-CDA-013',
      'DocumentEntry.eventCodeList is empty: QRD headers carry no event codes, so supply one (e.g. an SKS ALAL code) in the eventCodes setting or with --event-code.',
      header.root,
      'warning'
    );
  }
  return codes;
}

/** Derives the metadata for one document; `bytes` are exactly what will be sent (hash and size). */
export function deriveMetadata(doc: XmlDocument, bytes: Uint8Array, options: DeriveOptions): DerivedMetadata {
  return deriveFromHeader(readCdaHeader(doc), bytes, options);
}

/**
 * Derives the metadata from header facts already read (by validation, from the tree it built):
 * the same result as `deriveMetadata` on the parsed bytes, without a second parse.
 */
export function deriveFromHeader(header: CdaHeader, bytes: Uint8Array, options: DeriveOptions): DerivedMetadata {
  const { settings, profile } = options;
  const family = profileFamily(profile);
  const f = new DerivationFindings();
  const checked = checkCdaHeader(header, profile);
  f.issues.push(...checked.issues);

  let patientId: string | undefined;
  if (header.patient.cpr) {
    patientId = formatCx(header.patient.cpr.value, DK_OID.cpr);
  } else if (family === 'qfdd') {
    // Only a QFDD (a questionnaire definition) names no patient by design, so only there may the
    // setting stand in; a PHMR or QRD without a CPR number is a header finding (XDS-CDA-002).
    if (settings.patientlessPatientId) {
      patientId = formatCx(settings.patientlessPatientId.id, settings.patientlessPatientId.assigningAuthority);
      f.add(
        'XDS-CDA-014',
        'The document names no patient (CPR); DocumentEntry.patientId is taken from the patientlessPatientId setting.',
        header.patient.at ?? header.root,
        'info'
      );
    } else {
      f.add(
        'XDS-CDA-002',
        `recordTarget/patientRole has no id with root ${DK_OID.cpr} (CPR); DocumentEntry.patientId needs it. A QFDD names no patient: set patientlessPatientId for the target.`,
        header.patient.at ?? header.root
      );
    }
  }

  const expectedType = TYPE_CODES[family];
  const { creationTime, serviceStartTime, serviceStopTime } = checked;
  const author = header.author;

  const patientInfo = sourcePatientInfo(header);
  const events = eventCodes(f, header, family, settings);

  if (
    f.failed ||
    !header.id ||
    !patientId ||
    !header.code ||
    !header.title ||
    !header.confidentialityCode ||
    !header.languageCode ||
    !creationTime ||
    !author?.sor ||
    !author.organizationName
  ) {
    return { issues: f.issues };
  }

  const ids = options.ids ?? {
    documentEntry: newUuidUrn(),
    submissionSet: newUuidUrn(),
    submissionSetUniqueId: newUuidOid(),
  };
  const home = settings.homeCommunityId ? `urn:oid:${settings.homeCommunityId}` : undefined;
  const authorInstitution = [formatXon(author.organizationName, DK_OID.sor, author.sor.value)];
  const authorName = personName(author.person);
  const authorPerson = authorName ? formatXcn(authorName) : undefined;
  const legalName = personName(header.legalAuthenticator?.person);
  const typeCode: CodedValue = { ...expectedType };

  const entry: DocumentEntry = {
    entryUUID: ids.documentEntry,
    uniqueId: formatUniqueId(header.id.root, header.id.extension),
    patientId,
    sourcePatientId: patientId,
    sourcePatientInfo: patientInfo,
    typeCode,
    classCode: { ...CLASS_CODE_CLINICAL_REPORT },
    formatCode: formatCodeFor(profile, settings.formatCodeStyle),
    confidentialityCode: [
      {
        code: header.confidentialityCode.code,
        codeSystem: header.confidentialityCode.codeSystem,
        displayName: header.confidentialityCode.displayName ?? confidentialityDisplay(header.confidentialityCode.code),
      },
    ],
    healthcareFacilityTypeCode: settings.healthcareFacilityTypeCode,
    practiceSettingCode: settings.practiceSettingCode,
    eventCodeList: events,
    languageCode: header.languageCode.code,
    creationTime,
    ...(serviceStartTime ? { serviceStartTime } : {}),
    ...(serviceStopTime ? { serviceStopTime } : {}),
    title: header.title.text,
    authorInstitution,
    ...(authorPerson ? { authorPerson } : {}),
    ...(legalName ? { legalAuthenticator: formatXcn(legalName) } : {}),
    mimeType: 'text/xml',
    objectType: DOCUMENT_ENTRY.objectTypeStable,
    availabilityStatus: RIM.approved,
    hash: createHash('sha1').update(bytes).digest('hex'),
    size: bytes.length,
    ...(home ? { homeCommunityId: home } : {}),
  };
  const submissionSet: SubmissionSet = {
    entryUUID: ids.submissionSet,
    uniqueId: ids.submissionSetUniqueId,
    sourceId: settings.sourceId,
    patientId,
    submissionTime: formatUtcDtm(options.now ?? new Date()),
    contentTypeCode: settings.contentTypeCode ?? typeCode,
    ...(settings.submissionSetTitle ? { title: settings.submissionSetTitle } : {}),
    authorInstitution,
    ...(authorPerson ? { authorPerson } : {}),
    ...(home ? { homeCommunityId: home } : {}),
  };
  return { metadata: { submissionSet, documentEntries: [entry] }, issues: f.issues };
}

/** Display names of HL7 Confidentiality codes, for headers that give only the code. */
function confidentialityDisplay(code: string): string {
  return code === 'N' ? 'normal' : code === 'R' ? 'restricted' : code === 'V' ? 'very restricted' : code;
}
