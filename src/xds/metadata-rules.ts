// XDS metadata rules for an ITI-41 submission: the IHE XDS.b core (XDS-IHE-*) and the Danish/KIH pack (XDS-DK-*).
import { createHash } from 'node:crypto';
import type { Severity, ValidationIssue } from '../core/report.js';
import {
  isCx,
  isDtm,
  isOid,
  isSha1Hex,
  isUtcSecondDtm,
  isXcn,
  parseCx,
  parseXon,
  splitUniqueId,
  UNIQUE_ID_LIMITS,
} from './datatypes.js';
import type {
  RimClassification,
  RimClassifiedObject,
  RimExtrinsicObject,
  RimLocation,
  RimObjectBase,
  RimRegistryPackage,
  RimSlot,
  RimSubmission,
} from './ebrim-model.js';
import {
  classificationsWithScheme,
  externalIdentifiersWithScheme,
  slotsNamed,
  slotValues,
  submissionSets,
} from './ebrim-model.js';
import type { CodedValue, DocumentEntry } from './metadata-model.js';
import {
  DK_OID,
  DOCUMENT_ENTRY,
  EXTERNAL_IDENTIFIER_NAMES,
  HL7_OID,
  RIM,
  SUBMISSION_SET,
  TYPE_CODES,
} from './vocabulary.js';

export interface MetadataRuleOptions {
  /** Longest uniqueId extension: 16 = IHE (and stock OpenXDS); null = the DK form `root^UUID` is accepted. */
  readonly uniqueIdExtensionLimit: number | null;
  /** formatCode codes the target accepts. */
  readonly formatCodes: readonly string[];
  /** typeCode codes the target accepts (KIH's allow-list). */
  readonly typeCodes: readonly string[];
  /** Whether hash and size must be sent (IHE lets the repository fill them in). */
  readonly requireHashAndSize: boolean;
  /** Document id → the exact bytes, to check hash (SHA-1) and size. */
  readonly documents?: ReadonlyMap<string, Uint8Array>;
}

/** The KIH target: DK uniqueIds, the project's document types, hash and size left to the repository. */
export const DEFAULT_METADATA_RULE_OPTIONS: MetadataRuleOptions = {
  uniqueIdExtensionLimit: null,
  formatCodes: [
    'urn:ad:dk:medcom:phmr-v2.1:full',
    'urn:ad:dk:medcom:phmr-v1.3:full',
    'urn:ad:dk:medcom:phmr:full',
    'urn:ad:dk:medcom:qrd-v1.3:full',
  ],
  typeCodes: [TYPE_CODES.phmr.code, TYPE_CODES.qrd.code, TYPE_CODES.qfdd.code],
  requireHashAndSize: false,
};

