// Fixed identifiers of IHE XDS.b (ITI TF-3 4.2.5), ebRIM 3.0 and the Danish XDS metadata profile.
import { DK_ID_ROOT } from '../cda/cda-header.js';
import { DOCUMENT_TYPE_CODES, LOINC_OID } from '../rules/xds-header-checks.js';

/** XML namespaces of the ITI-41 request and its answer. */
export const XDS_NS = {
  xds: 'urn:ihe:iti:xds-b:2007',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  medcom: 'http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** WS-Addressing actions of ITI-41. */
export const ITI41_ACTION = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b';
export const ITI41_RESPONSE_ACTION = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse';
/** WS-Addressing actions of ITI-18 (Registry Stored Query) and ITI-43 (Retrieve Document Set). */
export const ITI18_ACTION = 'urn:ihe:iti:2007:RegistryStoredQuery';
export const ITI18_RESPONSE_ACTION = 'urn:ihe:iti:2007:RegistryStoredQueryResponse';
export const ITI43_ACTION = 'urn:ihe:iti:2007:RetrieveDocumentSet';
export const ITI43_RESPONSE_ACTION = 'urn:ihe:iti:2007:RetrieveDocumentSetResponse';

/** Stored query ids (ITI TF-2a 3.18.4.1.2.3.7). */
export const STORED_QUERY = {
  findDocuments: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
  getDocuments: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4',
} as const;

export const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

/** DocumentEntry classification schemes, external-identifier schemes and object types. */
export const DOCUMENT_ENTRY = {
  objectTypeStable: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  objectTypeOnDemand: 'urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248',
  author: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  eventCodeList: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  limitedMetadata: 'urn:uuid:ab9b591b-83ab-4d03-8f5d-f93b1fb92e85',
  patientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  uniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
} as const;

/** SubmissionSet classification node and schemes. */
export const SUBMISSION_SET = {
  classificationNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  author: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  contentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  limitedMetadata: 'urn:uuid:5003a9db-8d8d-49e6-bf0c-990e34ac7707',
  patientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  uniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  sourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
} as const;

/** Names the ExternalIdentifiers carry (IHE requires them as rim:Name). */
export const EXTERNAL_IDENTIFIER_NAMES = {
  documentEntryPatientId: 'XDSDocumentEntry.patientId',
  documentEntryUniqueId: 'XDSDocumentEntry.uniqueId',
  submissionSetPatientId: 'XDSSubmissionSet.patientId',
  submissionSetUniqueId: 'XDSSubmissionSet.uniqueId',
  submissionSetSourceId: 'XDSSubmissionSet.sourceId',
} as const;

export const RIM = {
  hasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  replace: 'urn:ihe:iti:2007:AssociationType:RPLC',
  approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  objectTypeClassification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  objectTypeExternalIdentifier: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier',
  objectTypeRegistryPackage: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage',
  objectTypeAssociation: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
} as const;

/** OIDs of Danish identifier and code systems (DK XDS metadata profile, table 2). */
export const DK_OID = {
  cpr: DK_ID_ROOT.cpr,
  sor: DK_ID_ROOT.sor,
  authorisationRegister: '1.2.208.176.1.3',
  classCode: '1.2.208.184.100.9',
  formatCode: '1.2.208.184.100.10',
  medcomMessageCodes: '1.2.208.184.100.1',
  medcomEventCodes: '1.2.208.184.100.8',
  npu: '1.2.208.176.2.1',
  sks: '1.2.208.176.2.4',
  proQuestionnaire: '1.2.208.176.7.3.1',
  medcomDocumentIdRoot: '1.2.208.184',
} as const;

export const HL7_OID = {
  loinc: LOINC_OID,
  snomedCt: '2.16.840.1.113883.6.96',
  confidentiality: '2.16.840.1.113883.5.25',
  administrativeGender: '2.16.840.1.113883.5.1',
} as const;

/** Document type codes (LOINC) by document family. */
export const TYPE_CODES = DOCUMENT_TYPE_CODES;

/** The one DK classCode for these documents. */
export const CLASS_CODE_CLINICAL_REPORT = {
  code: '001',
  codeSystem: DK_OID.classCode,
  displayName: 'Klinisk rapport',
} as const;
