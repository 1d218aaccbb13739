// Where a vendor stands in a protocol: evidence per test case and the step, derived from records and decisions (pure).
import { KihError } from '../core/kih-error.js';
import type { ContentReport, VerifyOutcome } from '../submission/verify-document.js';
import type { Protocol, TestCase } from './protocol.js';

/** MedCom's steps, in order. */
export const STEPS = ['self-test', 'formal-test', 'end-to-end', 'certified', 'production'] as const;
export type Step = (typeof STEPS)[number];

export const DECISION_KINDS = ['certify', 'reject', 'production'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export function isDecisionKind(value: unknown): value is DecisionKind {
  return typeof value === 'string' && (DECISION_KINDS as readonly string[]).includes(value);
}

/** The end-to-end check of a stored document: registered with our metadata (ITI-18), retrieved intact (ITI-43). */
export interface Verification {
  readonly target: string;
  readonly uniqueId: string;
  readonly outcome: VerifyOutcome;
  /** For `failure`: the class of the failed exchange. */
  readonly class: string | null;
  readonly message: string;
  /** Each field the registry registered otherwise than we derived it. */
  readonly mismatches: readonly { readonly field: string; readonly registered: unknown; readonly expected: unknown }[];
  /** Hash and size retrieved next to those registered; null when nothing was retrieved. */
  readonly content: ContentReport | null;
  readonly at: string;
}

/** Why a case has no end-to-end evidence, from its latest formal-test document. */
export const END_TO_END_GAPS = [
  'notSubmitted',
  'notChecked',
  'notRegistered',
  'metadataMismatch',
  'contentMismatch',
  'checkFailed',
] as const;
export type EndToEndGap = (typeof END_TO_END_GAPS)[number];

/** A validated document of the vendor that meets a test case's conditions. */
export interface Evidence {
  readonly caseId: string;
  readonly runId: string;
  readonly seq: number;
  /** The upload's id when the document came through the API or pages. */
  readonly uploadId: string | null;
  readonly file: string;
  readonly sha256: string;
  readonly profile: string | null;
  readonly validatedAt: string;
  readonly submission: { readonly target: string; readonly outcome: string; readonly at: string } | null;
  /** The end-to-end check of the stored document, once it has a final result. */
  readonly verification: Verification | null;
}

export interface Decision {
  readonly id: string;
  readonly decision: DecisionKind;
  readonly comment: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
  readonly protocolVersion: string;
}

export interface CaseProgress {
  readonly testCase: TestCase;
  /** Latest valid document meeting the case. */
  readonly selfTest: Evidence | null;
  /** Latest such document also stored by the formal-test repository. */
  readonly formalTest: Evidence | null;
  /** Latest formal-test document found registered with our metadata and retrieved intact. */
  readonly endToEnd: Evidence | null;
  /** Without end-to-end evidence: what the latest formal-test document lacks; null when there is evidence. */
  readonly endToEndGap: EndToEndGap | null;
}

export interface Progress {
  readonly vendorId: string;
  readonly protocol: Protocol;
  readonly formalTarget: string;
  readonly cases: readonly CaseProgress[];
  readonly total: number;
  readonly selfTestPassed: number;
  readonly formalTestPassed: number;
  readonly endToEndPassed: number;
  /** The protocol makes the end-to-end step a condition of certification. */
  readonly endToEndRequired: boolean;
  readonly step: Step;
  /**
   * Every case has formal-test evidence (and end-to-end evidence when required), no decision stands
   * and no reject came after the evidence: MedCom's turn.
   */
  readonly awaitingDecision: boolean;
  /** Newest first. */
  readonly decisions: readonly Decision[];
}

function isFormal(e: Evidence, formalTarget: string): boolean {
  return e.submission !== null && e.submission.target === formalTarget && e.submission.outcome === 'success';
}

function isVerified(e: Evidence, formalTarget: string): boolean {
  return isFormal(e, formalTarget) && e.verification?.target === formalTarget && e.verification.outcome === 'verified';
}

function gapOf(formal: Evidence | null, formalTarget: string): EndToEndGap {
  const v = formal?.verification;
  if (!formal) {
    return 'notSubmitted';
  }
  if (!v || v.target !== formalTarget) {
    return 'notChecked';
  }
  switch (v.outcome) {
    case 'notFound':
      return 'notRegistered';
    case 'metadataMismatch':
      return 'metadataMismatch';
    case 'contentMismatch':
      return 'contentMismatch';
    case 'failure':
      return 'checkFailed';
    case 'verified':
      // A verified latest document is end-to-end evidence; no gap is asked for then.
      return 'notChecked';
  }
}

function latest(list: readonly Evidence[]): Evidence | null {
  let best: Evidence | null = null;
  for (const e of list) {
    if (best === null || e.validatedAt > best.validatedAt) {
      best = e;
    }
  }
  return best;
}

/** The standing decision: the last certify or production, unless a reject came after it. */
function standing(decisions: readonly Decision[]): 'certified' | 'production' | null {
  let state: 'certified' | 'production' | null = null;
  for (const d of [...decisions].sort((a, b) => (a.decidedAt < b.decidedAt ? -1 : a.decidedAt > b.decidedAt ? 1 : 0))) {
    state = d.decision === 'certify' ? 'certified' : d.decision === 'production' ? 'production' : null;
  }
  return state;
}

/** A reject newer than every document `pick` gives: the vendor has to send (or have checked) new ones first. */
function rejectedSince(
  decisions: readonly Decision[],
  cases: readonly CaseProgress[],
  pick: (c: CaseProgress) => Evidence | null
): boolean {
  const newestEvidence = cases.reduce((max, c) => {
    const e = pick(c);
    return e && e.validatedAt > max ? e.validatedAt : max;
  }, '');
  return decisions.some((d) => d.decision === 'reject' && d.decidedAt > newestEvidence);
}

export function computeProgress(
  protocol: Protocol,
  vendorId: string,
  evidence: readonly Evidence[],
  decisions: readonly Decision[],
  formalTarget: string
): Progress {
  const cases = protocol.testCases.map((testCase) => {
    const mine = evidence.filter((e) => e.caseId === testCase.id);
    const formalTest = latest(mine.filter((e) => isFormal(e, formalTarget)));
    const endToEnd = latest(mine.filter((e) => isVerified(e, formalTarget)));
    return {
      testCase,
      selfTest: latest(mine),
      formalTest,
      endToEnd,
      endToEndGap: endToEnd ? null : gapOf(formalTest, formalTarget),
    };
  });
  const total = cases.length;
  const selfTestPassed = cases.filter((c) => c.selfTest !== null).length;
  const formalTestPassed = cases.filter((c) => c.formalTest !== null).length;
  const endToEndPassed = cases.filter((c) => c.endToEnd !== null).length;
  const endToEndRequired = protocol.certifyRequires.includes('end-to-end');
  const decided = standing(decisions.filter((d) => d.protocolVersion === protocol.version));
  // After a reject: new formal-test documents move the vendor on; MedCom is asked again once they count.
  const rejected = rejectedSince(decisions, cases, (c) => c.formalTest);
  const rejectedCounted = endToEndRequired ? rejectedSince(decisions, cases, (c) => c.endToEnd) : rejected;
  const complete = formalTestPassed === total && (!endToEndRequired || endToEndPassed === total);
  // The step is the one the vendor works on; a reject sends it back to the formal test for new documents.
  const step: Step =
    decided ??
    (selfTestPassed < total
      ? 'self-test'
      : formalTestPassed < total || rejected || !endToEndRequired
        ? 'formal-test'
        : 'end-to-end');
  return {
    vendorId,
    protocol,
    formalTarget,
    cases,
    total,
    selfTestPassed,
    formalTestPassed,
    endToEndPassed,
    endToEndRequired,
    step,
    awaitingDecision: decided === null && complete && !rejectedCounted,
    decisions: [...decisions].sort((a, b) => (a.decidedAt > b.decidedAt ? -1 : a.decidedAt < b.decidedAt ? 1 : 0)),
  };
}

const GAP_TEXT: Readonly<Record<EndToEndGap, string>> = {
  notSubmitted: 'not submitted',
  notChecked: 'not yet checked in the registry',
  notRegistered: 'not registered',
  metadataMismatch: 'metadata differs',
  contentMismatch: 'content differs',
  checkFailed: 'check failed',
};

/** What a case still lacks for certification, in words; null when it lacks nothing. */
export function caseShortfall(progress: Progress, c: CaseProgress): string | null {
  if (c.formalTest === null) {
    return GAP_TEXT.notSubmitted;
  }
  if (!progress.endToEndRequired || c.endToEnd !== null) {
    return null;
  }
  const gap = c.endToEndGap ?? 'notChecked';
  const fields = c.formalTest.verification?.mismatches.map((m) => m.field) ?? [];
  return gap === 'metadataMismatch' && fields.length > 0 ? `${GAP_TEXT[gap]}: ${fields.join(', ')}` : GAP_TEXT[gap];
}

/**
 * Throws unless MedCom may take this decision now: certify needs every case passed in the formal
 * test (and found intact in the registry when the protocol requires the end-to-end step); production needs a standing certification; reject is always possible (it withdraws one).
 */
export function checkDecision(progress: Progress, kind: DecisionKind, comment: string): void {
  if (comment.trim() === '') {
    throw new KihError('API_ERR_BAD_REQUEST', 'A decision needs a comment saying why.');
  }
  if (kind === 'certify') {
    if (progress.step === 'certified' || progress.step === 'production') {
      throw new KihError(
        'CERT_ERR_STEP',
        `${progress.vendorId} is already ${progress.step} for ${progress.protocol.id}.`
      );
    }
    const missing = progress.cases.flatMap((c) => {
      const lacks = caseShortfall(progress, c);
      return lacks === null ? [] : [`${c.testCase.id} (${lacks})`];
    });
    if (missing.length > 0) {
      const what = progress.endToEndRequired
        ? 'passed the formal test and was found registered and intact (end-to-end)'
        : 'passed the formal test';
      throw new KihError(
        'CERT_ERR_INCOMPLETE',
        `Not every test case has a document that ${what}: ${missing.join('; ')}.`
      );
    }
  }
  if (kind === 'production' && progress.step !== 'certified') {
    throw new KihError(
      'CERT_ERR_STEP',
      `Production needs a standing certification; ${progress.vendorId} is at ${progress.step}.`
    );
  }
}
