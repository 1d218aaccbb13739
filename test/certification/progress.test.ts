// The workflow's rules as a pure function: evidence per case, the step, when MedCom may decide.
import { describe, expect, it } from '@jest/globals';
import { checkDecision, computeProgress } from '../../src/certification/progress.js';
import type { Decision, Evidence } from '../../src/certification/progress.js';
import { loadProtocols } from '../../src/certification/protocol.js';

const protocol = loadProtocols().get('dk-qrd')!;
const ids = protocol.testCases.map((c) => c.id);

function evidence(caseId: string, at: string, formal: boolean, outcome = 'success'): Evidence {
  return {
    caseId,
    runId: `run-${caseId}-${at}`,
    seq: 0,
    uploadId: null,
    file: `${caseId}.xml`,
    sha256: 'a'.repeat(64),
    profile: 'dk-qrd-1.3',
    validatedAt: at,
    submission: formal ? { target: 'kih-test', outcome, at } : null,
  };
}

function decision(kind: Decision['decision'], at: string, version = '1.0'): Decision {
  return { id: at, decision: kind, comment: 'c', decidedBy: 'alice', decidedAt: at, protocolVersion: version };
}

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T11:00:00.000Z';
const T3 = '2026-12-01T12:00:00.000Z';

describe('computeProgress', () => {
  it('self-test until every case has a valid document; formal test counts only documents stored by the formal target', () => {
    const some = computeProgress(
      protocol,
      'v',
      ids.slice(1).map((id) => evidence(id, T1, false)),
      [],
      'kih-test'
    );
    expect(some).toMatchObject({ step: 'self-test', selfTestPassed: 5, formalTestPassed: 0, awaitingDecision: false });
    const all = computeProgress(
      protocol,
      'v',
      [
        ...ids.map((id) => evidence(id, T1, false)),
        evidence(ids[0]!, T2, true, 'failure'),
        { ...evidence(ids[1]!, T2, true), submission: { target: 'sim', outcome: 'success', at: T2 } },
      ],
      [],
      'kih-test'
    );
    expect(all).toMatchObject({ step: 'formal-test', selfTestPassed: 6, formalTestPassed: 0 });
  });

  it('picks the latest evidence; complete formal evidence awaits a decision until certified, rejected or in production', () => {
    const ev = [...ids.map((id) => evidence(id, T1, true)), evidence(ids[2]!, T2, true)];
    const p = computeProgress(protocol, 'v', ev, [], 'kih-test');
    expect(p.awaitingDecision).toBe(true);
    expect(p.cases[2]?.formalTest?.validatedAt).toBe(T2);
    expect(computeProgress(protocol, 'v', ev, [decision('certify', T3)], 'kih-test')).toMatchObject({
      step: 'certified',
      awaitingDecision: false,
    });
    expect(
      computeProgress(protocol, 'v', ev, [decision('certify', T2), decision('production', T3)], 'kih-test').step
    ).toBe('production');
    // A reject after the evidence: back to the formal test, not awaiting until new documents come.
    expect(
      computeProgress(protocol, 'v', ev, [decision('certify', T1), decision('reject', T3)], 'kih-test')
    ).toMatchObject({ step: 'formal-test', awaitingDecision: false });
    expect(
      computeProgress(
        protocol,
        'v',
        [...ev, evidence(ids[0]!, '2026-12-01T13:00:00.000Z', true)],
        [decision('reject', T3)],
        'kih-test'
      ).awaitingDecision
    ).toBe(true);
    // A decision on another protocol version does not stand for this one.
    expect(computeProgress(protocol, 'v', ev, [decision('certify', T3, '0.9')], 'kih-test').step).toBe('formal-test');
  });
});

describe('checkDecision', () => {
  const complete = computeProgress(
    protocol,
    'v',
    ids.map((id) => evidence(id, T1, true)),
    [],
    'kih-test'
  );
  const partial = computeProgress(
    protocol,
    'v',
    ids.slice(0, 5).map((id) => evidence(id, T1, true)),
    [],
    'kih-test'
  );
  const certified = computeProgress(
    protocol,
    'v',
    ids.map((id) => evidence(id, T1, true)),
    [decision('certify', T2)],
    'kih-test'
  );

  it('certify needs every case in the formal test, and names the missing ones', () => {
    expect(() => {
      checkDecision(complete, 'certify', 'ok');
    }).not.toThrow();
    expect(() => {
      checkDecision(partial, 'certify', 'ok');
    }).toThrow(expect.objectContaining({ code: 'CERT_ERR_INCOMPLETE', message: expect.stringContaining('QRD-06') }));
    expect(() => {
      checkDecision(certified, 'certify', 'again');
    }).toThrow(expect.objectContaining({ code: 'CERT_ERR_STEP' }));
  });

  it('production needs a standing certification; reject is always possible; every decision needs a comment', () => {
    expect(() => {
      checkDecision(complete, 'production', 'go');
    }).toThrow(expect.objectContaining({ code: 'CERT_ERR_STEP' }));
    expect(() => {
      checkDecision(certified, 'production', 'go');
    }).not.toThrow();
    expect(() => {
      checkDecision(partial, 'reject', 'no');
    }).not.toThrow();
    expect(() => {
      checkDecision(certified, 'reject', '  ');
    }).toThrow(expect.objectContaining({ code: 'API_ERR_BAD_REQUEST' }));
  });
});