/** Every rule id with a one-line description; docs/xds-rules.md lists exactly these. */
export const XDS_RULE_IDS = {
  'XDS-IHE-001': 'Exactly one RegistryPackage is classified as SubmissionSet.',
  'XDS-IHE-002': 'Each DocumentEntry is the target of exactly one HasMember association from the SubmissionSet.',
  'XDS-IHE-003': 'A SubmissionSet-to-DocumentEntry HasMember association has SubmissionSetStatus = Original.',
  'XDS-IHE-004': 'Every xds:Document matches an ExtrinsicObject, every ExtrinsicObject has a Document with content.',
  'XDS-IHE-005': 'Every registry object has an id, and ids are unique in the submission.',
  'XDS-IHE-006': 'Object references are present, and symbolic (non-UUID) references resolve inside the submission.',
  'XDS-IHE-007': 'DocumentEntry.objectType is the stable or the on-demand DocumentEntry type.',
  'XDS-IHE-008': 'DocumentEntry.mimeType is present.',
  'XDS-IHE-009':
    'DocumentEntry has one each of classCode, typeCode, formatCode, healthcareFacilityTypeCode, practiceSettingCode and at least one confidentialityCode.',
  'XDS-IHE-010': 'A coded classification has a nodeRepresentation, one codingScheme value and a Name.',
  'XDS-IHE-011': 'A nested Classification or ExternalIdentifier points at the object it sits in.',
  'XDS-IHE-012': 'DocumentEntry has exactly one patientId and one uniqueId ExternalIdentifier.',
  'XDS-IHE-013': 'An ExternalIdentifier carries the Name its scheme requires.',
  'XDS-IHE-014': 'DocumentEntry has creationTime, languageCode, sourcePatientId; single-valued slots have one value.',
  'XDS-IHE-015': 'No slot name occurs twice on one object.',
  'XDS-IHE-016': 'No slot value is longer than 256 characters.',
  'XDS-IHE-017': 'DocumentEntry.sourcePatientInfo values are PID-3 (CX), PID-5 (name), PID-7 (date), PID-8 (sex).',
  'XDS-IHE-018': 'DocumentEntry.hash is 40 hexadecimal digits.',
  'XDS-IHE-019': 'DocumentEntry.size is a non-negative integer.',
  'XDS-IHE-020': 'DocumentEntry.serviceStartTime is not after serviceStopTime.',
  'XDS-IHE-021': 'authorPerson and legalAuthenticator are XCN (no assigning authority without an id).',
  'XDS-IHE-022': 'patientId and sourcePatientId are CX with only id and assigning authority (&OID&ISO).',
  'XDS-IHE-023': 'authorInstitution is XON with only name, assigning authority and id.',
  'XDS-IHE-024': 'creationTime, serviceStartTime, serviceStopTime and submissionTime are DTM.',
  'XDS-IHE-025': 'DocumentEntry.uniqueId is at most 128 characters with an OID root of at most 64.',
  'XDS-IHE-026': 'DocumentEntry.uniqueId extension within the configured limit (IHE: 16; DK form exceeds it).',
  'XDS-IHE-027': 'SubmissionSet has exactly one submissionTime.',
  'XDS-IHE-028': 'SubmissionSet has exactly one contentTypeCode.',
  'XDS-IHE-029': 'SubmissionSet has exactly one uniqueId, sourceId and patientId ExternalIdentifier.',
  'XDS-IHE-030': 'SubmissionSet.uniqueId and sourceId are OIDs.',
  'XDS-IHE-031': 'SubmissionSet.patientId equals every DocumentEntry.patientId.',
  'XDS-IHE-032': 'A title (rim:Name) is at most 128 characters.',
  'XDS-IHE-033': 'DocumentEntry.hash and size are present (when the target requires them).',
  'XDS-IHE-034': 'DocumentEntry.hash is the SHA-1 of the document bytes.',
  'XDS-IHE-035': 'DocumentEntry.size is the byte length of the document.',
  'XDS-IHE-036': 'An author classification has authorPerson or authorInstitution, and at most one authorPerson.',
  'XDS-DK-001': 'patientId and sourcePatientId are CPR numbers: 10 digits, assigning authority 1.2.208.176.1.2.',
  'XDS-DK-002': 'authorInstitution is an SOR organisation: assigning authority 1.2.208.176.1.1 and an id.',
  'XDS-DK-003': 'DocumentEntry.author has an authorInstitution (required by the DK profile).',
  'XDS-DK-004': 'DocumentEntry.classCode is 001 in 1.2.208.184.100.9.',
  'XDS-DK-005': 'DocumentEntry.typeCode is an allowed LOINC document type.',
  'XDS-DK-006': 'DocumentEntry.formatCode is an allowed DK formatCode in 1.2.208.184.100.10.',
  'XDS-DK-007': 'DocumentEntry.confidentialityCode is N in 2.16.840.1.113883.5.25.',
  'XDS-DK-008': 'DocumentEntry.languageCode is da-DK (da is a warning).',
  'XDS-DK-009': 'DocumentEntry.mimeType is text/xml.',
  'XDS-DK-010': 'creationTime, serviceStart/StopTime and submissionTime are UTC to the second (14 digits).',
  'XDS-DK-011': 'healthcareFacilityTypeCode and practiceSettingCode are SNOMED CT codes.',
  'XDS-DK-012': 'DocumentEntry.uniqueId is the CDA id as root or root^extension, no other separators.',
  'XDS-DK-013': 'eventCodeList codes come from NPU, MedCom, SKS, PRO, LOINC or SNOMED CT (warning).',
  'XDS-DK-014': 'DocumentEntry values equal those derived from the CDA header.',
} as const;

export type XdsRuleId = keyof typeof XDS_RULE_IDS;

/** Slots of a DocumentEntry that carry exactly one value. */
const SINGLE_VALUED_SLOTS = [
  'creationTime',
  'languageCode',
  'sourcePatientId',
  'hash',
  'size',
  'serviceStartTime',
  'serviceStopTime',
  'legalAuthenticator',
] as const;
const REQUIRED_SLOTS = ['creationTime', 'languageCode', 'sourcePatientId'] as const;

/** Coded DocumentEntry attributes that occur exactly once. */
const SINGLE_CODES = [
  ['classCode', DOCUMENT_ENTRY.classCode],
  ['typeCode', DOCUMENT_ENTRY.typeCode],
  ['formatCode', DOCUMENT_ENTRY.formatCode],
  ['healthcareFacilityTypeCode', DOCUMENT_ENTRY.healthcareFacilityTypeCode],
  ['practiceSettingCode', DOCUMENT_ENTRY.practiceSettingCode],
] as const;

/** Every DocumentEntry classification scheme that holds a code, by profile name. */
const DE_CODED_SCHEMES: ReadonlyMap<string, string> = new Map([
  ...SINGLE_CODES.map(([name, scheme]) => [scheme, name] as const),
  [DOCUMENT_ENTRY.confidentialityCode, 'confidentialityCode'],
  [DOCUMENT_ENTRY.eventCodeList, 'eventCodeList'],
]);

const DK_EVENT_CODE_SYSTEMS: readonly string[] = [
  DK_OID.npu,
  DK_OID.medcomEventCodes,
  DK_OID.sks,
  DK_OID.proQuestionnaire,
  HL7_OID.loinc,
  HL7_OID.snomedCt,
];

const SEX_CODES = ['F', 'M', 'O', 'U', 'A', 'N'];

/**
 * Shows a value in a message without a whole CPR number: runs of 9–11 digits outside OIDs keep
 * their first six (the date part). Reports are stored and shared; a malformed number may still be
 * a real one with a typo.
 */
function shown(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return `"${cut.replace(/(?<![\d.])(\d{6})\d{3,5}(?![\d.])/g, '$1…')}"`;
}

function attrAt(obj: RimLocation, name: string): RimLocation {
  return { line: obj.line, xpath: `${obj.xpath}/@${name}` };
}

/** Compares DTMs of any precision by their common prefix, so `2024` is not after `20240101`. */
function dtmAfter(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) > b.slice(0, n);
}

