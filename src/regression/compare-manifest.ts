// Compares what a run observed with what a corpus manifest expects, in both directions, document by document.
import { compareMetadata } from './expected-metadata.js';
import type { CorpusManifest, ManifestEntry } from './manifest.js';
import type { ExpectedDocument, Mismatch, ObservedDocument, RegressionDocument } from './result.js';
import { sortDocuments } from './result.js';

export interface CompareOptions {
  /** The run submitted valid documents: a valid document the target did not store is a mismatch. */
  readonly submitted?: boolean;
  /** Why a listed document has no observation: not on disk (default) or skipped by a cancellation. */
  readonly absentBecause?: (file: string) => 'missing' | 'skipped';
}

function expectedOf(entry: ManifestEntry): ExpectedDocument {
  return {
    profile: entry.profile,
    valid: entry.valid,
    ruleIds: entry.ruleIds,
    ...(entry.metadata ? { metadata: entry.metadata } : {}),
  };
}

const label = (valid: boolean): string => (valid ? 'valid' : 'invalid');

/** The mismatches of one document; an empty list means it behaves as its manifest says. */
export function compareDocument(
  expected: ExpectedDocument | null,
  actual: ObservedDocument | null,
  options: { readonly submitted?: boolean; readonly absent?: 'missing' | 'skipped' } = {}
): Mismatch[] {
  if (expected === null) {
    return [{ kind: 'file-unlisted', message: 'On disk but not in the manifest.' }];
  }
  if (actual === null) {
    return options.absent === 'skipped'
      ? [{ kind: 'skipped', message: 'Not validated: the run was cancelled first.' }]
      : [{ kind: 'file-missing', message: 'In the manifest but not on disk.' }];
  }
  const out: Mismatch[] = [];
  if (actual.status === 'error') {
    out.push({ kind: 'tool-error', actual: 'error', message: 'The validator could not finish this document.' });
  }
  const actualValid = actual.status === 'valid';
  if (expected.valid !== actualValid) {
    out.push({
      kind: 'verdict',
      expected: label(expected.valid),
      actual: actual.status,
      message: `Expected ${label(expected.valid)}, found ${actual.status}.`,
    });
  }
  if (expected.profile !== actual.profile) {
    out.push({
      kind: 'profile',
      expected: expected.profile ?? 'none',
      actual: actual.profile ?? 'none',
      message: `Expected profile ${expected.profile ?? 'none'}, detected ${actual.profile ?? 'none'}.`,
    });
  }
  const fired = new Set(actual.ruleIds);
  const wanted = new Set(expected.ruleIds);
  for (const ruleId of expected.ruleIds) {
    if (!fired.has(ruleId)) {
      out.push({ kind: 'rule-missing', ruleId, message: `Expected rule ${ruleId} did not fire.` });
    }
  }
  for (const ruleId of actual.ruleIds) {
    if (!wanted.has(ruleId)) {
      out.push({ kind: 'rule-unexpected', ruleId, message: `Rule ${ruleId} fired; the manifest does not expect it.` });
    }
  }
  if (expected.metadata && actualValid) {
    const m = actual.metadata;
    if (!m) {
      out.push({ kind: 'metadata', message: 'The manifest expects metadata; none was derived.' });
    } else if ('failed' in m) {
      out.push({
        kind: 'metadata',
        actual: m.failed.join(' '),
        message: `No metadata could be derived: ${m.failed.join(', ') || 'no finding given'}.`,
      });
    } else {
      for (const d of compareMetadata(expected.metadata, m.values)) {
        out.push({
          kind: 'metadata',
          field: d.field,
          expected: d.expected,
          actual: d.actual,
          message: `Metadata ${d.field}: expected ${d.expected}, derived ${d.actual}.`,
        });
      }
    }
  }
  if (options.submitted && expected.valid && actualValid && actual.submission?.outcome !== 'success') {
    const got = actual.submission ? `${actual.submission.outcome} (${actual.submission.class})` : 'not sent';
    out.push({
      kind: 'submission',
      expected: 'success',
      actual: actual.submission?.outcome ?? 'not sent',
      message: `Valid but not stored by the target: ${got}.`,
    });
  }
  return out;
}

/**
 * Every document of one corpus: each manifest entry with its observation (or the reason it has
 * none), and each observed file the manifest does not list. Sorted by file.
 */
export function compareWithManifest(
  corpus: string,
  manifest: CorpusManifest,
  observed: ReadonlyMap<string, ObservedDocument>,
  options: CompareOptions = {}
): RegressionDocument[] {
  const out: RegressionDocument[] = [];
  const listed = new Set<string>();
  for (const entry of manifest.documents) {
    listed.add(entry.file);
    const expected = expectedOf(entry);
    const actual = observed.get(entry.file) ?? null;
    const mismatches = compareDocument(expected, actual, {
      ...(options.submitted !== undefined ? { submitted: options.submitted } : {}),
      ...(actual === null ? { absent: options.absentBecause?.(entry.file) ?? 'missing' } : {}),
    });
    out.push({
      corpus,
      file: entry.file,
      ...(entry.description !== undefined ? { description: entry.description } : {}),
      expected,
      actual,
      match: mismatches.length === 0,
      mismatches,
    });
  }
  for (const [file, actual] of observed) {
    if (!listed.has(file)) {
      out.push({ corpus, file, expected: null, actual, match: false, mismatches: compareDocument(null, actual) });
    }
  }
  return sortDocuments(out);
}
