// One document through validate → metadata → request → send: the record `kih submit` prints and the workers store.
import { createHash } from 'node:crypto';
import { isKihError } from '../core/kih-error.js';
import type { CdaHeader } from '../cda/cda-header.js';
import type { DocumentValidator } from '../validation/validate-document.js';
import type { DocumentReport, DocumentStatus, ProfileId, ValidationIssue } from '../core/report.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import { pairDocument } from '../validation/pair-run.js';
import type { LoadedForm } from '../validation/pair-run.js';
import { prepareFromHeader, prepareSubmission } from '../xds/prepare-submission.js';
import type { PrepareOptions } from '../xds/prepare-submission.js';
import type { RegistryErrorInfo } from '../xds/response/outcome.js';
import { sendSubmission } from './send-submission.js';
import type { AttemptRecord, SendOptions, SendTarget, SubmissionClass, SubmissionStatus } from './send-submission.js';
import type { Target } from '../config/targets.js';
import { verifyDocument } from './verify-document.js';
import type { VerifyResult } from './verify-document.js';

/** `notSent`: the document or its metadata has errors, so nothing went to the repository. */
export type DocumentOutcome = SubmissionStatus | 'notSent';
/** `invalid`: fix the document (validation or metadata findings). */
export type DocumentClass = SubmissionClass | 'invalid';

export interface DocumentSubmission {
  readonly file: string;
  readonly outcome: DocumentOutcome;
  readonly class: DocumentClass;
  /** Repository errors, or for `notSent` the error findings as errors (ruleId as errorCode). */
  readonly errors: readonly RegistryErrorInfo[];
  readonly warnings: readonly RegistryErrorInfo[];
  readonly uniqueId: string | null;
  readonly target: string;
  readonly durationMs: number;
  readonly message: string;
  readonly profile: ProfileId | null;
  /** SHA-256 of the bytes (hex); empty when the file could not be read. */
  readonly sha256: string;
  readonly size: number;
  /** The CDA validation verdict; `skipped` when the caller turned validation off. */
  readonly validation: {
    readonly status: DocumentStatus | 'skipped';
    readonly errors: number;
    readonly warnings: number;
  };
  readonly confirmedByQuery?: boolean;
  readonly attempts: readonly AttemptRecord[];
  /** With `--verify`: the registry and repository check made right after a successful submission. */
  readonly verification?: VerifyResult;
}

export interface SubmitDocumentOptions extends Omit<SendOptions, 'transport'> {
  readonly target: Target;
  /** Overrides the target's endpoint (the embedded simulator's real port). */
  readonly send: SendTarget;
  readonly transport: SendOptions['transport'];
  readonly settings: ResolvedSettings;
  /**
   * The project's validator; absent: the document is sent unvalidated (to see what the repository
   * says). One with `validateBytesWithHeader` hands back the header facts of the tree it
   * validated, and the metadata is derived from them instead of parsing the document again.
   */
  readonly validator?: Pick<DocumentValidator, 'validateBytes'> &
    Partial<Pick<DocumentValidator, 'validateBytesWithHeader'>>;
  readonly profile?: ProfileId;
  /** The run's QFDDs: a QRD is sent only if it also passes the pair check against the form it answers. */
  readonly pairForms?: readonly LoadedForm[];
  /** Check each stored document at the registry and repository at once (`--verify`); waitMs for a lagging registration. */
  readonly verify?: { readonly waitMs: number };
}

/** A finding as the error entry of a submission that was not sent (the same shape the repository's errors have). */
export function issueAsError(issue: ValidationIssue): RegistryErrorInfo {
  const where = issue.xpath ?? (issue.line !== undefined ? `line ${issue.line}` : undefined);
  return {
    errorCode: issue.ruleId,
    codeContext: issue.message,
    ...(where !== undefined ? { location: where } : {}),
    severity: issue.severity === 'error' ? 'error' : 'warning',
  };
}

function count(issues: readonly ValidationIssue[], severity: ValidationIssue['severity']): number {
  return issues.filter((i) => i.severity === severity).length;
}

