// Signs a SOSI ID card the DGWS way (enveloped XML-DSig, exclusive C14N) and verifies signed cards, guarding against signature wrapping.
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { KihError } from '../core/kih-error.js';
import type { Credentials } from './credentials.js';
import { readIdCardElement } from './id-card.js';
import type { IdCardInfo } from './id-card.js';
import { DSIG, ID_ATTRIBUTE, ID_CARD_ID, SIGNATURE_ID, SOSI_NS } from './namespaces.js';
import { childElements, descendants, isElement, onlyChild, parseXmlText, textOf, XmlRejected } from '../xml/xmldom.js';

export type SignatureAlgorithmName = 'rsa-sha256' | 'rsa-sha1';

export interface SignOptions {
  /** rsa-sha256 (default, as current SOSI libraries sign) or rsa-sha1 (older DGWS peers). */
  readonly algorithm?: SignatureAlgorithmName;
}

export interface VerifyOptions {
  /** Certificates (PEM) the signer must be one of; absent: any certificate whose key made the signature. */
  readonly trustedCertificatesPem?: readonly string[];
  readonly now?: Date;
  /** NSP test STSes still sign with RSA-SHA1, so it is accepted unless turned off. */
  readonly allowSha1?: boolean;
}

export type IdCardFaultCode = 'invalid_signature' | 'expired_idcard' | 'invalid_idcard' | 'invalid_certificate';

export interface IdCardFault {
  readonly ok: false;
  readonly faultCode: IdCardFaultCode;
  readonly message: string;
}

export type IdCardCheck =
  { readonly ok: true; readonly card: IdCardInfo; readonly signerCertificatePem: string } | IdCardFault;

const ALGORITHMS: Readonly<Record<SignatureAlgorithmName, { signature: string; digest: string }>> = {
  'rsa-sha256': { signature: DSIG.rsaSha256, digest: DSIG.sha256 },
  'rsa-sha1': { signature: DSIG.rsaSha1, digest: DSIG.sha1 },
};

const XML_DECLARATION = /^\uFEFF?<\?xml[^?]*\?>\s*/;

/** The root assertion of an unsigned card, checked enough that the signature lands where DGWS wants it. */
function unsignedRoot(xml: string): Element {
  let doc: Document;
  try {
    doc = parseXmlText(xml);
  } catch (err) {
    throw new KihError(
      'KIH_ERR_ID_CARD',
      `The ID card cannot be signed: ${err instanceof Error ? err.message : String(err)}.`
    );
  }
  const root = doc.documentElement;
  if (!isElement(root, SOSI_NS.saml, 'Assertion') || root.getAttribute(ID_ATTRIBUTE) !== ID_CARD_ID) {
    throw new KihError(
      'KIH_ERR_ID_CARD',
      `The ID card to sign must be a saml:Assertion with ${ID_ATTRIBUTE}="${ID_CARD_ID}".`
    );
  }
  if (descendants(doc, SOSI_NS.ds, 'Signature').length > 0) {
    throw new KihError('KIH_ERR_ID_CARD', 'The ID card is already signed.');
  }
  return root;
}

/**
 * The signed card as text. The signature is the assertion's last child (the DGWS profile of
 * SAML puts it after the attribute statements, not after Issuer as plain SAML does) and signs
 * the whole assertion through `#IDCard` with the enveloped-signature and exclusive C14N
 * transforms: exclusive C14N leaves out the namespaces of whatever envelope the card is later
 * put in, so the card can move between documents. The result must travel byte for byte.
 */
export function signIdCard(unsignedXml: string, credentials: Credentials, options: SignOptions = {}): string {
  unsignedRoot(unsignedXml);
  const algorithm = ALGORITHMS[options.algorithm ?? 'rsa-sha256'];
  const signer = new SignedXml({
    privateKey: credentials.privateKeyPem,
    publicCert: credentials.certificatePem,
    signatureAlgorithm: algorithm.signature,
    canonicalizationAlgorithm: DSIG.excC14n,
    getKeyInfoContent: ({ prefix } = {}) => {
      const p = prefix ? `${prefix}:` : '';
      return `<${p}X509Data><${p}X509Certificate>${credentials.certificateDerBase64}</${p}X509Certificate></${p}X509Data>`;
    },
  });
  signer.addReference({
    xpath: '/*',
    uri: `#${ID_CARD_ID}`,
    transforms: [DSIG.enveloped, DSIG.excC14n],
    digestAlgorithm: algorithm.digest,
  });
  try {
    signer.computeSignature(unsignedXml.replace(XML_DECLARATION, ''), {
      prefix: 'ds',
      attrs: { [ID_ATTRIBUTE]: SIGNATURE_ID },
      location: { reference: '/*', action: 'append' },
      existingPrefixes: { ds: SOSI_NS.ds },
    });
  } catch (err) {
    // xml-crypto's messages never contain the key; keep only the message, not the object.
    throw new KihError(
      'KIH_ERR_ID_CARD',
      `The ID card cannot be signed (${err instanceof Error ? err.message : String(err)}).`
    );
  }
  return signer.getSignedXml();
}

