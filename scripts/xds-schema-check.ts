// Development check: the ITI-41 requests the tool builds are valid against the official XDS.b, ebRIM, SOAP, WS-Addressing and DGWS schemas.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { XmlDocument, XmlElement, XmlParseError, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { SAFE_PARSE_OPTIONS, serveFiles } from '../src/xml/libxml.js';
import { endpointTarget, getTarget } from '../src/config/targets.js';
import type { Target } from '../src/config/targets.js';
import { PACKAGE_ROOT } from '../src/core/package-info.js';
import { buildIti41Request } from '../src/xds/iti41-request.js';
import type { Iti41Request } from '../src/xds/iti41-request.js';
import { resolveSettings } from '../src/config/metadata-settings.js';
import type { MetadataSettings } from '../src/config/metadata-settings.js';
import { findAttachment, parseMultipartRelated } from '../src/xds/mtom.js';
import { prepareSubmission } from '../src/xds/prepare-submission.js';
import type { SoapVersion } from '../src/xds/soap-envelope.js';
import { XDS_NS } from '../src/xds/vocabulary.js';
import type { ValidationIssue } from '../src/core/report.js';

/** The official schemas live beside the checkout, never in it: reference material for local use only. */
export const REFERENCE_DIR = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference');

/** Every reference file the check needs, relative to the reference folder. */
const REFERENCE_FILES = [
  'ihe-xds/XDS.b_DocumentRepository.xsd',
  'ihe-xds/rim.xsd',
  'ihe-xds/lcm.xsd',
  'ihe-xds/rs.xsd',
  'ihe-xds/query.xsd',
  'ihe-xds/xml.xsd',
  'soap/soap-1.1-envelope.xsd',
  'soap/soap-1.2-envelope.xsd',
  'soap/ws-addr.xsd',
  'soap/xml.xsd',
  'dgws/medcom.xsd',
  'dgws/wsse.xsd',
  'dgws/wsu.xsd',
  'dgws/saml.xsd',
  'dgws/ds.xsd',
] as const;

/** The reference files that are missing (empty: the check can run). */
export function missingReferenceFiles(dir: string = REFERENCE_DIR): string[] {
  return REFERENCE_FILES.filter((f) => !existsSync(path.join(dir, f)));
}

export interface SchemaFinding {
  /** Which check: `xds` (the request element alone) or `envelope` (the whole SOAP message). */
  readonly check: 'xds' | 'envelope' | 'request';
  readonly level: 'error' | 'warning';
  readonly message: string;
  readonly line?: number;
  /** libxml2's path of the element (`/soap:Envelope/soap:Body/xds:…/rim:ExtrinsicObject`). */
  readonly path?: string;
}

export interface OfficialSchemas {
  readonly dir: string;
  /** XDS.b_DocumentRepository.xsd with ebRIM/ebRS: the ProvideAndRegisterDocumentSetRequest element alone. */
  readonly xds: XsdValidator;
  /** The whole envelope: SOAP, WS-Addressing, DGWS and XDS.b, through a driver schema made in memory. */
  readonly envelope: Readonly<Record<SoapVersion, XsdValidator>>;
}

const SOAP_SCHEMA: Readonly<Record<SoapVersion, { ns: string; file: string }>> = {
  // The complete schemas.xmlsoap.org copy; the NIST copy lacks the global Fault element (see the reference README).
  '1.1': { ns: XDS_NS.soap11, file: 'soap/soap-1.1-envelope.xsd' },
  '1.2': { ns: XDS_NS.soap12, file: 'soap/soap-1.2-envelope.xsd' },
};

