// The one canonical path format (`/cda:ClinicalDocument[1]/cda:component[1]/@xsi:type`), built from steps by every tree walker.
import { CDA_NAMESPACES } from '../core/namespaces.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** One step of a canonical path; positions are 1-based among the siblings the step's test matches. */
export type PathStep =
  | { readonly kind: 'element'; readonly ns: string; readonly local: string; readonly position: number }
  | { readonly kind: 'attribute'; readonly ns: string; readonly local: string }
  | { readonly kind: 'text' | 'comment' | 'node'; readonly position: number };

/** The prefix a path uses for a namespace URI, or undefined to spell the name out with local-name() and namespace-uri(). */
export type PrefixOf = (uri: string) => string | undefined;

/**
 * Namespace URI and prefix of every name a canonical path writes with a prefix: the tool's own
 * (cda, sdtc, xsi, so CDA_NAMESPACES evaluates the paths) and `xml`, which every XPath knows.
 * The generated Schematron stylesheet spells its kihsch:name-test from the same list.
 */
export const CANONICAL_PREFIXES: readonly (readonly [uri: string, prefix: string])[] = [
  ...Object.entries(CDA_NAMESPACES).map(([prefix, uri]) => [uri, prefix] as const),
  [XML_NS, 'xml'],
];

const PREFIX_BY_URI = new Map(CANONICAL_PREFIXES);

export const canonicalPrefix: PrefixOf = (uri) => PREFIX_BY_URI.get(uri);

/** The name test of an element or attribute: `prefix:local`, `local` in no namespace, or a wildcard with predicates. */
export function nameTest(ns: string, local: string, prefixOf: PrefixOf = canonicalPrefix): string {
  if (!ns) {
    return local;
  }
  const prefix = prefixOf(ns);
  return prefix ? `${prefix}:${local}` : `*[local-name()='${local}' and namespace-uri()='${ns}']`;
}

/** One step with its leading slash, so a path can also be grown step by step from its parent's. */
export function formatStep(step: PathStep, prefixOf: PrefixOf = canonicalPrefix): string {
  switch (step.kind) {
    case 'element':
      return `/${nameTest(step.ns, step.local, prefixOf)}[${step.position}]`;
    case 'attribute':
      return `/@${nameTest(step.ns, step.local, prefixOf)}`;
    case 'text':
    case 'comment':
    case 'node':
      return `/${step.kind}()[${step.position}]`;
  }
}

/** The path of the steps from the root element down; no steps is the document node, `/`. */
export function formatPath(steps: readonly PathStep[], prefixOf: PrefixOf = canonicalPrefix): string {
  return steps.length === 0 ? '/' : steps.map((s) => formatStep(s, prefixOf)).join('');
}
