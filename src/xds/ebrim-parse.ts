// Reads an ITI-41 request (bare, or inside a SOAP envelope) safely into the ebRIM model; bad input becomes an issue, never an exception.
import { XmlElement } from 'libxml2-wasm';
import type { XmlDocument } from 'libxml2-wasm';
import { checkInputBytes } from '../xml/input-checks.js';
import { parseXml } from '../xml/xml-parser.js';
import { elementChildren } from '../xml/libxml-tree.js';
import { elementSteps } from '../xml/node-path.js';
import { formatPath, formatStep } from '../xml/path-format.js';
import type { PrefixOf } from '../xml/path-format.js';
import type { ValidationIssue } from '../core/report.js';
import type {
  RimAssociation,
  RimClassification,
  RimDocument,
  RimExternalIdentifier,
  RimExtrinsicObject,
  RimObjectBase,
  RimObjectRef,
  RimRegistryPackage,
  RimSlot,
  RimSubmission,
} from './ebrim-model.js';
import { XDS_NS } from './vocabulary.js';

/** Error code of a request that cannot be read: not XML, refused constructs, or no SubmitObjectsRequest. */
export const XDS_ERR_REQUEST_XML = 'XDS_ERR_REQUEST_XML';

/** Prefix map for evaluating the canonical paths the parser prints (the vocabulary's keys are the prefixes). */
export const XDS_XPATH_NAMESPACES: Readonly<Record<string, string>> = XDS_NS;

/** Inline base64 documents make requests far larger than CDA documents alone, so the default limit is higher. */
export const DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export interface ParseSubmissionOptions {
  /** Used only in libxml2's messages; nothing is fetched. */
  readonly url?: string;
  readonly maxBytes?: number;
}

export interface ParseSubmissionResult {
  readonly submission?: RimSubmission;
  readonly issues: readonly ValidationIssue[];
}

const PREFIX_BY_URI = new Map<string, string>(Object.entries(XDS_NS).map(([prefix, uri]) => [uri, prefix]));

function requestIssue(message: string, line?: number, xpath?: string): ValidationIssue {
  return {
    ruleId: XDS_ERR_REQUEST_XML,
    severity: 'error',
    stage: 'xds',
    message,
    ...(line !== undefined && line > 0 ? { line } : {}),
    ...(xpath !== undefined ? { xpath } : {}),
  };
}

/** Keeps the position and detail of an input/XML-stage issue but reports it under the request's code. */
function relabel(issue: ValidationIssue): ValidationIssue {
  const message =
    issue.ruleId === 'CDA_ERR_DOCTYPE'
      ? 'The request has a DOCTYPE declaration; ITI-41 requests need none, and DTDs and entities are refused for safety.'
      : `The request cannot be read: ${issue.message}`;
  return {
    ruleId: XDS_ERR_REQUEST_XML,
    severity: 'error',
    stage: 'xds',
    message,
    ...(issue.line !== undefined ? { line: issue.line } : {}),
    ...(issue.column !== undefined ? { column: issue.column } : {}),
  };
}

/** Canonical paths here use the XDS prefixes (rim:, lcm:, soap12: …), which XDS_XPATH_NAMESPACES evaluates. */
const xdsPrefix: PrefixOf = (uri) => PREFIX_BY_URI.get(uri);

/** Canonical path of an element found by search (its ancestors are not walked otherwise). */
function pathOf(el: XmlElement): string {
  return formatPath(elementSteps(el), xdsPrefix);
}

interface Located {
  readonly el: XmlElement;
  readonly ns: string;
  readonly local: string;
  readonly xpath: string;
  readonly line: number;
}

function locate(el: XmlElement, xpath: string): Located {
  return { el, ns: el.namespaceUri, local: el.name, xpath, line: el.line };
}

/** Child lists already built: every wasm property read costs, and each object's children are read several times. */
const childCache = new WeakMap<Located, Located[]>();

/** Child elements with their canonical paths, computed from the parent's in one pass. */
function children(parent: Located): Located[] {
  const cached = childCache.get(parent);
  if (cached) {
    return cached;
  }
  const counts = new Map<string, number>();
  const out: Located[] = [];
  for (const child of elementChildren(parent.el)) {
    const at = locate(child, '');
    const name = `{${at.ns}}${at.local}`;
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const step = formatStep({ kind: 'element', ns: at.ns, local: at.local, position: n }, xdsPrefix);
    out.push({ ...at, xpath: parent.xpath + step });
  }
  childCache.set(parent, out);
  return out;
}