class Findings {
  readonly issues: ValidationIssue[] = [];

  add(ruleId: XdsRuleId, message: string, at?: RimLocation, severity: Severity = 'error'): void {
    this.issues.push({
      ruleId,
      severity,
      stage: 'xds',
      message,
      ...(at && at.line > 0 ? { line: at.line } : {}),
      ...(at ? { xpath: at.xpath } : {}),
    });
  }
}

/** A registry object with a label for messages (`DocumentEntry`, `SubmissionSet`). */
interface Labelled<T> {
  readonly obj: T;
  readonly label: 'DocumentEntry' | 'SubmissionSet';
}

function allObjects(sub: RimSubmission): RimObjectBase[] {
  const nested = (o: RimClassifiedObject): RimObjectBase[] => [o, ...o.classifications, ...o.externalIdentifiers];
  return [
    ...sub.extrinsicObjects.flatMap(nested),
    ...sub.registryPackages.flatMap(nested),
    ...sub.classifications,
    ...sub.associations,
  ];
}

// ---------------------------------------------------------------- structure

function checkStructure(f: Findings, sub: RimSubmission, sets: readonly RimRegistryPackage[]): void {
  if (sets.length !== 1) {
    f.add(
      'XDS-IHE-001',
      `The submission has ${sets.length} RegistryPackages classified as SubmissionSet (classificationNode ${SUBMISSION_SET.classificationNode}); exactly one is required.`,
      sub.request
    );
  }
  const [ss] = sets;
  if (ss && sets.length === 1) {
    for (const eo of sub.extrinsicObjects) {
      const members = sub.associations.filter(
        (a) => a.associationType === RIM.hasMember && a.sourceObject === ss.id && a.targetObject === eo.id
      );
      if (members.length !== 1) {
        f.add(
          'XDS-IHE-002',
          `DocumentEntry ${eo.id} is the target of ${members.length} HasMember associations from the SubmissionSet; exactly one is required.`,
          eo
        );
      }
      for (const a of members) {
        const status = slotValues(a, 'SubmissionSetStatus');
        if (status?.length !== 1 || status[0] !== 'Original') {
          f.add(
            'XDS-IHE-003',
            `The HasMember association ${a.id} from the SubmissionSet to DocumentEntry ${eo.id} needs a SubmissionSetStatus slot with the one value "Original" (the document is submitted with this request).`,
            a
          );
        }
      }
    }
  }
  if (sub.kind === 'provide-and-register') {
    const docIds = new Set(sub.documents.map((d) => d.id));
    const eoIds = new Set(sub.extrinsicObjects.map((e) => e.id));
    for (const eo of sub.extrinsicObjects) {
      if (!docIds.has(eo.id)) {
        f.add('XDS-IHE-004', `DocumentEntry ${eo.id} has no xds:Document with the same id.`, eo);
      }
    }
    for (const doc of sub.documents) {
      if (!eoIds.has(doc.id)) {
        f.add('XDS-IHE-004', `xds:Document ${shown(doc.id)} matches no ExtrinsicObject id.`, doc);
      } else if (doc.xopHref === '' || doc.inlineBase64Length === 0) {
        f.add(
          'XDS-IHE-004',
          `xds:Document ${doc.id} has no content (neither inline base64 nor an xop:Include href).`,
          doc
        );
      }
    }
  }
}

function checkIdsAndReferences(f: Findings, sub: RimSubmission): void {
  const objects = allObjects(sub);
  const seen = new Map<string, RimObjectBase>();
  for (const obj of objects) {
    if (obj.id === '') {
      f.add('XDS-IHE-005', 'A registry object has no id; every object needs one, unique in the submission.', obj);
    } else if (seen.has(obj.id)) {
      f.add('XDS-IHE-005', `The id ${shown(obj.id)} is used by more than one registry object.`, obj);
    } else {
      seen.set(obj.id, obj);
    }
  }
  const refs = new Set(sub.objectRefs.map((r) => r.id));
  const check = (obj: RimObjectBase, attribute: string, value: string | undefined): void => {
    if (value === undefined || value === '') {
      f.add('XDS-IHE-006', `The ${attribute} reference is missing.`, attrAt(obj, attribute));
    } else if (!value.startsWith('urn:uuid:') && !seen.has(value) && !refs.has(value)) {
      // A UUID may name an object already in the registry (e.g. the target of a replacement); a symbolic id cannot.
      f.add(
        'XDS-IHE-006',
        `The symbolic ${attribute} ${shown(value)} names no object in this submission.`,
        attrAt(obj, attribute)
      );
    }
  };
  const classified = [...sub.extrinsicObjects, ...sub.registryPackages];
  for (const c of [...sub.classifications, ...classified.flatMap((o) => o.classifications)]) {
    check(c, 'classifiedObject', c.classifiedObject);
  }
  for (const e of classified.flatMap((o) => o.externalIdentifiers)) {
    check(e, 'registryObject', e.registryObject);
  }
  for (const a of sub.associations) {
    check(a, 'sourceObject', a.sourceObject);
    check(a, 'targetObject', a.targetObject);
  }
  for (const o of classified) {
    for (const c of o.classifications) {
      if (c.classifiedObject && c.classifiedObject !== o.id) {
        f.add(
          'XDS-IHE-011',
          `A Classification inside ${shown(o.id)} has classifiedObject ${shown(c.classifiedObject)}; it must name the object it sits in.`,
          attrAt(c, 'classifiedObject')
        );
      }
    }
    for (const e of o.externalIdentifiers) {
      if (e.registryObject && e.registryObject !== o.id) {
        f.add(
          'XDS-IHE-011',
          `An ExternalIdentifier inside ${shown(o.id)} has registryObject ${shown(e.registryObject)}; it must name the object it sits in.`,
          attrAt(e, 'registryObject')
        );
      }
    }
  }
}