/**
 * The driver schema for one SOAP version: no components of its own, only imports, so that the
 * envelope's lax wildcards (Header and Body content) find a global declaration for every header
 * and for the body element and validate them strictly.
 *
 * Two copies of the W3C `xml:` schema come with the reference sets (ihe-xds/xml.xsd, 2001,
 * imported by rim.xsd; soap/xml.xsd, 2009, imported by soap-1.2-envelope.xsd), and a schema set
 * can hold only one per namespace: libxml2 uses the first import and skips later ones naming
 * another location (a warning, not an error). The driver imports ihe-xds/xml.xsd first, so the
 * XDS body is judged with the same `xml:` declarations as in the XDS-only check; the SOAP 1.2
 * schema's own import is skipped. Both copies declare `xml:lang` (the only `xml:` attribute
 * either schema uses: ebRIM LocalizedString, SOAP 1.2 Fault texts) with the same type.
 *
 * DGWS headers are imported for both versions: KIH sends them with SOAP 1.1 only, but if they
 * ever appear in a SOAP 1.2 message they are checked too.
 */
export function envelopeDriverSchema(dir: string, soapVersion: SoapVersion): string {
  const imports: [string, string][] = [
    ['http://www.w3.org/XML/1998/namespace', 'ihe-xds/xml.xsd'],
    [SOAP_SCHEMA[soapVersion].ns, SOAP_SCHEMA[soapVersion].file],
    [XDS_NS.wsa, 'soap/ws-addr.xsd'],
    [XDS_NS.medcom, 'dgws/medcom.xsd'],
    // wsse.xsd imports wsu.xsd, ds.xsd and saml.xsd (the ID card) itself.
    [XDS_NS.wsse, 'dgws/wsse.xsd'],
    [XDS_NS.xds, 'ihe-xds/XDS.b_DocumentRepository.xsd'],
  ];
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">\n' +
    imports
      .map(([ns, file]) => `  <xs:import namespace="${ns}" schemaLocation="${path.join(dir, file)}"/>\n`)
      .join('') +
    '</xs:schema>\n'
  );
}

function compile(text: string | Uint8Array, url: string): XsdValidator {
  const doc =
    typeof text === 'string'
      ? XmlDocument.fromString(text, { url, option: SAFE_PARSE_OPTIONS })
      : XmlDocument.fromBuffer(text, { url, option: SAFE_PARSE_OPTIONS });
  try {
    return XsdValidator.fromDoc(doc);
  } catch (err) {
    const detail = err instanceof XmlValidateError ? err.details.map((d) => d.message.trim()).join('; ') : String(err);
    throw new Error(`The schema ${url} does not compile: ${detail}`, { cause: err });
  } finally {
    doc.dispose();
  }
}

const compiled = new Map<string, OfficialSchemas>();

/** Compiles the official schemas once per folder; libxml2 reads them only through the in-memory provider. */
export function loadOfficialSchemas(dir: string = REFERENCE_DIR): OfficialSchemas {
  const abs = path.resolve(dir);
  const cached = compiled.get(abs);
  if (cached) {
    return cached;
  }
  const missing = missingReferenceFiles(abs);
  if (missing.length > 0) {
    throw new Error(`Missing reference schemas in ${abs}: ${missing.join(', ')}`);
  }
  // Served by absolute path, so each file's relative schemaLocations resolve to its siblings.
  const files = new Map(REFERENCE_FILES.map((f) => [path.join(abs, f), readFileSync(path.join(abs, f))] as const));
  serveFiles(files);
  const xdsEntry = path.join(abs, 'ihe-xds/XDS.b_DocumentRepository.xsd');
  const envelope = (v: SoapVersion): XsdValidator =>
    // A name for libxml2's messages; the driver exists only in memory.
    compile(envelopeDriverSchema(abs, v), path.join(abs, `(generated)-envelope-soap-${v}.xsd`));
  const schemas: OfficialSchemas = {
    dir: abs,
    xds: compile(files.get(xdsEntry) ?? readFileSync(xdsEntry), xdsEntry),
    envelope: { '1.1': envelope('1.1'), '1.2': envelope('1.2') },
  };
  compiled.set(abs, schemas);
  return schemas;
}

