// Where a vendor stands in a protocol: evidence per test case and the step, derived from records and decisions (pure).
import { KihError } from '../core/kih-error.js';
import type { Protocol, TestCase } from './protocol.js';

/** MedCom's steps, in order. */
export const STEPS = ['self-test', 'formal-test', 'certified', 'production'] as const;
export type Step = (typeof STEPS)[number];

export const DECISION_KINDS = ['certify', 'reject', 'production'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export function isDecisionKind(value: unknown): value is DecisionKind {
  return typeof value === 'string' && (DECISION_KINDS as readonly string[]).includes(value);
}

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
}

export interface Progress {
  readonly vendorId: string;
  readonly protocol: Protocol;
  readonly formalTarget: string;
  readonly cases: readonly CaseProgress[];
  readonly total: number;
  readonly selfTestPassed: number;
  readonly formalTestPassed: number;
  readonly step: Step;
  /** Every case has formal-test evidence, no decision stands and no reject came after the evidence: MedCom's turn. */
  readonly awaitingDecision: boolean;
  /** Newest first. */
  readonly decisions: readonly Decision[];
}

function isFormal(e: Evidence, formalTarget: string): boolean {
  return e.submission !== null && e.submission.target === formalTarget && e.submission.outcome === 'success';
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

/** A reject newer than every formal-test document: the vendor has to send new ones first. */
function rejectedSince(decisions: readonly Decision[], cases: readonly CaseProgress[]): boolean {
  const newestEvidence = cases.reduce(
    (max, c) => (c.formalTest && c.formalTest.validatedAt > max ? c.formalTest.validatedAt : max),
    ''
  );
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
    return {
      testCase,
      selfTest: latest(mine),
      formalTest: latest(mine.filter((e) => isFormal(e, formalTarget))),
    };
  });
  const total = cases.length;
  const selfTestPassed = cases.filter((c) => c.selfTest !== null).length;
  const formalTestPassed = cases.filter((c) => c.formalTest !== null).length;
  const decided = standing(decisions.filter((d) => d.protocolVersion === protocol.version));
  const step: Step = decided ?? (selfTestPassed === total ? 'formal-test' : 'self-test');
  return {
    vendorId,
    protocol,
    formalTarget,
    cases,
    total,
    selfTestPassed,
    formalTestPassed,
    step,
    awaitingDecision: decided === null && formalTestPassed === total && !rejectedSince(decisions, cases),
    decisions: [...decisions].sort((a, b) => (a.decidedAt > b.decidedAt ? -1 : a.decidedAt < b.decidedAt ? 1 : 0)),
  };
}

/**
 * Throws unless MedCom may take this decision now: certify needs every case passed in the formal
 * test; production needs a standing certification; reject is always possible (it withdraws one).
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
    const missing = progress.cases.filter((c) => c.formalTest === null).map((c) => c.testCase.id);
    if (missing.length > 0) {
      throw new KihError(
        'CERT_ERR_INCOMPLETE',
        `Not every test case has a document that passed the formal test: ${missing.join(', ')}.`
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
