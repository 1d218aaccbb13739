// Namespaces, names and algorithm URIs of DGWS 1.0.1 ID cards and the SOSI STS (WS-Trust 2005/02).
import { XDS_NS } from '../xds/vocabulary.js';

export const SOSI_NS = {
  saml: XDS_NS.saml,
  ds: XDS_NS.ds,
  medcom: XDS_NS.medcom,
  sosi: 'http://www.sosi.dk/sosi/2006/04/sosi-1.0.xsd',
  soap: XDS_NS.soap11,
  wsse: XDS_NS.wsse,
  wsu: XDS_NS.wsu,
  wst: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/**
 * The ID attribute of the assertion and its value. DGWS profiles SAML here: the card's id
 * attribute is lower-case `id` (SAML 2.0 itself says `ID`), and the STS and DGWS services look
 * for `id="IDCard"`. xml-crypto resolves `#IDCard` through its default id attributes (`Id`,
 * `ID`, `id`), and xmlsec1 needs `--id-attr:id` for the same reason.
 */
export const ID_CARD_ID = 'IDCard';
export const ID_ATTRIBUTE = 'id';
/** DGWS names the signature `OCESSignature` (again lower-case `id`) and the subject's KeyName points at it. */
export const SIGNATURE_ID = 'OCESSignature';

export const HOLDER_OF_KEY = 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key';
export const CVR_FORMAT = 'medcom:cvrnumber';
export const OTHER_FORMAT = 'medcom:other';
export const ID_CARD_VERSION = '1.0.1';

/** SOSI attribute names, by the AttributeStatement that carries them. */
export const ID_CARD_DATA = {
  statement: 'IDCardData',
  idCardId: 'sosi:IDCardID',
  version: 'sosi:IDCardVersion',
  type: 'sosi:IDCardType',
  authenticationLevel: 'sosi:AuthenticationLevel',
  certHash: 'sosi:OCESCertHash',
} as const;

export const SYSTEM_LOG = {
  statement: 'SystemLog',
  itSystemName: 'medcom:ITSystemName',
  careProviderId: 'medcom:CareProviderID',
  careProviderName: 'medcom:CareProviderName',
} as const;

export const DSIG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const;

export const WS_TRUST = {
  context: 'www.sosi.dk',
  tokenType: 'urn:oasis:names:tc:SAML:2.0:assertion:',
  issue: 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue',
  soapAction: '"Issue"',
} as const;
