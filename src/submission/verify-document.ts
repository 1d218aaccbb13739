// Checks that a document arrived as sent: ITI-18 GetDocuments by uniqueId, field-by-field metadata comparison, ITI-43 retrieve with hash, size and bytes compared.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { checkContent } from '../xds/iti43-retrieve.js';
import type { DocumentEntry } from '../xds/metadata-model.js';
import type { RegistryErrorInfo } from '../xds/response/outcome.js';
import { backoffDelay, DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { queryRegistry, retrieveDocuments } from './registry-client.js';
import type { RegistryOptions, RegistryTarget } from './registry-client.js';
import type { AttemptRecord, SubmissionClass } from './send-submission.js';

export type VerifyOutcome = 'verified' | 'notFound' | 'metadataMismatch' | 'contentMismatch' | 'failure';

/**
 * The registered fields compared with what the project derives. Not compared: entryUUID (a
 * registry may assign its own), availabilityStatus (the registry sets Approved) and
 * homeCommunityId (an attribute of where the entry lives, not of the document).
 */
export const COMPARED_FIELDS = [
  'uniqueId',
  'patientId',
  'sourcePatientId',
  'sourcePatientInfo',
  'typeCode',
  'classCode',
  'formatCode',
  'confidentialityCode',
  'healthcareFacilityTypeCode',
  'practiceSettingCode',
  'eventCodeList',
  'languageCode',
  'creationTime',
  'serviceStartTime',
  'serviceStopTime',
  'title',
  'authorInstitution',
  'authorPerson',
  'legalAuthenticator',
  'mimeType',
  'objectType',
  'hash',
  'size',
] as const satisfies readonly (keyof DocumentEntry)[];

export interface FieldMismatch {
  readonly field: (typeof COMPARED_FIELDS)[number];
  readonly registered: unknown;
  readonly expected: unknown;
}

export interface ContentReport {
  /** SHA-1 and size of the retrieved bytes. */
  readonly hash: string;
  readonly size: number;
  /** What the registry registered. */
  readonly registeredHash: string;
  readonly registeredSize: number;
  /** Whether the bytes equal the file's, when a file was given. */
  readonly sameAsFile?: boolean;
}

export interface VerifyResult {
  readonly uniqueId: string;
  readonly file?: string;
  readonly target: string;
  readonly outcome: VerifyOutcome;
  /** For `failure`: the class of the failed exchange (transient, auth, authPermanent, permanent). */
  readonly class?: SubmissionClass;
  readonly message: string;
  readonly mismatches: readonly FieldMismatch[];
  readonly content?: ContentReport;
  readonly errors: readonly RegistryErrorInfo[];
  /** GetDocuments queries made (more than one while waiting for the registration). */
  readonly queries: number;
  readonly durationMs: number;
  readonly attempts: readonly AttemptRecord[];
}

export interface VerifyInput {
  readonly uniqueId: string;
  readonly file?: string;
  /** The DocumentEntry derived from the file as the submit path derives it; absent for a bare uniqueId. */
  readonly expected?: DocumentEntry;
  /** The file's bytes. */
  readonly bytes?: Uint8Array;
}

export interface VerifyOptions extends RegistryOptions {
  /** How long to keep asking while the registry does not know the document yet (ms); 0: ask once. */
  readonly waitMs?: number;
}

/** Compares every registered field the project derives; absent and undefined are the same. */
export function compareEntries(registered: DocumentEntry, expected: DocumentEntry): FieldMismatch[] {
  return COMPARED_FIELDS.filter((f) => !isDeepStrictEqual(registered[f], expected[f])).map((field) => ({
    field,
    registered: registered[field],
    expected: expected[field],
  }));
}

function describeMismatches(list: readonly FieldMismatch[]): string {
  return list
    .map((m) => `${m.field} (registered ${JSON.stringify(m.registered)}, expected ${JSON.stringify(m.expected)})`)
    .join('; ');
}

/** Checks one document at the target's registry and repository. The target must have both endpoints. */
export async function verifyDocument(
  input: VerifyInput,
  target: RegistryTarget,
  options: VerifyOptions
): Promise<VerifyResult> {
  const started = performance.now();
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const attempts: AttemptRecord[] = [];
  let queries = 0;
  const done = (
    outcome: VerifyOutcome,
    message: string,
    extra: Partial<Pick<VerifyResult, 'class' | 'mismatches' | 'content' | 'errors'>> = {}
  ): VerifyResult => ({
    uniqueId: input.uniqueId,
    ...(input.file !== undefined ? { file: input.file } : {}),
    target: target.name,
    outcome,
    message,
    mismatches: [],
    errors: [],
    ...extra,
    queries,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    attempts,
  });

  // GetDocuments, again with backoff while the registry does not know the document and time is left.
  let entry: DocumentEntry | undefined;
  let repositoryUniqueId: string | undefined;
  for (let poll = 1; ; poll++) {
    queries += 1;
    const q = await queryRegistry({ kind: 'GetDocuments', uniqueIds: [input.uniqueId] }, target, options);
    attempts.push(...q.attempts);
    if (q.outcome !== 'success' && q.outcome !== 'partialSuccess') {
      return done('failure', `GetDocuments failed: ${q.message}`, { class: q.class, errors: q.errors });
    }
    const entries = q.data?.entries ?? [];
    // A document registered twice (an identical re-submission) has two entries; the newest tells most.
    entry = entries.at(-1);
    if (entry) {
      repositoryUniqueId = q.data?.repositoryUniqueIds[entry.entryUUID];
      break;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      return done(
        'notFound',
        `The registry of ${target.name} does not know ${input.uniqueId}${queries > 1 ? ` (asked ${queries} times)` : ''}.`
      );
    }
    await sleep(Math.min(left, backoffDelay(poll, policy, options.random)));
  }

  const mismatches = input.expected ? compareEntries(entry, input.expected) : [];

  const repository = repositoryUniqueId ?? target.repositoryUniqueId;
  if (repository === undefined) {
    return done('failure', 'The registry names no repositoryUniqueId for the document and the target has none.', {
      class: 'permanent',
      mismatches,
    });
  }
  const r = await retrieveDocuments(
    [
      {
        repositoryUniqueId: repository,
        documentUniqueId: input.uniqueId,
        ...(entry.homeCommunityId !== undefined ? { homeCommunityId: entry.homeCommunityId } : {}),
      },
    ],
    target,
    options
  );
  attempts.push(...r.attempts);
  const doc = r.data?.find((d) => d.documentUniqueId === input.uniqueId);
  if (r.outcome === 'failure' || !doc) {
    return done('failure', `RetrieveDocumentSet failed: ${r.message}`, {
      class: r.outcome === 'failure' ? r.class : 'permanent',
      errors: r.errors,
      mismatches,
    });
  }
  if (!doc.bytes) {
    return done('contentMismatch', `The repository's answer holds no usable document: ${doc.problem ?? 'no bytes'}.`, {
      mismatches,
    });
  }
  const check = checkContent(doc.bytes, entry);
  const sameAsFile = input.bytes ? Buffer.from(doc.bytes).equals(Buffer.from(input.bytes)) : undefined;
  const content: ContentReport = {
    hash: check.hash,
    size: check.size,
    registeredHash: entry.hash,
    registeredSize: entry.size,
    ...(sameAsFile !== undefined ? { sameAsFile } : {}),
  };
  if (mismatches.length > 0) {
    return done('metadataMismatch', `The registered metadata differs: ${describeMismatches(mismatches)}.`, {
      mismatches,
      content,
    });
  }
  if (!check.hashMatches || !check.sizeMatches || sameAsFile === false) {
    const what = [
      check.hashMatches ? '' : `SHA-1 ${check.hash} (registered ${entry.hash})`,
      check.sizeMatches ? '' : `size ${check.size} (registered ${entry.size})`,
      sameAsFile === false ? 'bytes differ from the file' : '',
    ].filter((s) => s !== '');
    return done('contentMismatch', `The retrieved document differs: ${what.join('; ')}.`, { content });
  }
  return done('verified', `Registered and retrievable as sent (${check.size} bytes, SHA-1 ${check.hash}).`, {
    content,
  });
}
