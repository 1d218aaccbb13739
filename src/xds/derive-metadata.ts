// Derives the DK XDS DocumentEntry and SubmissionSet from a CDA document's header; missing or contradictory data is a finding, never a guess.
import { createHash } from 'node:crypto';
import type { XmlDocument } from 'libxml2-wasm';
import type { ProfileId, Severity, ValidationIssue } from '../core/report.js';
import { readCdaHeader } from './cda-header.js';
import type { CdaHeader, HeaderName, SourceLocation } from './cda-header.js';
import {
  cdaDatePart,
  cdaTimeToUtcDtm,
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
import { CLASS_CODE_CLINICAL_REPORT, DK_OID, DOCUMENT_ENTRY, HL7_OID, RIM, TYPE_CODES } from './vocabulary.js';

export type DocumentFamily = 'phmr' | 'qrd' | 'qfdd';

export function profileFamily(profile: ProfileId): DocumentFamily {
  return profile.startsWith('dk-phmr') ? 'phmr' : profile.startsWith('dk-qrd') ? 'qrd' : 'qfdd';
}

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

/** Findings of the derivation step, documented in docs/xds-metadata.md. */
export const DERIVATION_RULE_IDS = {
  'XDS-CDA-001': 'ClinicalDocument/id has no root, so there is no uniqueId.',
  'XDS-CDA-002': 'No CPR number in recordTarget/patientRole/id, so there is no patientId.',
  'XDS-CDA-003': 'ClinicalDocument/effectiveTime is missing or cannot be converted to UTC (creationTime).',
  'XDS-CDA-004': 'serviceEvent effectiveTime low/high cannot be converted to UTC (serviceStartTime/StopTime).',
  'XDS-CDA-005': 'The service period starts after it stops.',
  'XDS-CDA-006': 'The author has no SOR id (authorInstitution).',
  'XDS-CDA-007': "The author's organisation has no name (authorInstitution).",
  'XDS-CDA-008': "ClinicalDocument/code is missing or is not the profile's LOINC document type (typeCode).",
  'XDS-CDA-009': 'ClinicalDocument/title is missing (title).',
  'XDS-CDA-010': 'ClinicalDocument/confidentialityCode is missing (confidentialityCode).',
  'XDS-CDA-011': 'ClinicalDocument/languageCode is missing (languageCode).',
  'XDS-CDA-012': "The patient's name, birth date or gender is missing (sourcePatientInfo is incomplete).",
  'XDS-CDA-013': 'A QRD document has no event codes: none in its header and none in the settings.',
  'XDS-CDA-014': 'A QFDD names no patient; patientId comes from the patientlessPatientId setting.',
  'XDS-CDA-015': 'A serviceEvent code has no displayName (eventCodeList needs one).',
} as const;

export type DerivationRuleId = keyof typeof DERIVATION_RULE_IDS;

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

class Findings {
  readonly issues: ValidationIssue[] = [];

  add(ruleId: DerivationRuleId, message: string, where?: SourceLocation, severity: Severity = 'error'): void {
    this.issues.push({
      ruleId,
      severity,
      stage: 'xds',
      message,
      ...(where ? { line: where.line, xpath: where.xpath } : {}),
    });
  }

  get failed(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }
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

const TIME_PROBLEM: Readonly<Record<'format' | 'no-offset' | 'no-time' | 'range', string>> = {
  format: 'is not an HL7 timestamp',
  'no-offset': 'has no UTC offset, so the UTC time is unknown',
  'no-time': 'has no time of day (XDS needs the second)',
  range: 'is not a real date and time',
};

function utcTime(
  f: Findings,
  ruleId: 'XDS-CDA-003' | 'XDS-CDA-004',
  label: string,
  value: { value: string; at: SourceLocation } | undefined
): string | undefined {
  if (!value) {
    return undefined;
  }
  const converted = cdaTimeToUtcDtm(value.value);
  if (converted.ok) {
    return converted.value;
  }
  f.add(ruleId, `${label} "${value.value}" ${TIME_PROBLEM[converted.reason]}.`, value.at);
  return undefined;
}

function sourcePatientInfo(f: Findings, header: CdaHeader): string[] {
  const info: string[] = [];
  const missing: string[] = [];
  const name = personName(header.patient.name);
  if (name) {
    info.push(`PID-5|${formatXcn(name).slice(1)}`);
  } else {
    missing.push('name');
  }
  const birth = header.patient.birthTime ? cdaDatePart(header.patient.birthTime.value) : null;
  if (birth) {
    info.push(`PID-7|${birth}`);
  } else {
    missing.push('birth date');
  }
  const gender = header.patient.gender;
  if (gender === 'M' || gender === 'F') {
    info.push(`PID-8|${gender}`);
  } else if (gender) {
    info.push('PID-8|U');
  } else {
    missing.push('gender');
  }
  if (missing.length > 0 && header.patient.cpr) {
    f.add(
      'XDS-CDA-012',
      `sourcePatientInfo lacks the patient's ${missing.join(', ')}.`,
      header.patient.at ?? header.root,
      'warning'
    );
  }
  return info;
}

function eventCodes(f: Findings, header: CdaHeader, family: DocumentFamily, settings: MetadataSettings): CodedValue[] {
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
    if (!c.displayName) {
      f.add('XDS-CDA-015', `serviceEvent code ${c.code} (${c.codeSystem}) has no displayName.`, c.at);
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
  const header = readCdaHeader(doc);
  const { settings, profile } = options;
  const family = profileFamily(profile);
  const f = new Findings();

  if (!header.id) {
    f.add('XDS-CDA-001', 'ClinicalDocument/id has no root; DocumentEntry.uniqueId is derived from it.', header.root);
  }

  let patientId: string | undefined;
  if (header.patient.cpr) {
    patientId = formatCx(header.patient.cpr.value, DK_OID.cpr);
  } else if (family === 'qfdd' && settings.patientlessPatientId) {
    // Only a QFDD (a questionnaire definition) names no patient by design; a PHMR or QRD without
    // a CPR number is a defect the setting must not paper over.
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
      `recordTarget/patientRole has no id with root ${DK_OID.cpr} (CPR); DocumentEntry.patientId needs it.` +
        (family === 'qfdd' ? ' A QFDD names no patient: set patientlessPatientId for the target.' : ''),
      header.patient.at ?? header.root
    );
  }

  const expectedType = TYPE_CODES[family];
  if (!header.code || header.code.code !== expectedType.code || header.code.codeSystem !== HL7_OID.loinc) {
    f.add(
      'XDS-CDA-008',
      `ClinicalDocument/code must be ${expectedType.code} (LOINC) for ${profile}; DocumentEntry.typeCode is taken from it` +
        (header.code ? `, found ${header.code.code} (${header.code.codeSystem}).` : '.'),
      header.code?.at ?? header.root
    );
  }
  if (!header.title) {
    f.add(
      'XDS-CDA-009',
      'ClinicalDocument/title is missing or empty; DocumentEntry.title is taken from it.',
      header.root
    );
  }
  if (!header.confidentialityCode) {
    f.add('XDS-CDA-010', 'ClinicalDocument/confidentialityCode is missing.', header.root);
  }
  if (!header.languageCode) {
    f.add('XDS-CDA-011', 'ClinicalDocument/languageCode is missing.', header.root);
  }

  let creationTime: string | undefined;
  if (header.effectiveTime) {
    creationTime = utcTime(f, 'XDS-CDA-003', 'ClinicalDocument/effectiveTime', header.effectiveTime);
  } else {
    f.add(
      'XDS-CDA-003',
      'ClinicalDocument/effectiveTime is missing; DocumentEntry.creationTime needs it.',
      header.root
    );
  }
  const serviceStartTime = utcTime(f, 'XDS-CDA-004', 'serviceEvent effectiveTime/low', header.serviceStart);
  const serviceStopTime = utcTime(f, 'XDS-CDA-004', 'serviceEvent effectiveTime/high', header.serviceStop);
  if (serviceStartTime && serviceStopTime && serviceStartTime > serviceStopTime) {
    f.add(
      'XDS-CDA-005',
      `The service period starts (${serviceStartTime} UTC) after it stops (${serviceStopTime} UTC).`,
      header.serviceStart?.at
    );
  }

  const author = header.author;
  if (!author?.sor) {
    f.add(
      'XDS-CDA-006',
      `The author has no SOR id (root ${DK_OID.sor}) in assignedAuthor/id or representedOrganization/id; DocumentEntry.authorInstitution needs it.`,
      author?.at ?? header.root
    );
  }
  if (!author?.organizationName) {
    f.add(
      'XDS-CDA-007',
      "The author's representedOrganization has no name; DocumentEntry.authorInstitution needs it.",
      author?.at ?? header.root
    );
  }

  const patientInfo = sourcePatientInfo(f, header);
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
