// Writes the ITI-41 body: xds:ProvideAndRegisterDocumentSetRequest with the ebRIM SubmitObjectsRequest for the metadata.
import type { CodedValue, DocumentEntry, SubmissionMetadata, SubmissionSet } from './metadata-model.js';
import { DOCUMENT_ENTRY, EXTERNAL_IDENTIFIER_NAMES, RIM, SUBMISSION_SET, XDS_NS } from './vocabulary.js';

/** How a Document element carries its bytes: an XOP reference to an MTOM part, or inline base64 (schema checks, non-MTOM peers). */
export type DocumentContent =
  { readonly kind: 'xop'; readonly href: string } | { readonly kind: 'inline'; readonly bytes: Uint8Array };

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function slot(name: string, values: readonly string[]): string {
  return `<rim:Slot name="${esc(name)}"><rim:ValueList>${values
    .map((v) => `<rim:Value>${esc(v)}</rim:Value>`)
    .join('')}</rim:ValueList></rim:Slot>`;
}

function localized(element: 'Name' | 'Description', text: string): string {
  return `<rim:${element}><rim:LocalizedString value="${esc(text)}"/></rim:${element}>`;
}

/** Classification ids are symbolic and local to the request; the registry assigns its own. */
class Ids {
  private n = 0;
  next(kind: string): string {
    this.n++;
    return `${kind}${String(this.n).padStart(2, '0')}`;
  }
}

function codedClassification(ids: Ids, scheme: string, object: string, value: CodedValue): string {
  return (
    `<rim:Classification id="${ids.next('cl')}" classificationScheme="${scheme}" classifiedObject="${esc(object)}" ` +
    `nodeRepresentation="${esc(value.code)}" objectType="${RIM.objectTypeClassification}">` +
    slot('codingScheme', [value.codeSystem]) +
    localized('Name', value.displayName) +
    '</rim:Classification>'
  );
}

function authorClassification(
  ids: Ids,
  scheme: string,
  object: string,
  institution: readonly string[],
  person: string | undefined
): string {
  const slots = (person ? slot('authorPerson', [person]) : '') + slot('authorInstitution', institution);
  return (
    `<rim:Classification id="${ids.next('cl')}" classificationScheme="${scheme}" classifiedObject="${esc(object)}" ` +
    `nodeRepresentation="" objectType="${RIM.objectTypeClassification}">${slots}</rim:Classification>`
  );
}

function externalIdentifier(ids: Ids, scheme: string, object: string, value: string, name: string): string {
  return (
    `<rim:ExternalIdentifier id="${ids.next('ei')}" identificationScheme="${scheme}" registryObject="${esc(object)}" ` +
    `value="${esc(value)}" objectType="${RIM.objectTypeExternalIdentifier}">${localized('Name', name)}</rim:ExternalIdentifier>`
  );
}

function home(value: string | undefined): string {
  return value ? ` home="${esc(value)}"` : '';
}

function extrinsicObject(ids: Ids, de: DocumentEntry): string {
  const id = de.entryUUID;
  const slots = [
    slot('creationTime', [de.creationTime]),
    slot('hash', [de.hash]),
    slot('languageCode', [de.languageCode]),
    de.legalAuthenticator ? slot('legalAuthenticator', [de.legalAuthenticator]) : '',
    de.serviceStartTime ? slot('serviceStartTime', [de.serviceStartTime]) : '',
    de.serviceStopTime ? slot('serviceStopTime', [de.serviceStopTime]) : '',
    slot('size', [String(de.size)]),
    slot('sourcePatientId', [de.sourcePatientId]),
    slot('sourcePatientInfo', de.sourcePatientInfo),
  ].join('');
  const classifications = [
    authorClassification(ids, DOCUMENT_ENTRY.author, id, de.authorInstitution, de.authorPerson),
    codedClassification(ids, DOCUMENT_ENTRY.classCode, id, de.classCode),
    ...de.confidentialityCode.map((c) => codedClassification(ids, DOCUMENT_ENTRY.confidentialityCode, id, c)),
    ...de.eventCodeList.map((c) => codedClassification(ids, DOCUMENT_ENTRY.eventCodeList, id, c)),
    codedClassification(ids, DOCUMENT_ENTRY.formatCode, id, de.formatCode),
    codedClassification(ids, DOCUMENT_ENTRY.healthcareFacilityTypeCode, id, de.healthcareFacilityTypeCode),
    codedClassification(ids, DOCUMENT_ENTRY.practiceSettingCode, id, de.practiceSettingCode),
    codedClassification(ids, DOCUMENT_ENTRY.typeCode, id, de.typeCode),
  ].join('');
  const identifiers =
    externalIdentifier(
      ids,
      DOCUMENT_ENTRY.patientId,
      id,
      de.patientId,
      EXTERNAL_IDENTIFIER_NAMES.documentEntryPatientId
    ) +
    externalIdentifier(ids, DOCUMENT_ENTRY.uniqueId, id, de.uniqueId, EXTERNAL_IDENTIFIER_NAMES.documentEntryUniqueId);
  return (
    `<rim:ExtrinsicObject id="${esc(id)}" mimeType="${esc(de.mimeType)}" objectType="${de.objectType}" ` +
    `status="${de.availabilityStatus}"${home(de.homeCommunityId)}>` +
    slots +
    localized('Name', de.title) +
    classifications +
    identifiers +
    '</rim:ExtrinsicObject>'
  );
}