/** Validates XML text with one compiled schema; parse failures are findings too. */
export function validateText(validator: XsdValidator, xml: string, check: SchemaFinding['check']): SchemaFinding[] {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { url: `${check}.xml`, option: SAFE_PARSE_OPTIONS });
  } catch (err) {
    if (err instanceof XmlParseError) {
      return err.details.map((d) => ({
        check,
        level: 'error' as const,
        message: `not well-formed: ${d.message.trim()}`,
        ...(d.line > 0 ? { line: d.line } : {}),
      }));
    }
    throw err;
  }
  try {
    validator.validate(doc);
    return [];
  } catch (err) {
    if (!(err instanceof XmlValidateError)) {
      throw err;
    }
    return err.details.map((d) => ({
      check,
      level: d.level === 1 ? ('warning' as const) : ('error' as const),
      message: d.message.trim(),
      ...(d.line > 0 ? { line: d.line } : {}),
      ...(d.xpath ? { path: d.xpath } : {}),
    }));
  } finally {
    doc.dispose();
  }
}

/** The request as the schemas describe it: the SOAP envelope with each XOP include replaced by its part in base64. */
export interface ReconstitutedRequest {
  readonly envelope: string;
  /** The xds:ProvideAndRegisterDocumentSetRequest element serialized as a document of its own. */
  readonly provideAndRegister: string;
}

function requestError(message: string): Error {
  return new Error(`ITI-41 request: ${message}`);
}

/**
 * Reads the MTOM message back the way a repository does (XOP reconstitution): parse the
 * multipart body, take the root part, and replace every `xop:Include` by the base64 of the part
 * its href names. Throws when the package is inconsistent (no include, unknown href, include
 * outside xds:Document), since then there is nothing meaningful to validate.
 */
export function reconstituteRequest(request: Iti41Request): ReconstitutedRequest {
  const contentType = request.headers['Content-Type'];
  if (contentType === undefined) {
    throw requestError('no Content-Type header');
  }
  // A copy of the whole body is fine for a development check on documents of a few kB.
  const mime = parseMultipartRelated(Buffer.concat(request.chunks), contentType);
  const doc = XmlDocument.fromBuffer(mime.root.body, { url: 'envelope.xml', option: SAFE_PARSE_OPTIONS });
  try {
    const includes = doc.find('//xop:Include', { xop: XDS_NS.xop });
    if (includes.length === 0) {
      throw requestError('the SOAP part has no xop:Include');
    }
    for (const include of includes) {
      if (!(include instanceof XmlElement)) {
        continue;
      }
      const href = include.attr('href')?.value ?? '';
      const part = findAttachment(mime.parts, href);
      if (!part || part === mime.root) {
        throw requestError(`xop:Include href="${href}" names no attachment part`);
      }
      const parent = include.parent;
      if (parent?.name !== 'Document' || parent.namespaceUri !== XDS_NS.xds) {
        throw requestError(`xop:Include href="${href}" is not inside xds:Document`);
      }
      include.remove();
      parent.addText(Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength).toString('base64'));
    }
    const soapNs = { s11: XDS_NS.soap11, s12: XDS_NS.soap12 };
    const bodyChildren = doc.find('/*/s11:Body/* | /*/s12:Body/*', soapNs);
    const [body] = bodyChildren;
    if (bodyChildren.length !== 1 || !(body instanceof XmlElement)) {
      throw requestError(`the SOAP Body has ${bodyChildren.length} child elements, expected 1`);
    }
    // Serialized without formatting (libxml2-wasm formats by default): the schemas judge the bytes
    // as sent, apart from the include; errors are located by element path, as everything after
    // the XML declaration is on one line. The element declares its own namespaces (ebrim-build.ts), so it stands alone.
    return { envelope: doc.toString({ format: false }), provideAndRegister: body.toString({ format: false }) };
  } finally {
    doc.dispose();
  }
}

export interface RequestCheck {
  readonly xds: readonly SchemaFinding[];
  readonly envelope: readonly SchemaFinding[];
}