function childrenNamed(parent: Located, ns: string, name: string): Located[] {
  return children(parent).filter((c) => c.ns === ns && c.local === name);
}

function attr(el: XmlElement, name: string): string | undefined {
  return el.attr(name)?.value;
}

function firstLocalizedString(parent: Located, elementName: string): string | undefined {
  for (const holder of childrenNamed(parent, XDS_NS.rim, elementName)) {
    for (const ls of childrenNamed(holder, XDS_NS.rim, 'LocalizedString')) {
      const value = attr(ls.el, 'value');
      if (value !== undefined) {
        return value;
      }
    }
  }
  return undefined;
}

function readSlots(at: Located): RimSlot[] {
  return childrenNamed(at, XDS_NS.rim, 'Slot').map((slot) => ({
    name: attr(slot.el, 'name') ?? '',
    values: childrenNamed(slot, XDS_NS.rim, 'ValueList').flatMap((list) =>
      childrenNamed(list, XDS_NS.rim, 'Value').map((v) => v.el.content)
    ),
    line: slot.line,
    xpath: slot.xpath,
  }));
}

/** Adds only attributes that are present, so absent and empty stay distinguishable. */
function optionalAttrs<K extends string>(el: XmlElement, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = attr(el, name);
    if (value !== undefined) {
      out[name] = value;
    }
  }
  return out;
}

function readBase(at: Located): RimObjectBase {
  const name = firstLocalizedString(at, 'Name');
  const description = firstLocalizedString(at, 'Description');
  return {
    id: attr(at.el, 'id') ?? '',
    ...optionalAttrs(at.el, ['home', 'lid', 'objectType', 'status'] as const),
    slots: readSlots(at),
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    line: at.line,
    xpath: at.xpath,
  };
}

function readClassification(at: Located): RimClassification {
  return {
    ...readBase(at),
    ...optionalAttrs(at.el, [
      'classificationScheme',
      'classificationNode',
      'classifiedObject',
      'nodeRepresentation',
    ] as const),
  };
}

function readExternalIdentifier(at: Located): RimExternalIdentifier {
  return { ...readBase(at), ...optionalAttrs(at.el, ['identificationScheme', 'value', 'registryObject'] as const) };
}

function readClassified(at: Located): RimRegistryPackage {
  return {
    ...readBase(at),
    classifications: childrenNamed(at, XDS_NS.rim, 'Classification').map(readClassification),
    externalIdentifiers: childrenNamed(at, XDS_NS.rim, 'ExternalIdentifier').map(readExternalIdentifier),
  };
}

function readExtrinsicObject(at: Located): RimExtrinsicObject {
  return { ...readClassified(at), ...optionalAttrs(at.el, ['mimeType'] as const) };
}

function readAssociation(at: Located): RimAssociation {
  return {
    ...readBase(at),
    ...optionalAttrs(at.el, ['associationType', 'sourceObject', 'targetObject'] as const),
  };
}

function readObjectRef(at: Located): RimObjectRef {
  const home = attr(at.el, 'home');
  return { id: attr(at.el, 'id') ?? '', ...(home !== undefined ? { home } : {}), line: at.line, xpath: at.xpath };
}

function readDocument(at: Located): RimDocument {
  const include = childrenNamed(at, XDS_NS.xop, 'Include')[0];
  const href = include ? attr(include.el, 'href') : undefined;
  return {
    id: attr(at.el, 'id') ?? '',
    ...(include ? { xopHref: href ?? '' } : { inlineBase64Length: at.el.content.replace(/\s+/g, '').length }),
    line: at.line,
    xpath: at.xpath,
  };
}

type RegistryObjects = Pick<
  RimSubmission,
  'extrinsicObjects' | 'registryPackages' | 'classifications' | 'associations' | 'objectRefs'
>;