function registryPackage(ids: Ids, ss: SubmissionSet): string {
  const id = ss.entryUUID;
  return (
    `<rim:RegistryPackage id="${esc(id)}" objectType="${RIM.objectTypeRegistryPackage}"${home(ss.homeCommunityId)}>` +
    slot('submissionTime', [ss.submissionTime]) +
    (ss.title ? localized('Name', ss.title) : '') +
    authorClassification(ids, SUBMISSION_SET.author, id, ss.authorInstitution, ss.authorPerson) +
    codedClassification(ids, SUBMISSION_SET.contentTypeCode, id, ss.contentTypeCode) +
    externalIdentifier(ids, SUBMISSION_SET.uniqueId, id, ss.uniqueId, EXTERNAL_IDENTIFIER_NAMES.submissionSetUniqueId) +
    externalIdentifier(ids, SUBMISSION_SET.sourceId, id, ss.sourceId, EXTERNAL_IDENTIFIER_NAMES.submissionSetSourceId) +
    externalIdentifier(
      ids,
      SUBMISSION_SET.patientId,
      id,
      ss.patientId,
      EXTERNAL_IDENTIFIER_NAMES.submissionSetPatientId
    ) +
    '</rim:RegistryPackage>'
  );
}

/**
 * One DocumentEntry as a `rim:ExtrinsicObject` (prefix `rim:`, declared by the caller's element),
 * as a registry lists it in an ITI-18 LeafClass answer; `extraSlots` adds registry-side slots
 * such as `repositoryUniqueId`.
 */
export function buildExtrinsicObject(
  de: DocumentEntry,
  extraSlots: Readonly<Record<string, readonly string[]>> = {}
): string {
  const xml = extrinsicObject(new Ids(), de);
  const added = Object.entries(extraSlots)
    .map(([name, values]) => slot(name, values))
    .join('');
  // Slots come first in an ExtrinsicObject (ebRIM sequence), so the added ones go before the others.
  return added ? xml.replace('><rim:Slot ', `>${added}<rim:Slot `) : xml;
}

function documentElement(id: string, content: DocumentContent): string {
  return content.kind === 'xop'
    ? `<xds:Document id="${esc(id)}"><xop:Include href="${esc(content.href)}"/></xds:Document>`
    : `<xds:Document id="${esc(id)}">${Buffer.from(content.bytes.buffer, content.bytes.byteOffset, content.bytes.byteLength).toString('base64')}</xds:Document>`;
}

/**
 * The request element, with namespace declarations on itself so it can stand alone (schema
 * checks) or sit in a SOAP body. `contents` gives each DocumentEntry's bytes or XOP reference, in order.
 */
export function buildProvideAndRegisterRequest(
  metadata: SubmissionMetadata,
  contents: readonly DocumentContent[]
): string {
  if (contents.length !== metadata.documentEntries.length) {
    throw new RangeError(`${metadata.documentEntries.length} DocumentEntries but ${contents.length} documents`);
  }
  const ids = new Ids();
  const ss = metadata.submissionSet;
  const objects = [
    ...metadata.documentEntries.map((de) => extrinsicObject(ids, de)),
    registryPackage(ids, ss),
    `<rim:Classification id="${ids.next('cl')}" classifiedObject="${esc(ss.entryUUID)}" ` +
      `classificationNode="${SUBMISSION_SET.classificationNode}" objectType="${RIM.objectTypeClassification}"/>`,
    ...metadata.documentEntries.map(
      (de) =>
        `<rim:Association id="${ids.next('as')}" associationType="${RIM.hasMember}" sourceObject="${esc(ss.entryUUID)}" ` +
        `targetObject="${esc(de.entryUUID)}" objectType="${RIM.objectTypeAssociation}">` +
        slot('SubmissionSetStatus', ['Original']) +
        '</rim:Association>'
    ),
  ].join('');
  const documents = metadata.documentEntries
    .map((de, i) => documentElement(de.entryUUID, contents[i] as DocumentContent))
    .join('');
  return (
    `<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${XDS_NS.xds}" xmlns:lcm="${XDS_NS.lcm}" ` +
    `xmlns:rim="${XDS_NS.rim}" xmlns:xop="${XDS_NS.xop}">` +
    `<lcm:SubmitObjectsRequest><rim:RegistryObjectList>${objects}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>` +
    documents +
    '</xds:ProvideAndRegisterDocumentSetRequest>'
  );
}
