// Reads an ITI-18 AdhocQueryResponse: its ebRS status and errors, and the DocumentEntries (LeafClass) or entryUUIDs (ObjectRef) it lists.
import type { XmlElement } from 'libxml2-wasm';
import type { ValidationIssue } from '../../core/report.js';
import { childElement } from '../../xml/libxml-tree.js';
import { readRegistryObjectList } from '../ebrim-parse.js';
import type { DocumentEntry } from '../metadata-model.js';
import { rimToDocumentEntries } from '../rim-to-metadata.js';
import { XDS_NS } from '../vocabulary.js';
import type { SubmissionOutcome } from './outcome.js';
import { parseSoapAnswer } from './parse-response.js';
import type { HttpAnswer, PayloadReader } from './parse-response.js';

export interface QueryAnswer {
  /** Status, errors and class, read as an ITI-41 answer is (faults, DGWS faults, HTTP errors alike). */
  readonly outcome: SubmissionOutcome;
  /** LeafClass: each ExtrinsicObject mapped to the metadata model. */
  readonly entries: readonly DocumentEntry[];
  /** ObjectRef answers: the ids listed. */
  readonly objectRefs: readonly string[];
  /** ExtrinsicObjects the model could not hold (a registry leaving out a required field). */
  readonly issues: readonly ValidationIssue[];
  /** The repositoryUniqueId slot of each entry, by entryUUID: where ITI-43 must ask. */
  readonly repositoryUniqueIds: Readonly<Record<string, string>>;
}

interface Listed {
  readonly entries: DocumentEntry[];
  readonly objectRefs: string[];
  readonly issues: ValidationIssue[];
  readonly repositoryUniqueIds: Record<string, string>;
}

const ADHOC_QUERY_RESPONSE: PayloadReader<Listed> = {
  expected: 'an AdhocQueryResponse',
  statusElement: (payload: XmlElement) =>
    payload.namespaceUri === XDS_NS.query && payload.name === 'AdhocQueryResponse' ? payload : undefined,
  read: (payload: XmlElement) => {
    const list = childElement(payload, XDS_NS.rim, 'RegistryObjectList');
    if (!list) {
      return { entries: [], objectRefs: [], issues: [], repositoryUniqueIds: {} };
    }
    const objects = readRegistryObjectList(list);
    const { entries, issues } = rimToDocumentEntries(objects);
    const repositoryUniqueIds: Record<string, string> = {};
    for (const eo of objects.extrinsicObjects) {
      const value = eo.slots.find((s) => s.name === 'repositoryUniqueId')?.values[0];
      if (value !== undefined) {
        repositoryUniqueIds[eo.id] = value.trim();
      }
    }
    return { entries, objectRefs: objects.objectRefs.map((r) => r.id), issues, repositoryUniqueIds };
  },
};

/** Reads an ITI-18 answer; never throws for a bad one (it becomes the outcome, with no entries). */
export function parseQueryResponse(answer: HttpAnswer): QueryAnswer {
  const { outcome, data } = parseSoapAnswer(answer, ADHOC_QUERY_RESPONSE);
  return {
    outcome,
    entries: data?.entries ?? [],
    objectRefs: data?.objectRefs ?? [],
    issues: data?.issues ?? [],
    repositoryUniqueIds: data?.repositoryUniqueIds ?? {},
  };
}
