// The ebRIM 3.0 objects of an ITI-41 request as plain data, each with its line and canonical XPath for findings.
import { SUBMISSION_SET } from './vocabulary.js';

/** Where an element sits in the request: 1-based line (0 when libxml2 gives none) and a prefixed, indexed path. */
export interface RimLocation {
  readonly line: number;
  /** `/xds:ProvideAndRegisterDocumentSetRequest[1]/lcm:SubmitObjectsRequest[1]/rim:RegistryObjectList[1]/…` */
  readonly xpath: string;
}

export interface RimSlot extends RimLocation {
  readonly name: string;
  /** `rim:ValueList/rim:Value` texts, in order, as written (not trimmed). */
  readonly values: readonly string[];
}

/** What every registry object carries. Attributes are undefined when absent, kept as written when present. */
export interface RimObjectBase extends RimLocation {
  readonly id: string;
  readonly home?: string;
  readonly lid?: string;
  readonly objectType?: string;
  readonly status?: string;
  readonly slots: readonly RimSlot[];
  /** The first `rim:Name/rim:LocalizedString/@value`. */
  readonly name?: string;
  /** The first `rim:Description/rim:LocalizedString/@value`. */
  readonly description?: string;
}

export interface RimClassification extends RimObjectBase {
  readonly classificationScheme?: string;
  readonly classificationNode?: string;
  readonly classifiedObject?: string;
  readonly nodeRepresentation?: string;
}

export interface RimExternalIdentifier extends RimObjectBase {
  readonly identificationScheme?: string;
  readonly value?: string;
  readonly registryObject?: string;
}

/** A registry object that may hold nested classifications and external identifiers. */
export interface RimClassifiedObject extends RimObjectBase {
  readonly classifications: readonly RimClassification[];
  readonly externalIdentifiers: readonly RimExternalIdentifier[];
}

/** A DocumentEntry (or any other ExtrinsicObject). */
export interface RimExtrinsicObject extends RimClassifiedObject {
  readonly mimeType?: string;
}

/** A SubmissionSet or Folder. */
export type RimRegistryPackage = RimClassifiedObject;

export interface RimAssociation extends RimObjectBase {
  readonly associationType?: string;
  readonly sourceObject?: string;
  readonly targetObject?: string;
}

/** A reference to an object already in the registry (`rim:ObjectRef`). */
export interface RimObjectRef extends RimLocation {
  readonly id: string;
  readonly home?: string;
}

/** An `xds:Document`: either an XOP reference to a MIME part or inline base64 text. */
export interface RimDocument extends RimLocation {
  readonly id: string;
  /** `xop:Include/@href` (`cid:…`). */
  readonly xopHref?: string;
  /** Characters of inline base64 without white space; absent when the content is an XOP reference. */
  readonly inlineBase64Length?: number;
}

export interface RimSubmission {
  /** `provide-and-register`: an ITI-41 request (documents expected); `submit-objects`: a bare SubmitObjectsRequest. */
  readonly kind: 'provide-and-register' | 'submit-objects';
  /** Location of the `lcm:SubmitObjectsRequest` element. */
  readonly request: RimLocation;
  readonly extrinsicObjects: readonly RimExtrinsicObject[];
  readonly registryPackages: readonly RimRegistryPackage[];
  /** Top-level classifications (children of `rim:RegistryObjectList`). */
  readonly classifications: readonly RimClassification[];
  readonly associations: readonly RimAssociation[];
  readonly objectRefs: readonly RimObjectRef[];
  readonly documents: readonly RimDocument[];
}

/** The slots of an object with this name (more than one is itself a finding). */
export function slotsNamed(obj: RimObjectBase, name: string): RimSlot[] {
  return obj.slots.filter((s) => s.name === name);
}

/** The values of the first slot with this name, or undefined when there is none. */
export function slotValues(obj: RimObjectBase, name: string): readonly string[] | undefined {
  return obj.slots.find((s) => s.name === name)?.values;
}

export function classificationsWithScheme(obj: RimClassifiedObject, scheme: string): RimClassification[] {
  return obj.classifications.filter((c) => c.classificationScheme === scheme);
}

export function externalIdentifiersWithScheme(obj: RimClassifiedObject, scheme: string): RimExternalIdentifier[] {
  return obj.externalIdentifiers.filter((e) => e.identificationScheme === scheme);
}

/**
 * Whether a RegistryPackage is marked as SubmissionSet: by a nested classification or by a
 * top-level one that names it as classifiedObject (IHE allows both placements).
 */
export function isSubmissionSet(sub: RimSubmission, pkg: RimRegistryPackage): boolean {
  const node = SUBMISSION_SET.classificationNode;
  // A nested marker counts even with a wrong classifiedObject, which is its own finding.
  return (
    pkg.classifications.some((c) => c.classificationNode === node) ||
    sub.classifications.some((c) => c.classificationNode === node && c.classifiedObject === pkg.id)
  );
}

/** The RegistryPackages marked as SubmissionSet. */
export function submissionSets(sub: RimSubmission): RimRegistryPackage[] {
  return sub.registryPackages.filter((p) => isSubmissionSet(sub, p));
}
