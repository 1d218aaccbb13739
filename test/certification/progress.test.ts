// The workflow's rules as a pure function: evidence per case, the step, when MedCom may decide.
import { describe, expect, it } from '@jest/globals';
import { checkDecision, computeProgress } from '../../src/certification/progress.js';
import type { Decision, Evidence, Verification } from '../../src/certification/progress.js';
import { loadProtocols } from '../../src/certification/protocol.js';

const protocol = loadProtocols().get('dk-qrd')!;
/** The same protocol as a file without `certifyRequires` reads it: the formal test alone. */
const formalOnly = { ...protocol, certifyRequires: ['formal-test'] as const };
const ids = protocol.testCases.map((c) => c.id);

function verification(outcome: Verification['outcome'], at: string, target = 'kih-test'): Verification {
  return {
    target,
    uniqueId: '1.2.208.184^x',
    outcome,
    class: outcome === 'failure' ? 'transient' : null,
    message: outcome,
    mismatches:
      outcome === 'metadataMismatch'
        ? [{ field: 'typeCode', registered: { code: 'X' }, expected: { code: '74465-6' } }]
        : [],
    content:
      outcome === 'notFound' || outcome === 'failure'
        ? null
        : { hash: 'b'.repeat(40), size: 10, registeredHash: 'b'.repeat(40), registeredSize: 10 },
    at,
  };
}

/** A formal-test document stored by kih-test and found registered and intact. */
function verified(caseId: string, at: string): Evidence {
  return { ...evidence(caseId, at, true), verification: verification('verified', at) };
}

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
    verification: null,
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
    expect(all).toMatchObject({ step: 'formal-test', selfTestPassed: 6, formalTestPassed: 0, endToEndPassed: 0 });
  });

  it('picks the latest evidence; complete end-to-end evidence awaits a decision until certified, rejected or in production', () => {
    const ev = [...ids.map((id) => verified(id, T1)), verified(ids[2]!, T2)];
    const p = computeProgress(protocol, 'v', ev, [], 'kih-test');
    expect(p).toMatchObject({ step: 'end-to-end', formalTestPassed: 6, endToEndPassed: 6, awaitingDecision: true });
    expect(p.cases[2]?.formalTest?.validatedAt).toBe(T2);
    expect(p.cases[2]?.endToEnd?.validatedAt).toBe(T2);
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
        [...ev, verified(ids[0]!, '2026-12-01T13:00:00.000Z')],
        [decision('reject', T3)],
        'kih-test'
      ).awaitingDecision
    ).toBe(true);
    // A new formal-test document after the reject moves the vendor on, but MedCom waits for its end-to-end check.
    expect(
      computeProgress(
        protocol,
        'v',
        [...ev, evidence(ids[0]!, '2026-12-01T13:00:00.000Z', true)],
        [decision('reject', T3)],
        'kih-test'
      )
    ).toMatchObject({ step: 'end-to-end', awaitingDecision: false });
    // A decision on another protocol version does not stand for this one.
    expect(computeProgress(protocol, 'v', ev, [decision('certify', T3, '0.9')], 'kih-test').step).toBe('end-to-end');
  });

  it('the end-to-end step: formal-test documents count once found registered and intact on the formal target', () => {
    const formal = ids.map((id) => evidence(id, T1, true));
    const p = computeProgress(protocol, 'v', formal, [], 'kih-test');
    expect(p).toMatchObject({
      step: 'end-to-end',
      endToEndRequired: true,
      formalTestPassed: 6,
      endToEndPassed: 0,
      awaitingDecision: false,
    });
    expect(p.cases.map((c) => c.endToEndGap)).toEqual(ids.map(() => 'notChecked'));
    // A protocol without the rule: the formal test alone is MedCom's turn, as before the step existed.
    expect(computeProgress(formalOnly, 'v', formal, [], 'kih-test')).toMatchObject({
      step: 'formal-test',
      endToEndRequired: false,
      awaitingDecision: true,
    });

    const mixed = computeProgress(
      protocol,
      'v',
      [
        verified(ids[0]!, T1),
        { ...evidence(ids[1]!, T1, true), verification: verification('metadataMismatch', T2) },
        { ...evidence(ids[2]!, T1, true), verification: verification('contentMismatch', T2) },
        { ...evidence(ids[3]!, T1, true), verification: verification('failure', T2) },
        { ...evidence(ids[4]!, T1, true), verification: verification('notFound', T2) },
        evidence(ids[5]!, T1, false),
        // Verified by another target than the formal one: not evidence.
        { ...evidence(ids[5]!, T2, false), verification: verification('verified', T2, 'sim') },
      ],
      [],
      'kih-test'
    );
    expect(mixed.cases.map((c) => [c.endToEnd?.caseId ?? null, c.endToEndGap])).toEqual([
      [ids[0], null],
      [null, 'metadataMismatch'],
      [null, 'contentMismatch'],
      [null, 'checkFailed'],
      [null, 'notRegistered'],
      [null, 'notSubmitted'],
    ]);
    expect(mixed).toMatchObject({ step: 'formal-test', formalTestPassed: 5, endToEndPassed: 1 });

    // The latest verified document counts even when a newer one is still being checked.
    const older = computeProgress(protocol, 'v', [verified(ids[0]!, T1), evidence(ids[0]!, T2, true)], [], 'kih-test');
    expect(older.cases[0]).toMatchObject({ endToEnd: { validatedAt: T1 }, formalTest: { validatedAt: T2 } });
  });
});

describe('checkDecision', () => {
  const complete = computeProgress(
    protocol,
    'v',
    ids.map((id) => verified(id, T1)),
    [],
    'kih-test'
  );
  const partial = computeProgress(
    protocol,
    'v',
    ids.slice(0, 5).map((id) => verified(id, T1)),
    [],
    'kih-test'
  );
  const certified = computeProgress(
    protocol,
    'v',
    ids.map((id) => verified(id, T1)),
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

  it('certify needs every formal-test document found registered and intact, and says what each case lacks', () => {
    const unverified = computeProgress(
      protocol,
      'v',
      [
        evidence(ids[0]!, T1, true),
        { ...evidence(ids[1]!, T1, true), verification: verification('metadataMismatch', T2) },
        { ...evidence(ids[2]!, T1, true), verification: verification('contentMismatch', T2) },
        { ...evidence(ids[3]!, T1, true), verification: verification('failure', T2) },
        { ...evidence(ids[4]!, T1, true), verification: verification('notFound', T2) },
        verified(ids[5]!, T1),
      ],
      [],
      'kih-test'
    );
    expect(() => {
      checkDecision(unverified, 'certify', 'ok');
    }).toThrow(
      expect.objectContaining({
        code: 'CERT_ERR_INCOMPLETE',
        message:
          'Not every test case has a document that passed the formal test and was found registered and intact (end-to-end): ' +
          'QRD-01 (not yet checked in the registry); QRD-02 (metadata differs: typeCode); QRD-03 (content differs); ' +
          'QRD-04 (check failed); QRD-05 (not registered).',
      })
    );
    expect(() => {
      checkDecision(partial, 'certify', 'ok');
    }).toThrow(expect.objectContaining({ message: expect.stringContaining('QRD-06 (not submitted)') }));
    // Without the rule in the protocol the formal test is enough.
    expect(() => {
      checkDecision(
        computeProgress(
          formalOnly,
          'v',
          ids.map((id) => evidence(id, T1, true)),
          [],
          'kih-test'
        ),
        'certify',
        'ok'
      );
    }).not.toThrow();
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