/** (a) The request element alone against XDS.b_DocumentRepository.xsd; (b) the whole envelope against the driver. */
export function checkReconstituted(
  reconstituted: ReconstitutedRequest,
  soapVersion: SoapVersion,
  schemas: OfficialSchemas
): RequestCheck {
  return {
    xds: validateText(schemas.xds, reconstituted.provideAndRegister, 'xds'),
    envelope: validateText(schemas.envelope[soapVersion], reconstituted.envelope, 'envelope'),
  };
}

export interface Variant {
  readonly name: string;
  readonly target: Target;
}

/** The two wire forms: KIH's (SOAP 1.1 + DGWS, the local target) and a plain IHE peer (`--endpoint`, SOAP 1.2). */
export const VARIANTS: readonly Variant[] = [
  { name: 'soap-1.1-dgws', target: getTarget('local') },
  { name: 'soap-1.2', target: endpointTarget('https://xds.example.org/repository/iti41', '1.2') },
];

/**
 * Settings for a variant: the target's own, plus a patientId for documents whose header names
 * no patient (QFDD) where the target has none. A vendor's settings file supplies that for a real
 * endpoint; without it QFDD documents get a finding instead of a request, which proves nothing here.
 */
function settingsFor(target: Target): ReturnType<typeof resolveSettings> {
  const layers: Partial<MetadataSettings>[] = [target.metadata];
  const fallback = getTarget('local').metadata.patientlessPatientId;
  if (target.metadata.patientlessPatientId === undefined && fallback) {
    layers.push({ patientlessPatientId: fallback });
  }
  return resolveSettings(...layers);
}

export interface BuiltRequest {
  readonly issues: readonly ValidationIssue[];
  /** Absent when the metadata had errors. */
  readonly request?: Iti41Request;
}

/** prepareSubmission then buildIti41Request, as `kih request` does; no ID card (wsse:Security: timestamp only). */
export function buildRequestFor(bytes: Uint8Array, file: string, variant: Variant): BuiltRequest {
  const { target } = variant;
  const prepared = prepareSubmission(bytes, file, {
    settings: settingsFor(target),
    live: target.live,
    uniqueIdExtensionLimit: target.uniqueIdExtensionLimit,
  });
  if (!prepared.metadata) {
    return { issues: prepared.issues };
  }
  const request = buildIti41Request(prepared.metadata, bytes, {
    endpoint: target.endpoint,
    soapVersion: target.soapVersion,
    dgws: target.dgws,
  });
  return { issues: prepared.issues, request };
}

export interface SampleResult {
  readonly file: string;
  readonly variant: string;
  readonly ok: boolean;
  /** Metadata findings from prepareSubmission (warnings are expected, e.g. QRD without event codes). */
  readonly issues: readonly ValidationIssue[];
  readonly findings: readonly SchemaFinding[];
}

/** Builds, reconstitutes and validates one document in one variant. */
export function checkSample(file: string, variant: Variant, schemas: OfficialSchemas): SampleResult {
  const bytes = new Uint8Array(readFileSync(file));
  const built = buildRequestFor(bytes, file, variant);
  const base = { file, variant: variant.name, issues: built.issues };
  if (!built.request) {
    const finding: SchemaFinding = { check: 'request', level: 'error', message: 'no request: the metadata has errors' };
    return { ...base, ok: false, findings: [finding] };
  }
  let findings: SchemaFinding[];
  try {
    const result = checkReconstituted(reconstituteRequest(built.request), variant.target.soapVersion, schemas);
    findings = [...result.xds, ...result.envelope];
  } catch (err) {
    findings = [{ check: 'request', level: 'error', message: err instanceof Error ? err.message : String(err) }];
  }
  return { ...base, ok: findings.length === 0, findings };
}

interface ManifestEntry {
  readonly file: string;
  readonly valid: boolean;
}

/** The samples the manifest marks valid, as absolute paths in manifest order. */
export function validSamples(): string[] {
  const samples = path.join(PACKAGE_ROOT, 'samples');
  const manifest = JSON.parse(readFileSync(path.join(samples, 'manifest.json'), 'utf8')) as {
    documents: ManifestEntry[];
  };
  return manifest.documents.filter((d) => d.valid).map((d) => path.join(samples, d.file));
}