// ---------------------------------------------------------------- slots (any object)

function checkSlotsEverywhere(f: Findings, sub: RimSubmission): void {
  for (const obj of allObjects(sub)) {
    const names = new Set<string>();
    for (const slot of obj.slots) {
      if (names.has(slot.name)) {
        f.add(
          'XDS-IHE-015',
          `The slot ${shown(slot.name)} occurs more than once on one object; merge its values.`,
          slot
        );
      }
      names.add(slot.name);
      for (const value of slot.values) {
        if (value.length > 256) {
          f.add(
            'XDS-IHE-016',
            `A value of slot ${shown(slot.name)} has ${value.length} characters; slot values may have at most 256.`,
            slot
          );
        }
      }
    }
  }
}

// ---------------------------------------------------------------- coded values

function checkCodedClassification(f: Findings, c: RimClassification, label: string): void {
  const scheme = slotsNamed(c, 'codingScheme')[0];
  const problems: string[] = [];
  if (!c.nodeRepresentation) {
    problems.push('a nodeRepresentation (the code)');
  }
  if (scheme?.values.length !== 1 || scheme.values[0] === '') {
    problems.push('a codingScheme slot with exactly one value');
  }
  if (!c.name) {
    problems.push('a Name (the display name)');
  }
  if (problems.length > 0) {
    f.add('XDS-IHE-010', `${label} needs ${problems.join(', ')}.`, c);
  }
}

function codeOf(c: RimClassification): { code: string; system: string } | null {
  const system = slotValues(c, 'codingScheme')?.[0];
  return c.nodeRepresentation && system ? { code: c.nodeRepresentation, system } : null;
}

function checkDocumentEntryCodes(f: Findings, eo: RimExtrinsicObject, options: MetadataRuleOptions): void {
  for (const [name, scheme] of SINGLE_CODES) {
    const n = classificationsWithScheme(eo, scheme).length;
    if (n !== 1) {
      f.add('XDS-IHE-009', `DocumentEntry.${name} occurs ${n} times; exactly one is required.`, eo);
    }
  }
  if (classificationsWithScheme(eo, DOCUMENT_ENTRY.confidentialityCode).length === 0) {
    f.add('XDS-IHE-009', 'DocumentEntry.confidentialityCode is missing; at least one is required.', eo);
  }
  for (const c of eo.classifications) {
    const name = c.classificationScheme ? DE_CODED_SCHEMES.get(c.classificationScheme) : undefined;
    if (name) {
      checkCodedClassification(f, c, `DocumentEntry.${name}`);
    }
  }
  // The DK value rules judge complete codes only; an incomplete one is XDS-IHE-010's finding.
  const coded = (scheme: string): { c: RimClassification; code: string; system: string }[] =>
    classificationsWithScheme(eo, scheme).flatMap((c) => {
      const v = codeOf(c);
      return v ? [{ c, ...v }] : [];
    });
  for (const { c, code, system } of coded(DOCUMENT_ENTRY.classCode)) {
    if (code !== '001' || system !== DK_OID.classCode) {
      f.add(
        'XDS-DK-004',
        `DocumentEntry.classCode is ${shown(code)} in ${shown(system)}; the DK profile uses 001 "Klinisk rapport" in ${DK_OID.classCode}.`,
        c
      );
    }
  }
  for (const { c, code, system } of coded(DOCUMENT_ENTRY.typeCode)) {
    if (!options.typeCodes.includes(code) || system !== HL7_OID.loinc) {
      f.add(
        'XDS-DK-005',
        `DocumentEntry.typeCode is ${shown(code)} in ${shown(system)}; the target accepts ${options.typeCodes.join(', ')} in LOINC (${HL7_OID.loinc}).`,
        c
      );
    }
  }
  for (const { c, code, system } of coded(DOCUMENT_ENTRY.formatCode)) {
    if (!options.formatCodes.includes(code) || system !== DK_OID.formatCode) {
      f.add(
        'XDS-DK-006',
        `DocumentEntry.formatCode is ${shown(code)} in ${shown(system)}; the target accepts ${options.formatCodes.join(', ')} in ${DK_OID.formatCode}.`,
        c
      );
    }
  }
  for (const { c, code, system } of coded(DOCUMENT_ENTRY.confidentialityCode)) {
    if (code !== 'N' || system !== HL7_OID.confidentiality) {
      f.add(
        'XDS-DK-007',
        `DocumentEntry.confidentialityCode is ${shown(code)} in ${shown(system)}; the DK profile uses N in ${HL7_OID.confidentiality}.`,
        c
      );
    }
  }
  for (const [name, scheme] of [
    ['healthcareFacilityTypeCode', DOCUMENT_ENTRY.healthcareFacilityTypeCode],
    ['practiceSettingCode', DOCUMENT_ENTRY.practiceSettingCode],
  ] as const) {
    for (const { c, system } of coded(scheme)) {
      if (system !== HL7_OID.snomedCt) {
        f.add(
          'XDS-DK-011',
          `DocumentEntry.${name} has codingScheme ${shown(system)}; the DK value sets are SNOMED CT (${HL7_OID.snomedCt}).`,
          c
        );
      }
    }
  }
  for (const { c, code, system } of coded(DOCUMENT_ENTRY.eventCodeList)) {
    if (!DK_EVENT_CODE_SYSTEMS.includes(system)) {
      f.add(
        'XDS-DK-013',
        `DocumentEntry.eventCodeList code ${shown(code)} is in ${shown(system)}, outside the DK event code systems (NPU, MedCom, SKS, PRO, LOINC, SNOMED CT); KIH may not index it.`,
        c,
        'warning'
      );
    }
  }
}