function fault(faultCode: IdCardFaultCode, message: string): IdCardFault {
  return { ok: false, faultCode, message };
}

/** Every element whose id-like attribute (as xml-crypto resolves references) has this value. */
function elementsWithId(doc: Document, id: string): Element[] {
  return descendants(doc, '*', '*').filter((el) =>
    Array.from(el.attributes).some((a) => ['id', 'Id', 'ID'].includes(a.localName) && a.value === id)
  );
}

function algorithmOf(el: Element | undefined): string | undefined {
  return el?.getAttribute('Algorithm') ?? undefined;
}

/** The checks on the signature's shape that xml-crypto does not make; returns a problem or the signature element. */
function signatureShape(doc: Document, allowSha1: boolean): { problem: string } | { signature: Element } {
  const root = doc.documentElement;
  const rootId = root.getAttribute(ID_ATTRIBUTE);
  if (rootId !== ID_CARD_ID) {
    return { problem: `the assertion has no ${ID_ATTRIBUTE}="${ID_CARD_ID}"` };
  }
  const signatures = descendants(doc, SOSI_NS.ds, 'Signature');
  const [signature] = signatures;
  if (!signature || signatures.length !== 1) {
    return { problem: `the card holds ${signatures.length} ds:Signature elements, not one` };
  }
  // Signature wrapping moves the signature or wraps the signed content; only one shape is accepted.
  if (signature.parentNode !== root || childElements(root).at(-1) !== signature) {
    return { problem: 'the ds:Signature is not the last child of the assertion' };
  }
  if (elementsWithId(doc, rootId).length !== 1) {
    return { problem: `more than one element has the id ${rootId}` };
  }
  const signedInfo = onlyChild(signature, SOSI_NS.ds, 'SignedInfo');
  const references = signedInfo ? childElements(signedInfo).filter((e) => isElement(e, SOSI_NS.ds, 'Reference')) : [];
  const [reference] = references;
  if (!signedInfo || !reference || references.length !== 1) {
    return { problem: 'the signature must have one SignedInfo with one Reference' };
  }
  if (reference.getAttribute('URI') !== `#${rootId}`) {
    return {
      problem: `the signature references ${reference.getAttribute('URI') ?? '(nothing)'}, not the assertion #${rootId}`,
    };
  }
  const transforms = childElements(onlyChild(reference, SOSI_NS.ds, 'Transforms') ?? reference)
    .filter((e) => isElement(e, SOSI_NS.ds, 'Transform'))
    .map((e) => algorithmOf(e));
  if (transforms.length !== 2 || transforms[0] !== DSIG.enveloped || transforms[1] !== DSIG.excC14n) {
    return { problem: 'the reference must use exactly the enveloped-signature and exclusive C14N transforms' };
  }
  if (algorithmOf(onlyChild(signedInfo, SOSI_NS.ds, 'CanonicalizationMethod')) !== DSIG.excC14n) {
    return { problem: 'SignedInfo must be canonicalised with exclusive C14N' };
  }
  const signatureAlgorithm = algorithmOf(onlyChild(signedInfo, SOSI_NS.ds, 'SignatureMethod'));
  const digestAlgorithm = algorithmOf(onlyChild(reference, SOSI_NS.ds, 'DigestMethod'));
  const allowedSignatures: string[] = allowSha1 ? [DSIG.rsaSha256, DSIG.rsaSha1] : [DSIG.rsaSha256];
  const allowedDigests: string[] = allowSha1 ? [DSIG.sha256, DSIG.sha1] : [DSIG.sha256];
  if (!signatureAlgorithm || !allowedSignatures.includes(signatureAlgorithm)) {
    return { problem: `the signature algorithm ${signatureAlgorithm ?? '(none)'} is not accepted` };
  }
  if (!digestAlgorithm || !allowedDigests.includes(digestAlgorithm)) {
    return { problem: `the digest algorithm ${digestAlgorithm ?? '(none)'} is not accepted` };
  }
  return { signature };
}

/** The one certificate in the signature's KeyInfo, or a problem. */
function embeddedCertificate(signature: Element): X509Certificate | string {
  const keyInfo = onlyChild(signature, SOSI_NS.ds, 'KeyInfo');
  const certs = keyInfo ? descendants(keyInfo, SOSI_NS.ds, 'X509Certificate') : [];
  if (certs.length !== 1) {
    return 'the signature must carry exactly one ds:KeyInfo/ds:X509Data/ds:X509Certificate';
  }
  const base64 = (textOf(certs[0]) ?? '').replace(/\s+/g, '');
  try {
    return new X509Certificate(Buffer.from(base64, 'base64'));
  } catch {
    return 'the embedded certificate is not an X.509 certificate';
  }
}

