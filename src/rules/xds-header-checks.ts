// The XDS header checks (XDS-CDA-*): what a CDA header must give for its XDS metadata to be derived; run by validation and by the XDS builder alike.
import type { ProfileId, Severity, ValidationIssue } from '../core/report.js';
import { DK_ID_ROOT } from '../cda/cda-header.js';
import type { CdaHeader, Located, SourceLocation } from '../cda/cda-header.js';
import { cdaDatePart, cdaTimeToUtcDtm } from '../cda/hl7-values.js';

/*
 * These checks live here, below validation, rather than in src/xds: validation may not import
 * src/xds (it sits below it), and it must run them so that a document whose metadata cannot be
 * derived is not "valid" (issue 18, section 3). They read only the header, never the metadata
 * settings, so a document gets the same verdict whichever target it is later sent to. The
 * findings that depend on settings stay with the builder (derive-metadata.ts).
 */

export type DocumentFamily = 'phmr' | 'qrd' | 'qfdd';

export function profileFamily(profile: ProfileId): DocumentFamily {
  return profile.startsWith('dk-phmr') ? 'phmr' : profile.startsWith('dk-qrd') ? 'qrd' : 'qfdd';
}

export const LOINC_OID = '2.16.840.1.113883.6.1';

/** The LOINC document type of each family: the header's `ClinicalDocument/code` and the XDS typeCode. */
export const DOCUMENT_TYPE_CODES = {
  phmr: { code: '53576-5', codeSystem: LOINC_OID, displayName: 'Personal health monitoring report Document' },
  qrd: { code: '74465-6', codeSystem: LOINC_OID, displayName: 'Questionnaire Response Document' },
  qfdd: { code: '74468-0', codeSystem: LOINC_OID, displayName: 'Questionnaire Form Definition Document' },
} as const;

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

/**
 * The derivation rules that depend on the header alone, so validation runs them (XDS-CDA-002 for
 * PHMR and QRD only: a QFDD names no patient by design, and its patientId is a setting). The others
 * depend on the metadata settings: XDS-CDA-013 (event codes may come from settings), XDS-CDA-014
 * and XDS-CDA-002 for a QFDD (`patientlessPatientId`).
 */
export const HEADER_RULE_IDS: readonly DerivationRuleId[] = [
  'XDS-CDA-001',
  'XDS-CDA-002',
  'XDS-CDA-003',
  'XDS-CDA-004',
  'XDS-CDA-005',
  'XDS-CDA-006',
  'XDS-CDA-007',
  'XDS-CDA-008',
  'XDS-CDA-009',
  'XDS-CDA-010',
  'XDS-CDA-011',
  'XDS-CDA-012',
  'XDS-CDA-015',
];

/** Derivation findings, all of stage `xds`. */
export class DerivationFindings {
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

/** What the header checks found, and the UTC times they converted on the way. */
export interface HeaderCheck {
  readonly issues: readonly ValidationIssue[];
  readonly creationTime?: string;
  readonly serviceStartTime?: string;
  readonly serviceStopTime?: string;
}

const TIME_PROBLEM: Readonly<Record<'format' | 'no-offset' | 'no-time' | 'range', string>> = {
  format: 'is not an HL7 timestamp',
  'no-offset': 'has no UTC offset, so the UTC time is unknown',
  'no-time': 'has no time of day (XDS needs the second)',
  range: 'is not a real date and time',
};

function utcTime(
  f: DerivationFindings,
  ruleId: 'XDS-CDA-003' | 'XDS-CDA-004',
  label: string,
  value: Located<{ value: string }> | undefined
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

function patientInfoGaps(f: DerivationFindings, header: CdaHeader): void {
  const missing: string[] = [];
  if (!header.patient.name?.family) {
    missing.push('name');
  }
  if (!(header.patient.birthTime && cdaDatePart(header.patient.birthTime.value))) {
    missing.push('birth date');
  }
  if (!header.patient.gender) {
    missing.push('gender');
  }
  // Without a patient there is no sourcePatientInfo to be incomplete (XDS-CDA-002 or a QFDD).
  if (missing.length > 0 && header.patient.cpr) {
    f.add(
      'XDS-CDA-012',
      `sourcePatientInfo lacks the patient's ${missing.join(', ')}.`,
      header.patient.at ?? header.root,
      'warning'
    );
  }
}

/** The header checks of one document (see HEADER_RULE_IDS); never throws for missing parts. */
export function checkCdaHeader(header: CdaHeader, profile: ProfileId): HeaderCheck {
  const family = profileFamily(profile);
  const f = new DerivationFindings();

  if (!header.id) {
    f.add('XDS-CDA-001', 'ClinicalDocument/id has no root; DocumentEntry.uniqueId is derived from it.', header.root);
  }
  if (!header.patient.cpr && family !== 'qfdd') {
    f.add(
      'XDS-CDA-002',
      `recordTarget/patientRole has no id with root ${DK_ID_ROOT.cpr} (CPR); DocumentEntry.patientId needs it.`,
      header.patient.at ?? header.root
    );
  }

  const expectedType = DOCUMENT_TYPE_CODES[family];
  if (!header.code || header.code.code !== expectedType.code || header.code.codeSystem !== LOINC_OID) {
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
      `The author has no SOR id (root ${DK_ID_ROOT.sor}) in assignedAuthor/id or representedOrganization/id; DocumentEntry.authorInstitution needs it.`,
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

  patientInfoGaps(f, header);
  for (const c of header.serviceEventCodes) {
    if (!c.displayName) {
      f.add('XDS-CDA-015', `serviceEvent code ${c.code} (${c.codeSystem}) has no displayName.`, c.at);
    }
  }

  return {
    issues: f.issues,
    ...(creationTime ? { creationTime } : {}),
    ...(serviceStartTime ? { serviceStartTime } : {}),
    ...(serviceStopTime ? { serviceStopTime } : {}),
  };
}