// ---------------------------------------------------------------- identifiers

function expectedIdentifierName(label: 'DocumentEntry' | 'SubmissionSet', scheme: string | undefined): string | null {
  if (label === 'DocumentEntry') {
    return scheme === DOCUMENT_ENTRY.patientId
      ? EXTERNAL_IDENTIFIER_NAMES.documentEntryPatientId
      : scheme === DOCUMENT_ENTRY.uniqueId
        ? EXTERNAL_IDENTIFIER_NAMES.documentEntryUniqueId
        : null;
  }
  return scheme === SUBMISSION_SET.patientId
    ? EXTERNAL_IDENTIFIER_NAMES.submissionSetPatientId
    : scheme === SUBMISSION_SET.uniqueId
      ? EXTERNAL_IDENTIFIER_NAMES.submissionSetUniqueId
      : scheme === SUBMISSION_SET.sourceId
        ? EXTERNAL_IDENTIFIER_NAMES.submissionSetSourceId
        : null;
}

function checkIdentifierNames(f: Findings, { obj, label }: Labelled<RimClassifiedObject>): void {
  for (const e of obj.externalIdentifiers) {
    const expected = expectedIdentifierName(label, e.identificationScheme);
    if (expected !== null && e.name !== expected) {
      f.add(
        'XDS-IHE-013',
        `The ExternalIdentifier with scheme ${e.identificationScheme ?? ''} must have the Name "${expected}" (found ${e.name === undefined ? 'none' : shown(e.name)}).`,
        e
      );
    }
  }
}

/** The value of the one ExternalIdentifier of a scheme (undefined when absent; several are the caller's finding). */
function identifier(obj: RimClassifiedObject, scheme: string): { value: string; at: RimLocation } | undefined {
  const e = externalIdentifiersWithScheme(obj, scheme)[0];
  return e?.value === undefined ? undefined : { value: e.value, at: attrAt(e, 'value') };
}

function checkPatientCx(f: Findings, attribute: string, value: string, at: RimLocation): void {
  if (!isCx(value)) {
    f.add(
      'XDS-IHE-022',
      `${attribute} ${shown(value)} is not a CX of the form id^^^&OID&ISO (XDS allows only CX.1 and CX.4).`,
      at
    );
    return;
  }
  const cx = parseCx(value);
  if (cx && (cx.assigningAuthority !== DK_OID.cpr || !/^\d{10}$/.test(cx.id))) {
    f.add(
      'XDS-DK-001',
      `${attribute} must be a CPR number: 10 digits with assigning authority ${DK_OID.cpr} (found ${shown(cx.id)} from ${shown(cx.assigningAuthority)}).`,
      at
    );
  }
}

function checkUniqueId(f: Findings, value: string, at: RimLocation, options: MetadataRuleOptions): void {
  const { root, extension } = splitUniqueId(value);
  if (value.length > UNIQUE_ID_LIMITS.total || !isOid(root)) {
    f.add(
      'XDS-IHE-025',
      `DocumentEntry.uniqueId ${shown(value)} must be at most ${UNIQUE_ID_LIMITS.total} characters with an OID root (at most ${UNIQUE_ID_LIMITS.root} characters, no leading zeros).`,
      at
    );
    return;
  }
  if (extension !== undefined && (extension === '' || /[\^&~|\\\s]/.test(extension))) {
    f.add(
      'XDS-DK-012',
      `DocumentEntry.uniqueId ${shown(value)} must be the CDA id as root or root^extension, with a non-empty extension and no further separators.`,
      at
    );
    return;
  }
  const limit = options.uniqueIdExtensionLimit;
  if (extension !== undefined && limit !== null && extension.length > limit) {
    f.add(
      'XDS-IHE-026',
      `DocumentEntry.uniqueId extension has ${extension.length} characters; this target allows ${limit} (the IHE limit is 16). The DK profile's root^UUID form exceeds it: send the DK form only to KIH, or give this target a pure-OID uniqueId.`,
      at
    );
  }
}

// ---------------------------------------------------------------- times

function checkTime(f: Findings, attribute: string, slot: RimSlot | undefined): string | undefined {
  const value = slot?.values.length === 1 ? slot.values[0] : undefined;
  if (slot === undefined || value === undefined) {
    return undefined;
  }
  if (!isDtm(value)) {
    f.add('XDS-IHE-024', `${attribute} ${shown(value)} is not a DTM (YYYY[MM[DD[hh[mm[ss]]]]], UTC).`, slot);
    return undefined;
  }
  if (!isUtcSecondDtm(value)) {
    f.add(
      'XDS-DK-010',
      `${attribute} ${shown(value)} must be given to the second in UTC (YYYYMMDDhhmmss, 14 digits), as the DK profile requires.`,
      slot
    );
  }
  return value;
}