/** The XDS objects of a `rim:RegistryObjectList`, in document order by kind. */
function readObjects(list: Located): RegistryObjects {
  const extrinsicObjects: RimExtrinsicObject[] = [];
  const registryPackages: RimRegistryPackage[] = [];
  const classifications: RimClassification[] = [];
  const associations: RimAssociation[] = [];
  const objectRefs: RimObjectRef[] = [];
  for (const child of children(list)) {
    if (child.ns !== XDS_NS.rim) {
      continue;
    }
    switch (child.local) {
      case 'ExtrinsicObject':
        extrinsicObjects.push(readExtrinsicObject(child));
        break;
      case 'RegistryPackage':
        registryPackages.push(readClassified(child));
        break;
      case 'Classification':
        classifications.push(readClassification(child));
        break;
      case 'Association':
        associations.push(readAssociation(child));
        break;
      case 'ObjectRef':
        objectRefs.push(readObjectRef(child));
        break;
      default:
        // Other ebRIM objects have no meaning in XDS metadata; the rules judge only what XDS defines.
        break;
    }
  }
  return { extrinsicObjects, registryPackages, classifications, associations, objectRefs };
}

/**
 * The objects of a `rim:RegistryObjectList` found elsewhere than in a submission (an ITI-18
 * AdhocQueryResponse), read exactly as a submission's, so both map to the same metadata model.
 * The caller owns `list`'s document and must keep it open during the call.
 */
export function readRegistryObjectList(list: XmlElement): RimSubmission {
  const at = locate(list, pathOf(list));
  return { kind: 'submit-objects', request: { line: at.line, xpath: at.xpath }, ...readObjects(at), documents: [] };
}

/** The request element: the ITI-41 wrapper if there is one (it holds the documents), else a bare SubmitObjectsRequest. */
function findRequest(doc: XmlDocument): { wrapper: XmlElement | null; request: XmlElement } | null {
  const ns = { xds: XDS_NS.xds, lcm: XDS_NS.lcm };
  const wrapper = doc.get('(//xds:ProvideAndRegisterDocumentSetRequest)[1]', ns);
  if (wrapper instanceof XmlElement) {
    const inner = wrapper.get('lcm:SubmitObjectsRequest[1]', ns);
    return inner instanceof XmlElement ? { wrapper, request: inner } : null;
  }
  const bare = doc.get('(//lcm:SubmitObjectsRequest)[1]', ns);
  return bare instanceof XmlElement ? { wrapper: null, request: bare } : null;
}

function readSubmission(doc: XmlDocument): ParseSubmissionResult {
  const found = findRequest(doc);
  if (!found) {
    return {
      issues: [
        requestIssue(
          `No lcm:SubmitObjectsRequest (namespace ${XDS_NS.lcm}) was found, neither inside an xds:ProvideAndRegisterDocumentSetRequest (namespace ${XDS_NS.xds}) nor on its own.`,
          doc.root.line,
          pathOf(doc.root)
        ),
      ],
    };
  }
  const request = locate(found.request, pathOf(found.request));
  const list = childrenNamed(request, XDS_NS.rim, 'RegistryObjectList')[0];
  if (!list) {
    return {
      issues: [
        requestIssue('The lcm:SubmitObjectsRequest has no rim:RegistryObjectList.', request.line, request.xpath),
      ],
    };
  }
  const objects = readObjects(list);
  const documents = found.wrapper
    ? childrenNamed(locate(found.wrapper, pathOf(found.wrapper)), XDS_NS.xds, 'Document').map(readDocument)
    : [];
  return {
    submission: {
      kind: found.wrapper ? 'provide-and-register' : 'submit-objects',
      request: { line: request.line, xpath: request.xpath },
      ...objects,
      documents,
    },
    issues: [],
  };
}

/**
 * Parses the XML of an ITI-41 request: an `xds:ProvideAndRegisterDocumentSetRequest`, a bare
 * `lcm:SubmitObjectsRequest`, or a SOAP envelope holding either (found by namespace, wherever it
 * is). The bytes pass the same checks as CDA documents (UTF-8, no DOCTYPE) and libxml2's safe
 * options. Never throws for bad input: the result then has no submission and an issue.
 */
export function parseSubmission(xml: string | Uint8Array, options: ParseSubmissionOptions = {}): ParseSubmissionResult {
  const bytes = typeof xml === 'string' ? new TextEncoder().encode(xml) : xml;
  const checked = checkInputBytes(bytes, options.maxBytes ?? DEFAULT_MAX_REQUEST_BYTES);
  if (!checked.ok) {
    return { issues: checked.issues.map(relabel) };
  }
  const parsed = parseXml(bytes, options.url ?? 'request.xml', checked.text);
  if (!parsed.ok) {
    return { issues: parsed.issues.map(relabel) };
  }
  try {
    return readSubmission(parsed.doc);
  } finally {
    parsed.doc.dispose();
  }
}