/** Validates, derives the metadata, and sends; an invalid document is a result (`notSent`), never an exception. */
export async function submitDocument(
  bytes: Uint8Array,
  file: string,
  options: SubmitDocumentOptions
): Promise<DocumentSubmission> {
  const started = performance.now();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const base = { file, sha256, size: bytes.byteLength, target: options.target.name };
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;

  let validation: DocumentSubmission['validation'] = { status: 'skipped', errors: 0, warnings: 0 };
  let profile: ProfileId | null = options.profile ?? null;
  let header: CdaHeader | undefined;
  if (options.validator) {
    let report: DocumentReport;
    if (options.validator.validateBytesWithHeader) {
      const validated = await options.validator.validateBytesWithHeader(bytes, file);
      report = validated.report;
      header = validated.header;
    } else {
      report = await options.validator.validateBytes(bytes, file);
    }
    validation = {
      status: report.status,
      errors: count(report.issues, 'error'),
      warnings: count(report.issues, 'warning'),
    };
    if (options.pairForms) {
      // A QRD is checked against the form it answers, as kih validate does when both are in the run.
      report = pairDocument(report, bytes, options.pairForms);
      validation = {
        status: report.status,
        errors: count(report.issues, 'error'),
        warnings: count(report.issues, 'warning'),
      };
    }
    profile = report.profile ?? profile;
    if (report.status !== 'valid') {
      const errors = report.issues.filter((i) => i.severity === 'error').map(issueAsError);
      return {
        ...base,
        outcome: 'notSent',
        class: 'invalid',
        errors,
        warnings: [],
        uniqueId: null,
        durationMs: elapsed(),
        message: `The document is ${report.status === 'error' ? 'not checkable' : 'invalid'} (${validation.errors} ${validation.errors === 1 ? 'error' : 'errors'}); not sent.`,
        profile,
        validation,
        attempts: [],
      };
    }
  }

  const prepareOptions: PrepareOptions = {
    settings: options.settings,
    live: options.target.live,
    uniqueIdExtensionLimit: options.target.uniqueIdExtensionLimit,
    ...(profile ? { profile } : {}),
  };
  // The validated tree's header when there is one (the document is valid, so its bytes passed the
  // input checks and parsed); otherwise the bytes are parsed here.
  const prepared =
    header && profile
      ? prepareFromHeader(header, profile, bytes, prepareOptions)
      : prepareSubmission(bytes, file, prepareOptions);
  const metadataWarnings = prepared.issues.filter((i) => i.severity !== 'error').map(issueAsError);
  if (!prepared.metadata) {
    return {
      ...base,
      outcome: 'notSent',
      class: 'invalid',
      errors: prepared.issues.filter((i) => i.severity === 'error').map(issueAsError),
      warnings: metadataWarnings,
      uniqueId: null,
      durationMs: elapsed(),
      message: 'The XDS metadata has errors; not sent.',
      profile: prepared.profile,
      validation,
      attempts: [],
    };
  }
  const result = await sendSubmission(prepared.metadata, bytes, options.send, options, prepared.request);
  const entry = prepared.metadata.documentEntries[0];
  // Checked against exactly the metadata sent, so a field the registry changed shows up.
  const verification =
    options.verify && result.outcome === 'success' && entry
      ? await verifyDocument({ uniqueId: entry.uniqueId, file, expected: entry, bytes }, options.send, {
          transport: options.transport,
          ...(options.policy ? { policy: options.policy } : {}),
          ...(options.idCards ? { idCards: options.idCards } : {}),
          waitMs: options.verify.waitMs,
        })
      : undefined;
  return {
    ...base,
    outcome: result.outcome,
    class: result.class,
    errors: result.errors,
    warnings: [...metadataWarnings, ...result.warnings],
    uniqueId: result.uniqueId,
    durationMs: elapsed(),
    message: result.message,
    profile: prepared.profile,
    validation,
    ...(result.confirmedByQuery ? { confirmedByQuery: true } : {}),
    attempts: result.attempts,
    ...(verification ? { verification } : {}),
  };
}

/** A file that could not be read (gone, over the size limit): a result for that document, so the rest of a run goes on. */
export function unreadableDocument(file: string, target: string, err: unknown): DocumentSubmission {
  const errorCode = isKihError(err) ? err.code : 'CDA_ERR_READ';
  const message = err instanceof Error ? err.message : String(err);
  return {
    file,
    outcome: 'notSent',
    class: 'invalid',
    errors: [{ errorCode, codeContext: message, severity: 'error' }],
    warnings: [],
    uniqueId: null,
    target,
    durationMs: 0,
    message: `${message} Not sent.`,
    profile: null,
    sha256: '',
    size: 0,
    validation: { status: 'skipped', errors: 0, warnings: 0 },
    attempts: [],
  };
}