// ---------------------------------------------------------------- authors

function checkAuthors(f: Findings, { obj, label }: Labelled<RimClassifiedObject>, scheme: string): void {
  const authors = classificationsWithScheme(obj, scheme);
  for (const a of authors) {
    const person = slotValues(a, 'authorPerson');
    const institutions = slotValues(a, 'authorInstitution');
    const others = ['authorRole', 'authorSpecialty', 'authorTelecommunication'].some((n) => slotValues(a, n));
    if ((person === undefined && institutions === undefined && !others) || (person?.length ?? 0) > 1) {
      f.add('XDS-IHE-036', `${label}.author needs an authorPerson (one value) or an authorInstitution slot.`, a);
    }
    for (const value of person ?? []) {
      if (!isXcn(value)) {
        f.add(
          'XDS-IHE-021',
          `${label}.author.authorPerson ${shown(value)} is not a valid XCN (an id or a family name; an assigning authority only together with an id).`,
          slotsNamed(a, 'authorPerson')[0]
        );
      }
    }
    const institutionSlot = slotsNamed(a, 'authorInstitution')[0];
    for (const value of institutions ?? []) {
      const xon = parseXon(value);
      if (!xon) {
        f.add(
          'XDS-IHE-023',
          `${label}.author.authorInstitution ${shown(value)} is not a valid XON (only name, XON.6 assigning authority &OID&ISO and XON.10 id).`,
          institutionSlot
        );
      } else if (xon.assigningAuthority !== DK_OID.sor || !xon.id) {
        f.add(
          'XDS-DK-002',
          `${label}.author.authorInstitution must name an SOR organisation: Name^^^^^&${DK_OID.sor}&ISO^^^^<SOR id> (found ${shown(value)}).`,
          institutionSlot
        );
      }
    }
  }
  if (label === 'DocumentEntry' && !authors.some((a) => slotValues(a, 'authorInstitution')?.length)) {
    f.add(
      'XDS-DK-003',
      'DocumentEntry.author.authorInstitution is missing; the DK profile requires the authoring organisation (XON with its SOR id).',
      authors[0] ?? obj
    );
  }
}

// ---------------------------------------------------------------- DocumentEntry

function checkSourcePatientInfo(f: Findings, slot: RimSlot): void {
  for (const value of slot.values) {
    const m = /^PID-(\d+)\|(.*)$/.exec(value);
    const field = m?.[1];
    const content = m?.[2] ?? '';
    let ok = m !== null && content !== '';
    if (ok && field === '3') {
      ok = isCx(content);
    } else if (ok && field === '5') {
      ok = !content.startsWith('^') && content.split('~').every((n) => n.split('^')[0] !== '');
    } else if (ok && field === '7') {
      ok = isDtm(content) && content.length >= 8;
    } else if (ok && field === '8') {
      ok = SEX_CODES.includes(content);
    }
    if (!ok) {
      f.add(
        'XDS-IHE-017',
        `DocumentEntry.sourcePatientInfo value ${shown(value)} is not PID-n|value with PID-3 a CX, PID-5 a name with family name, PID-7 a date (YYYYMMDD) or PID-8 one of ${SEX_CODES.join(', ')}.`,
        slot
      );
    }
  }
}