export interface Control {
  readonly name: string;
  readonly check: 'xds' | 'envelope';
  /** Breaks a DGWS header, so it applies to the SOAP 1.1 + DGWS variant only. */
  readonly dgws?: boolean;
  /** Breaks the reconstituted text in one place; returns it unchanged when the place is not found. */
  readonly mutate: (xml: string) => string;
}

/**
 * Defects the schemas must reject, applied to a correct reconstituted request. They prove the
 * check can fail: an ExtrinsicObject without its required id and a Slot after Name (ebRIM); a
 * DGWS header without Linking, a Security header without its timestamp, a ReplyTo without
 * Address and a non-boolean mustUnderstand (medcom.xsd, wsse.xsd, ws-addr.xsd and the SOAP
 * attribute, each reached only through a lax wildcard of the Header, so an import that failed
 * to load, which libxml2 reports only as a warning, would show here); the Slot defect seen
 * through the envelope (the Body's lax wildcard); and an xop:Include left in place
 * (xds:Document is xs:base64Binary).
 */
export const CONTROLS: readonly Control[] = [
  {
    name: 'ExtrinsicObject without id',
    check: 'xds',
    mutate: (xml) => xml.replace(/(<rim:ExtrinsicObject) id="[^"]*"/, '$1'),
  },
  {
    name: 'rim:Slot after rim:Name',
    check: 'xds',
    mutate: moveSlotAfterName,
  },
  {
    name: 'medcom:Header without Linking',
    check: 'envelope',
    dgws: true,
    mutate: (xml) => xml.replace(/<medcom:Linking>.*?<\/medcom:Linking>/, ''),
  },
  {
    name: 'wsse:Security without wsu:Timestamp',
    check: 'envelope',
    dgws: true,
    mutate: (xml) => xml.replace(/<wsu:Timestamp>.*?<\/wsu:Timestamp>/, ''),
  },
  {
    name: 'wsa:ReplyTo with a bare URL',
    check: 'envelope',
    mutate: (xml) =>
      xml.replace(/<wsa:ReplyTo><wsa:Address>(.*?)<\/wsa:Address><\/wsa:ReplyTo>/, '<wsa:ReplyTo>$1</wsa:ReplyTo>'),
  },
  {
    name: 'soap:mustUnderstand="yes" on wsa:Action',
    check: 'envelope',
    mutate: (xml) => xml.replace(/(<wsa:Action [a-z]+:mustUnderstand=)"[^"]*"/, '$1"yes"'),
  },
  {
    name: 'rim:Slot after rim:Name, inside the envelope',
    check: 'envelope',
    mutate: moveSlotAfterName,
  },
  {
    name: 'xop:Include left in xds:Document',
    check: 'envelope',
    mutate: (xml) =>
      xml.replace(
        /(<xds:Document [^>]*>)[^<]*(<\/xds:Document>)/,
        `$1<xop:Include xmlns:xop="${XDS_NS.xop}" href="cid:document@kih-certify.local"/>$2`
      ),
  },
];

/** Moves the ExtrinsicObject's last Slot to just after its Name (ebRIM: Slot*, Name?, Description?, …). */
function moveSlotAfterName(xml: string): string {
  const start = xml.indexOf('<rim:ExtrinsicObject ');
  const name = xml.indexOf('<rim:Name>', start);
  const nameEnd = xml.indexOf('</rim:Name>', name) + '</rim:Name>'.length;
  const slotStart = xml.lastIndexOf('<rim:Slot ', name);
  if (start < 0 || name < 0 || slotStart < start) {
    return xml;
  }
  const slot = xml.slice(slotStart, name);
  return xml.slice(0, slotStart) + xml.slice(name, nameEnd) + slot + xml.slice(nameEnd);
}

export interface ControlOutcome {
  /** Whether the mutation changed the text (one that matches nothing tests nothing). */
  readonly applied: boolean;
  readonly findings: readonly SchemaFinding[];
}

