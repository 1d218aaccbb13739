// `kih verify` over many arguments: each a file (metadata derived as the submit path does) or a bare uniqueId, checked at one target's registry and repository.
import { readFile, stat } from 'node:fs/promises';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import type { Target } from '../config/targets.js';
import type { ProfileId } from '../core/report.js';
import { expectedEntry } from './expected-entry.js';
import type { StartLocalPeer } from './submit-files.js';
import { openTargetSession, requireRegistry } from './target-session.js';
import type { LocalPeer, TargetSession } from './target-session.js';
import { verifyDocument } from './verify-document.js';
import type { VerifyOutcome, VerifyResult } from './verify-document.js';

export interface VerifyItemsOptions {
  readonly target: Target;
  readonly settings: ResolvedSettings;
  readonly profile?: ProfileId;
  readonly idCardFile?: string;
  readonly startLocalPeer?: StartLocalPeer;
  /** How long to keep asking for a document the registry does not know yet (ms). */
  readonly waitMs?: number;
}

export interface VerifySummary {
  readonly documents: number;
  readonly verified: number;
  readonly notFound: number;
  readonly metadataMismatch: number;
  readonly contentMismatch: number;
  readonly failure: number;
  /** A file whose metadata cannot be derived (invalid document): nothing to compare with. */
  readonly invalid: number;
}

/** One argument's result; `invalid` when a file's metadata could not be derived. */
export type VerifyItemResult = VerifyResult | InvalidItem;

export interface InvalidItem {
  readonly file: string;
  readonly uniqueId: null;
  readonly target: string;
  readonly outcome: 'invalid';
  readonly message: string;
  readonly errors: readonly { readonly errorCode: string; readonly codeContext: string; readonly severity: string }[];
}

export interface VerifyRunReport {
  readonly target: string;
  readonly registryEndpoint: string;
  readonly retrieveEndpoint: string;
  readonly documents: readonly VerifyItemResult[];
  readonly summary: VerifySummary;
}

async function isFile(arg: string): Promise<boolean> {
  try {
    return (await stat(arg)).isFile();
  } catch {
    // Not a path: the argument is a uniqueId.
    return false;
  }
}

export function summarizeVerifications(items: readonly VerifyItemResult[]): VerifySummary {
  const counts: Record<VerifyOutcome | 'invalid', number> = {
    verified: 0,
    notFound: 0,
    metadataMismatch: 0,
    contentMismatch: 0,
    failure: 0,
    invalid: 0,
  };
  for (const item of items) {
    counts[item.outcome]++;
  }
  return { documents: items.length, ...counts };
}

/** A document already in hand (a stored run's, read from the records): checked like a file. */
export interface DocumentInHand {
  readonly file: string;
  readonly bytes: Uint8Array;
}

/** A file path or uniqueId as typed, or a document in hand. */
export type VerifyArgument = string | DocumentInHand;

/** Verifies each argument in order. Throws (KihError) only for what stops the run: no registry, no simulator. */
export async function verifyItems(
  args: readonly VerifyArgument[],
  options: VerifyItemsOptions
): Promise<VerifyRunReport> {
  const { target } = options;
  if (!target.embedded) {
    // Before credentials are read or a simulator started: without both endpoints nothing can be asked.
    requireRegistry(target);
  }
  let peer: (LocalPeer & { close(): Promise<void> }) | undefined;
  if (target.embedded && options.startLocalPeer) {
    peer = await options.startLocalPeer(undefined);
  }
  try {
    const session = await openTargetSession(target, options.settings, {
      ...(options.idCardFile !== undefined ? { idCardFile: options.idCardFile } : {}),
      ...(peer ? { localPeer: peer } : {}),
    });
    try {
      const endpoints = requireRegistry(session.send);
      const documents: VerifyItemResult[] = [];
      for (const arg of args) {
        documents.push(await verifyOne(arg, session, options));
      }
      return {
        target: target.name,
        registryEndpoint: endpoints.registry,
        retrieveEndpoint: endpoints.retrieve,
        documents,
        summary: summarizeVerifications(documents),
      };
    } finally {
      await session.close();
    }
  } finally {
    await peer?.close();
  }
}

async function verifyOne(
  arg: VerifyArgument,
  session: TargetSession,
  options: VerifyItemsOptions
): Promise<VerifyItemResult> {
  const registryOptions = {
    transport: session.transport,
    policy: session.policy,
    ...(session.idCards ? { idCards: session.idCards } : {}),
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
  };
  if (typeof arg === 'string' && !(await isFile(arg))) {
    return verifyDocument({ uniqueId: arg }, session.send, registryOptions);
  }
  const file = typeof arg === 'string' ? arg : arg.file;
  const bytes = typeof arg === 'string' ? await readFile(arg) : arg.bytes;
  // Derived exactly as the submit path derives it, so the comparison is with what was sent.
  const derived = expectedEntry(bytes, file, {
    target: options.target,
    settings: options.settings,
    ...(options.profile ? { profile: options.profile } : {}),
  });
  if (derived.entry === undefined) {
    return {
      file,
      uniqueId: null,
      target: options.target.name,
      outcome: 'invalid',
      message: 'The XDS metadata cannot be derived from the file; nothing to compare with.',
      errors: derived.errors,
    };
  }
  const expected = derived.entry;
  return verifyDocument({ uniqueId: expected.uniqueId, file, expected, bytes }, session.send, registryOptions);
}

/** Text lines like `kih submit`'s: one head line per document, the message when it is not verified. */
export function renderVerifyText(report: VerifyRunReport): string {
  const lines: string[] = [];
  for (const d of report.documents) {
    const name = d.file ?? d.uniqueId ?? '';
    const klass = d.outcome === 'failure' && 'class' in d && d.class ? ` (${d.class})` : '';
    lines.push(`${name}: ${d.outcome}${klass}${d.file !== undefined && d.uniqueId ? ` ${d.uniqueId}` : ''}`);
    if (d.outcome !== 'verified') {
      lines.push(`  ${d.message}`);
    }
    for (const e of d.errors.slice(0, 5)) {
      lines.push(`  ${e.errorCode}: ${e.codeContext}`);
    }
  }
  const s = report.summary;
  const parts = [
    `${s.verified} verified`,
    ...(s.notFound ? [`${s.notFound} not found`] : []),
    ...(s.metadataMismatch ? [`${s.metadataMismatch} metadata mismatch`] : []),
    ...(s.contentMismatch ? [`${s.contentMismatch} content mismatch`] : []),
    ...(s.failure ? [`${s.failure} failed`] : []),
    ...(s.invalid ? [`${s.invalid} invalid`] : []),
  ];
  lines.push(
    `${s.documents} ${s.documents === 1 ? 'document' : 'documents'} at ${report.target}: ${parts.join(', ')}.`
  );
  return lines.join('\n');
}