function checkDocumentEntry(
  f: Findings,
  eo: RimExtrinsicObject,
  options: MetadataRuleOptions,
  ssPatientId: string | undefined
): void {
  if (eo.objectType !== DOCUMENT_ENTRY.objectTypeStable && eo.objectType !== DOCUMENT_ENTRY.objectTypeOnDemand) {
    f.add(
      'XDS-IHE-007',
      `DocumentEntry.objectType is ${eo.objectType === undefined ? 'missing' : shown(eo.objectType)}; use ${DOCUMENT_ENTRY.objectTypeStable} (stable) or ${DOCUMENT_ENTRY.objectTypeOnDemand} (on-demand).`,
      attrAt(eo, 'objectType')
    );
  }
  if (!eo.mimeType) {
    f.add('XDS-IHE-008', 'DocumentEntry.mimeType is missing.', attrAt(eo, 'mimeType'));
  } else if (eo.mimeType !== 'text/xml') {
    f.add(
      'XDS-DK-009',
      `DocumentEntry.mimeType is ${shown(eo.mimeType)}; the DK profile uses text/xml for CDA documents.`,
      attrAt(eo, 'mimeType')
    );
  }
  checkDocumentEntryCodes(f, eo, options);
  checkIdentifierNames(f, { obj: eo, label: 'DocumentEntry' });
  checkAuthors(f, { obj: eo, label: 'DocumentEntry' }, DOCUMENT_ENTRY.author);

  for (const [name, scheme] of [
    ['patientId', DOCUMENT_ENTRY.patientId],
    ['uniqueId', DOCUMENT_ENTRY.uniqueId],
  ] as const) {
    const n = externalIdentifiersWithScheme(eo, scheme).length;
    if (n !== 1) {
      f.add('XDS-IHE-012', `DocumentEntry.${name} ExternalIdentifier occurs ${n} times; exactly one is required.`, eo);
    }
  }
  const patient = identifier(eo, DOCUMENT_ENTRY.patientId);
  if (patient) {
    checkPatientCx(f, 'DocumentEntry.patientId', patient.value, patient.at);
    if (ssPatientId !== undefined && patient.value !== ssPatientId) {
      f.add(
        'XDS-IHE-031',
        'DocumentEntry.patientId differs from SubmissionSet.patientId; every DocumentEntry of a submission must be for the SubmissionSet patient.',
        patient.at
      );
    }
  }
  const unique = identifier(eo, DOCUMENT_ENTRY.uniqueId);
  if (unique) {
    checkUniqueId(f, unique.value, unique.at, options);
  }

  for (const name of REQUIRED_SLOTS) {
    if (slotsNamed(eo, name).length === 0) {
      f.add('XDS-IHE-014', `DocumentEntry.${name} is missing.`, eo);
    }
  }
  for (const name of SINGLE_VALUED_SLOTS) {
    const slot = slotsNamed(eo, name)[0];
    if (slot && slot.values.length !== 1) {
      f.add('XDS-IHE-014', `DocumentEntry.${name} has ${slot.values.length} values; exactly one is allowed.`, slot);
    }
  }
  const one = (name: string): RimSlot | undefined => {
    const slot = slotsNamed(eo, name)[0];
    return slot?.values.length === 1 ? slot : undefined;
  };
  const single = (slot: RimSlot | undefined): string | undefined => slot?.values[0];

  checkTime(f, 'DocumentEntry.creationTime', one('creationTime'));
  const start = checkTime(f, 'DocumentEntry.serviceStartTime', one('serviceStartTime'));
  const stop = checkTime(f, 'DocumentEntry.serviceStopTime', one('serviceStopTime'));
  if (start !== undefined && stop !== undefined && dtmAfter(start, stop)) {
    f.add(
      'XDS-IHE-020',
      `DocumentEntry.serviceStartTime ${start} is after serviceStopTime ${stop}.`,
      one('serviceStartTime')
    );
  }

  const sourcePatient = one('sourcePatientId');
  const sourcePatientId = single(sourcePatient);
  if (sourcePatient && sourcePatientId !== undefined) {
    checkPatientCx(f, 'DocumentEntry.sourcePatientId', sourcePatientId, sourcePatient);
  }
  const info = slotsNamed(eo, 'sourcePatientInfo')[0];
  if (info) {
    checkSourcePatientInfo(f, info);
  }

  const language = one('languageCode');
  const languageCode = single(language);
  if (languageCode === 'da') {
    f.add('XDS-DK-008', 'DocumentEntry.languageCode is "da"; the DK profile prefers "da-DK".', language, 'warning');
  } else if (languageCode !== undefined && languageCode !== 'da-DK') {
    f.add(
      'XDS-DK-008',
      `DocumentEntry.languageCode is ${shown(languageCode)}; the DK profile requires "da-DK".`,
      language
    );
  }

  const legal = one('legalAuthenticator');
  const legalValue = single(legal);
  if (legalValue !== undefined && !isXcn(legalValue)) {
    f.add(
      'XDS-IHE-021',
      `DocumentEntry.legalAuthenticator ${shown(legalValue)} is not a valid XCN (an id or a family name; an assigning authority only together with an id).`,
      legal
    );
  }

  checkHashAndSize(f, eo, options, one('hash'), one('size'));

  if (eo.name !== undefined && eo.name.length > 128) {
    f.add('XDS-IHE-032', `DocumentEntry.title has ${eo.name.length} characters; at most 128 are allowed.`, eo);
  }
}

function checkHashAndSize(
  f: Findings,
  eo: RimExtrinsicObject,
  options: MetadataRuleOptions,
  hashSlot: RimSlot | undefined,
  sizeSlot: RimSlot | undefined
): void {
  if (options.requireHashAndSize) {
    for (const name of ['hash', 'size'] as const) {
      if (slotsNamed(eo, name).length === 0) {
        f.add('XDS-IHE-033', `DocumentEntry.${name} is missing; this target requires the source to send it.`, eo);
      }
    }
  }
  const bytes = options.documents?.get(eo.id);
  const hash = hashSlot?.values[0];
  if (hashSlot && hash !== undefined) {
    if (!isSha1Hex(hash)) {
      f.add('XDS-IHE-018', `DocumentEntry.hash ${shown(hash)} is not a SHA-1 in 40 hexadecimal digits.`, hashSlot);
    } else if (bytes) {
      const actual = createHash('sha1').update(bytes).digest('hex');
      if (hash.toLowerCase() !== actual) {
        f.add(
          'XDS-IHE-034',
          `DocumentEntry.hash is ${hash} but the SHA-1 of the document bytes is ${actual}; the repository would refuse it (XDSRepositoryMetadataError).`,
          hashSlot
        );
      }
    }
  }
  const size = sizeSlot?.values[0];
  if (sizeSlot && size !== undefined) {
    if (!/^\d+$/.test(size)) {
      f.add('XDS-IHE-019', `DocumentEntry.size ${shown(size)} is not a non-negative integer.`, sizeSlot);
    } else if (bytes && Number(size) !== bytes.length) {
      f.add(
        'XDS-IHE-035',
        `DocumentEntry.size is ${size} but the document has ${bytes.length} bytes; the repository would refuse it.`,
        sizeSlot
      );
    }
  }
}

// ---------------------------------------------------------------- SubmissionSet