/** Applies a control to a correct reconstituted request and validates the result with the schema it targets. */
export function runControl(
  control: Control,
  good: ReconstitutedRequest,
  soapVersion: SoapVersion,
  schemas: OfficialSchemas
): ControlOutcome {
  const text = control.check === 'xds' ? good.provideAndRegister : good.envelope;
  const broken = control.mutate(text);
  if (broken === text) {
    return { applied: false, findings: [] };
  }
  const validator = control.check === 'xds' ? schemas.xds : schemas.envelope[soapVersion];
  return { applied: true, findings: validateText(validator, broken, control.check) };
}

function formatFinding(f: SchemaFinding): string {
  const where = [f.line !== undefined ? `line ${f.line}` : '', f.path ?? ''].filter(Boolean).join(' ');
  return `    ${f.check} ${f.level}: ${f.message}${where ? ` (${where})` : ''}`;
}

function main(): number {
  const { values } = parseArgs({ options: { reference: { type: 'string', default: REFERENCE_DIR } } });
  const dir = path.resolve(values.reference);
  const missing = missingReferenceFiles(dir);
  if (missing.length > 0) {
    process.stdout.write(
      `xds-schema-check: skipped: the official schemas are not in ${dir} ` +
        (missing.length === REFERENCE_FILES.length ? '(no such folder); ' : `(missing ${missing.join(', ')}); `) +
        'they are reference material beside the checkout, never part of it.\n'
    );
    return 0;
  }
  const schemas = loadOfficialSchemas(dir);
  let failed = 0;
  let checked = 0;
  for (const file of validSamples()) {
    for (const variant of VARIANTS) {
      const result = checkSample(file, variant, schemas);
      checked++;
      const name = path.relative(path.join(PACKAGE_ROOT, 'samples'), file);
      // Metadata warnings are expected for some profiles (QRD: no event code; QFDD: no patient) and are named only.
      const warnings = result.issues.filter((i) => i.severity !== 'error').map((i) => i.ruleId);
      process.stdout.write(
        `${result.ok ? 'PASS' : 'FAIL'} ${name} [${variant.name}]` +
          (warnings.length > 0 ? ` (metadata warnings: ${warnings.join(', ')})` : '') +
          '\n'
      );
      if (!result.ok) {
        failed++;
        for (const issue of result.issues.filter((i) => i.severity === 'error')) {
          process.stdout.write(`    metadata ${issue.ruleId}: ${issue.message}\n`);
        }
        for (const f of result.findings) {
          process.stdout.write(formatFinding(f) + '\n');
        }
      }
    }
  }
  // The controls: if a schema accepted one of these, a passing run above would prove nothing.
  let controls = 0;
  let controlsFailed = 0;
  const [first] = validSamples();
  for (const variant of VARIANTS) {
    const request = first ? buildRequestFor(readFileSync(first), first, variant).request : undefined;
    if (!request) {
      process.stdout.write(`FAIL controls [${variant.name}]: no request to mutate\n`);
      controlsFailed++;
      continue;
    }
    const good = reconstituteRequest(request);
    for (const control of CONTROLS.filter((c) => !c.dgws || variant.target.dgws)) {
      controls++;
      const outcome = runControl(control, good, variant.target.soapVersion, schemas);
      const rejected = outcome.applied && outcome.findings.some((f) => f.level === 'error');
      if (!rejected) {
        controlsFailed++;
      }
      process.stdout.write(
        `${rejected ? 'PASS' : 'FAIL'} control [${variant.name}]: ${control.name}: ` +
          (rejected
            ? `rejected: ${outcome.findings[0]?.message ?? ''}`
            : outcome.applied
              ? 'ACCEPTED'
              : 'the mutation did not apply') +
          '\n'
      );
    }
  }
  process.stdout.write(
    `xds-schema-check: ${checked} requests (${validSamples().length} documents × ${VARIANTS.length} variants), ` +
      `${checked - failed} valid, ${failed} invalid; ${controls - controlsFailed}/${controls} controls rejected\n`
  );
  return failed === 0 && controlsFailed === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  process.exitCode = main();
}