function sameCertificate(cert: X509Certificate, pem: string): boolean {
  try {
    return new X509Certificate(pem).raw.equals(cert.raw);
  } catch {
    return false;
  }
}

/**
 * Verifies a signed ID card: signature and shape, signer certificate, SOSI fields, validity.
 * The fields are read from what the signature covers (xml-crypto's canonical form of the
 * referenced assertion), never from the original tree, so unsigned content cannot be read.
 */
export function verifyIdCard(xml: string, options: VerifyOptions = {}): IdCardCheck {
  const signed = verifySignature(xml, options);
  return signed.ok ? checkValidity(signed, options.now ?? new Date()) : signed;
}

/** What verifying a card proves whatever the time: it is well-formed, signed as it says, by a trusted certificate. */
interface SignedCard {
  readonly ok: true;
  readonly card: IdCardInfo;
  readonly cert: X509Certificate;
}

function verifySignature(xml: string, options: VerifyOptions): SignedCard | IdCardFault {
  let doc: Document;
  try {
    doc = parseXmlText(xml);
  } catch (err) {
    return fault(
      'invalid_idcard',
      `The ID card cannot be read: ${err instanceof XmlRejected ? err.message : String(err)}.`
    );
  }
  if (!isElement(doc.documentElement, SOSI_NS.saml, 'Assertion')) {
    return fault('invalid_idcard', 'The ID card is not a saml:Assertion.');
  }
  const shape = signatureShape(doc, options.allowSha1 ?? true);
  if ('problem' in shape) {
    return fault('invalid_signature', `The ID card signature is not acceptable: ${shape.problem}.`);
  }
  const cert = embeddedCertificate(shape.signature);
  if (typeof cert === 'string') {
    return fault('invalid_certificate', `The ID card signature is not acceptable: ${cert}.`);
  }
  const verifier = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
  let valid: boolean;
  try {
    verifier.loadSignature(shape.signature);
    valid = verifier.checkSignature(xml);
  } catch {
    valid = false;
  }
  const signed = verifier.getSignedReferences();
  const [signedCard] = signed;
  if (!valid || signedCard === undefined || signed.length !== 1) {
    return fault(
      'invalid_signature',
      'The ID card signature does not verify: the card was changed or signed with another key.'
    );
  }
  let card: IdCardInfo;
  try {
    card = readIdCardElement(parseXmlText(signedCard).documentElement);
  } catch (err) {
    return fault('invalid_idcard', err instanceof Error ? err.message : String(err));
  }
  const trusted = options.trustedCertificatesPem;
  if (trusted && !trusted.some((pem) => sameCertificate(cert, pem))) {
    return fault(
      'invalid_certificate',
      `The ID card is signed by a certificate that is not trusted (${cert.subject.split('\n').join(', ')}).`
    );
  }
  return { ok: true, card, cert };
}

/** The time-dependent part: the signing certificate and the card must both be valid now. */
function checkValidity({ card, cert }: SignedCard, now: Date): IdCardCheck {
  if (now < new Date(cert.validFrom) || now >= new Date(cert.validTo)) {
    return fault('invalid_certificate', `The ID card's signing certificate is not valid at ${now.toISOString()}.`);
  }
  if (now < card.notBefore || now >= card.notOnOrAfter) {
    return fault(
      'expired_idcard',
      `The ID card is valid from ${card.notBefore.toISOString()} until ${card.notOnOrAfter.toISOString()}, not at ${now.toISOString()}.`
    );
  }
  return { ok: true, card, signerCertificatePem: cert.toString() };
}

/**
 * A verifier for a service that sees the same card on every request (the simulator's repository):
 * the signature check, most of the cost, is made once per distinct card text and remembered;
 * the validity times are checked on every call. Only cards that verified are remembered.
 */
export function createCachingIdCardVerifier(
  options: Omit<VerifyOptions, 'now'> & { readonly maxEntries?: number } = {}
): (xml: string, now: Date) => IdCardCheck {
  const maxEntries = options.maxEntries ?? 1_000;
  const verified = new Map<string, SignedCard>();
  return (xml, now) => {
    let signed: SignedCard | IdCardFault | undefined = verified.get(xml);
    if (!signed) {
      signed = verifySignature(xml, options);
      if (!signed.ok) {
        return signed;
      }
      if (verified.size >= maxEntries) {
        // Oldest first (Map keeps insertion order); a full cache only costs re-verification.
        verified.delete(verified.keys().next().value as string);
      }
      verified.set(xml, signed);
    }
    return checkValidity(signed, now);
  };
}
