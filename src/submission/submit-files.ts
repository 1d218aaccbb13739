// Submits many documents to one target: validator, the target session (with the caller's in-process peer for `local`), bounded concurrency.
import { readDocument } from '../cda/read-document.js';
import { loadRunForms } from '../validation/pair-run.js';
import { openValidator, threadsFor } from '../validation/validator.js';
import type { Validator } from '../validation/validator.js';
import type { ProfileId } from '../core/report.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import { summarizeSubmissions } from './submission-report.js';
import type { SubmissionRunReport } from './submission-report.js';
import { submitDocument, unreadableDocument } from './submit-document.js';
import type { DocumentSubmission } from './submit-document.js';
import { openTargetSession, requireRegistry } from './target-session.js';
import type { LocalPeer } from './target-session.js';
import type { Target } from '../config/targets.js';

/** Starts the in-process repository of an `embedded` target; it checks CDA with the validator it is given, as KIH does. */
export type StartLocalPeer = (validator: Validator | undefined) => Promise<LocalPeer & { close(): Promise<void> }>;

export interface SubmitFilesOptions {
  readonly target: Target;
  readonly settings: ResolvedSettings;
  readonly profile?: ProfileId;
  /** Default true: validate before sending; false sends as it is, to see what the repository says. */
  readonly validate?: boolean;
  /** An STS-signed ID card to use instead of the STS. */
  readonly idCardFile?: string;
  /** Starts the repository of an `embedded` target (`local`); the CLI passes the project's simulator. */
  readonly startLocalPeer?: StartLocalPeer;
  /** Validation threads; default 1 below 8 documents, else one per core. */
  readonly jobs?: number;
  /** Documents in flight at once; default 4. */
  readonly concurrency?: number;
  /** Called as each document finishes (in completion order). */
  readonly onDocument?: (doc: DocumentSubmission, index: number) => void;
  /** `--verify`: check each stored document at the target's registry and repository right away. */
  readonly verify?: { readonly waitMs: number };
}

export const DEFAULT_SUBMIT_CONCURRENCY = 4;

/** What a run holds open, closed in reverse order whatever happened. */
class Resources {
  private readonly closers: (() => Promise<unknown>)[] = [];
  add(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }
  async closeAll(): Promise<void> {
    for (const close of this.closers.reverse()) {
      await close();
    }
  }
}

async function runLimited<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, lane));
  return results;
}

/**
 * Submits `files` in order of completion, reported in input order. An invalid or unreadable
 * document is a result; throws (KihError) only for what stops the whole run: a schema or rule set
 * that does not load, credentials that cannot be read, a simulator that cannot start.
 */
export async function submitFiles(files: readonly string[], options: SubmitFilesOptions): Promise<SubmissionRunReport> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const { target } = options;
  const resources = new Resources();
  if (options.verify && !target.embedded) {
    requireRegistry(target);
  }
  try {
    const validateHere = options.validate ?? true;
    let validator: Validator | undefined;
    if (validateHere || target.embedded) {
      const opened = await openValidator({
        ...(options.profile ? { profile: options.profile } : {}),
        threads: threadsFor(files.length, options.jobs),
      });
      resources.add(() => opened.close());
      validator = opened;
    }

    let localPeer: LocalPeer | undefined;
    if (target.embedded && options.startLocalPeer) {
      const peer = await options.startLocalPeer(validator);
      resources.add(() => peer.close());
      localPeer = peer;
    }
    const session = await openTargetSession(target, options.settings, {
      ...(options.idCardFile !== undefined ? { idCardFile: options.idCardFile } : {}),
      ...(localPeer ? { localPeer } : {}),
    });
    resources.add(() => session.close());
    const { send, transport, policy, idCards } = session;
    if (options.verify) {
      // Refused before anything is sent: a run that cannot verify should not half-happen.
      requireRegistry(session.send);
    }

    // The run's forms, so each QRD is checked against the QFDD it answers before it is sent.
    const checker = validateHere ? validator : undefined;
    const pairForms = checker
      ? await loadRunForms(files, async (file, bytes) => (await checker.validateBytes(bytes, file)).status === 'valid')
      : [];

    const documents = await runLimited(
      files.length,
      options.concurrency ?? DEFAULT_SUBMIT_CONCURRENCY,
      async (index) => {
        const file = files[index] ?? '';
        let bytes: Buffer;
        try {
          bytes = await readDocument(file);
        } catch (err) {
          const unread = unreadableDocument(file, target.name, err);
          options.onDocument?.(unread, index);
          return unread;
        }
        const result = await submitDocument(bytes, file, {
          target,
          send,
          transport,
          policy,
          settings: options.settings,
          ...(idCards ? { idCards } : {}),
          ...(checker ? { validator: checker, pairForms } : {}),
          ...(options.profile ? { profile: options.profile } : {}),
          ...(options.verify ? { verify: options.verify } : {}),
        });
        options.onDocument?.(result, index);
        return result;
      }
    );
    return {
      target: target.name,
      endpoint: send.endpoint,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      documents,
      summary: summarizeSubmissions(documents),
    };
  } finally {
    await resources.closeAll();
  }
}
