// The diff between two regression results, exactly: new failures, fixes, rule ids per document and overall, versions, timing.
import { describe, expect, it } from '@jest/globals';
import { diffResults } from '../../src/regression/diff-results.js';
import { doc, result } from './helpers.js';

describe('diffResults', () => {
  it('two equal results differ in nothing', () => {
    const r = result([doc('a.xml', [], []), doc('b.xml', ['X'], ['X'])]);
    const diff = diffResults(r, r);
    expect(diff.changed).toBe(false);
    expect(diff).toMatchObject({ newFailures: [], fixed: [], ruleIds: [], versions: [], timing: [] });
  });

  it('is exact on every kind of change', () => {
    const before = result(
      [
        doc('stays.xml', [], []),
        doc('breaks.xml', [], []),
        doc('heals.xml', ['A'], []),
        doc('still-bad.xml', ['A'], ['B']),
        doc('gone.xml', [], []),
        doc('slower.xml', [], [], { durationMs: 100 }),
      ],
      { 'r.sch': 'aaa', 'old.sch': 'ooo' }
    );
    const after = result(
      [
        doc('stays.xml', [], []),
        doc('breaks.xml', [], ['NEW']),
        doc('heals.xml', ['A'], ['A']),
        doc('still-bad.xml', ['A'], ['B']),
        doc('new.xml', null, []),
        doc('slower.xml', [], [], { durationMs: 400 }),
      ],
      { 'r.sch': 'bbb' }
    );
    const diff = diffResults(before, after);
    expect(diff).toEqual({
      baseline: { startedAt: before.startedAt, status: 'failed' },
      newFailures: [
        {
          key: 'c/breaks.xml',
          corpus: 'c',
          file: 'breaks.xml',
          mismatches: after.documents[1]!.mismatches,
        },
        { key: 'c/new.xml', corpus: 'c', file: 'new.xml', mismatches: after.documents[4]!.mismatches },
      ],
      fixed: [{ key: 'c/heals.xml', corpus: 'c', file: 'heals.xml', mismatches: before.documents[2]!.mismatches }],
      stillFailing: ['c/still-bad.xml'],
      added: ['c/new.xml'],
      removed: ['c/gone.xml'],
      verdictChanges: [
        { key: 'c/breaks.xml', before: 'valid', after: 'invalid' },
        { key: 'c/heals.xml', before: 'valid', after: 'invalid' },
      ],
      ruleIds: [
        { key: 'c/breaks.xml', appeared: ['NEW'], vanished: [] },
        { key: 'c/heals.xml', appeared: ['A'], vanished: [] },
      ],
      ruleIdsOverall: { appeared: ['A', 'NEW'], vanished: [] },
      versions: [
        { what: 'rules old.sch', before: 'ooo', after: null },
        { what: 'rules r.sch', before: 'aaa', after: 'bbb' },
      ],
      timing: [{ key: 'c/slower.xml', beforeMs: 100, afterMs: 400 }],
      durationMs: { before: 1000, after: 1000 },
      changed: true,
    });
  });

  it('timing counts only beyond both the ratio and the minimum', () => {
    const at = (ms: number): ReturnType<typeof result> => result([doc('a.xml', [], [], { durationMs: ms })]);
    expect(diffResults(at(10), at(90)).timing).toEqual([]); // 9x but only 80 ms
    expect(diffResults(at(1000), at(1400)).timing).toEqual([]); // 400 ms but 1.4x
    expect(diffResults(at(1000), at(1600)).timing).toHaveLength(1);
    expect(diffResults(at(1600), at(1000)).timing).toHaveLength(1); // faster counts too
    expect(diffResults(at(1000), at(1400), { timingRatio: 1.3 }).timing).toHaveLength(1);
    expect(diffResults(at(1000), at(1600)).changed).toBe(false);
  });

  it('documents not run on one side are compared on their match only', () => {
    const diff = diffResults(result([doc('a.xml', [], null)]), result([doc('a.xml', [], [])]));
    expect(diff.fixed.map((f) => f.key)).toEqual(['c/a.xml']);
    expect(diff.verdictChanges).toEqual([{ key: 'c/a.xml', before: null, after: 'valid' }]);
    expect(diff.ruleIds).toEqual([]);
  });
});