function checkSubmissionSet(f: Findings, ss: RimRegistryPackage): void {
  const times = slotsNamed(ss, 'submissionTime');
  const time = times[0];
  if (times.length === 0 || time?.values.length !== 1) {
    f.add('XDS-IHE-027', 'SubmissionSet.submissionTime is missing or does not have exactly one value.', time ?? ss);
  } else {
    checkTime(f, 'SubmissionSet.submissionTime', time);
  }
  const contentTypes = classificationsWithScheme(ss, SUBMISSION_SET.contentTypeCode);
  if (contentTypes.length !== 1) {
    f.add(
      'XDS-IHE-028',
      `SubmissionSet.contentTypeCode occurs ${contentTypes.length} times; IHE requires exactly one (the DK profile does not use it, so KIH senders typically repeat the typeCode).`,
      ss
    );
  }
  for (const c of contentTypes) {
    checkCodedClassification(f, c, 'SubmissionSet.contentTypeCode');
  }
  checkIdentifierNames(f, { obj: ss, label: 'SubmissionSet' });
  checkAuthors(f, { obj: ss, label: 'SubmissionSet' }, SUBMISSION_SET.author);
  for (const [name, scheme] of [
    ['uniqueId', SUBMISSION_SET.uniqueId],
    ['sourceId', SUBMISSION_SET.sourceId],
    ['patientId', SUBMISSION_SET.patientId],
  ] as const) {
    const n = externalIdentifiersWithScheme(ss, scheme).length;
    if (n !== 1) {
      f.add('XDS-IHE-029', `SubmissionSet.${name} ExternalIdentifier occurs ${n} times; exactly one is required.`, ss);
    }
  }
  for (const [name, scheme] of [
    ['uniqueId', SUBMISSION_SET.uniqueId],
    ['sourceId', SUBMISSION_SET.sourceId],
  ] as const) {
    const id = identifier(ss, scheme);
    if (id && !isOid(id.value)) {
      f.add(
        'XDS-IHE-030',
        `SubmissionSet.${name} ${shown(id.value)} is not an OID (digits and dots, no leading zeros, at most 64 characters).`,
        id.at
      );
    }
  }
  const patient = identifier(ss, SUBMISSION_SET.patientId);
  if (patient) {
    checkPatientCx(f, 'SubmissionSet.patientId', patient.value, patient.at);
  }
  if (ss.name !== undefined && ss.name.length > 128) {
    f.add('XDS-IHE-032', `SubmissionSet.title has ${ss.name.length} characters; at most 128 are allowed.`, ss);
  }
}

/**
 * Checks a parsed submission against the IHE XDS.b metadata rules and the DK/KIH pack. Each
 * defect is reported once: a rule that depends on a value another rule found malformed or
 * missing stays silent.
 */
export function checkSubmission(
  sub: RimSubmission,
  options: MetadataRuleOptions = DEFAULT_METADATA_RULE_OPTIONS
): ValidationIssue[] {
  const f = new Findings();
  const sets = submissionSets(sub);
  checkStructure(f, sub, sets);
  checkIdsAndReferences(f, sub);
  checkSlotsEverywhere(f, sub);
  const ss = sets.length === 1 ? sets[0] : undefined;
  if (ss) {
    checkSubmissionSet(f, ss);
  }
  const ssPatientId = ss ? identifier(ss, SUBMISSION_SET.patientId)?.value : undefined;
  for (const eo of sub.extrinsicObjects) {
    checkDocumentEntry(f, eo, options, ssPatientId);
  }
  return f.issues;
}

// ---------------------------------------------------------------- CDA header comparison

function sameCodes(a: readonly CodedValue[], b: readonly CodedValue[]): boolean {
  const key = (c: CodedValue): string => `${c.codeSystem}|${c.code}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/**
 * Compares a DocumentEntry with the one derived from its CDA document's header: the metadata a
 * registry indexes must say what the document says. Values that may carry a CPR number are not
 * printed.
 */
export function compareWithCda(entry: DocumentEntry, fromCda: DocumentEntry): ValidationIssue[] {
  const f = new Findings();
  const differs = (attribute: string, sent: string | undefined, cda: string | undefined, print = true): void => {
    if (sent !== cda) {
      const detail = print
        ? ` (sent ${sent === undefined ? 'none' : shown(sent)}, CDA ${cda === undefined ? 'none' : shown(cda)})`
        : '';
      f.add(
        'XDS-DK-014',
        `DocumentEntry.${attribute} of ${entry.entryUUID} differs from the value derived from the CDA header${detail}.`
      );
    }
  };
  differs('uniqueId', entry.uniqueId, fromCda.uniqueId);
  differs('patientId', entry.patientId, fromCda.patientId, false);
  differs('typeCode', entry.typeCode.code, fromCda.typeCode.code);
  differs('creationTime', entry.creationTime, fromCda.creationTime);
  differs('serviceStartTime', entry.serviceStartTime, fromCda.serviceStartTime);
  differs('serviceStopTime', entry.serviceStopTime, fromCda.serviceStopTime);
  differs('title', entry.title, fromCda.title, false);
  differs('languageCode', entry.languageCode, fromCda.languageCode);
  if (!sameCodes(entry.confidentialityCode, fromCda.confidentialityCode)) {
    f.add(
      'XDS-DK-014',
      `DocumentEntry.confidentialityCode of ${entry.entryUUID} differs from the CDA header's confidentialityCode.`
    );
  }
  return f.issues;
}
