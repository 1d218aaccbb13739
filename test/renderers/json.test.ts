import { describe, expect, it } from '@jest/globals';
import { renderJson } from '../../src/validation/renderers/json.js';
import type { ValidationIssue } from '../../src/core/report.js';
import { NASTY_FILE, NASTY_MESSAGE, invalidDoc, makeReport, mixedReport, toolErrorDoc } from './fixtures.js';

describe('renderJson', () => {
  it('round-trips to exactly the model', () => {
    const parsed: unknown = JSON.parse(renderJson(mixedReport));
    // toStrictEqual: no extra keys, no keys with undefined values.
    expect(parsed).toStrictEqual(JSON.parse(JSON.stringify(mixedReport)));
  });

  it('has the guaranteed top-level and document key order', () => {
    const parsed = JSON.parse(renderJson(mixedReport)) as {
      documents: Record<string, unknown>[];
      summary: Record<string, unknown>;
    };
    expect(Object.keys(parsed)).toEqual(['documents', 'summary', 'tool', 'startedAt', 'durationMs']);
    expect(Object.keys(parsed.summary)).toEqual(['total', 'valid', 'invalid', 'errors']);
    for (const doc of parsed.documents) {
      expect(Object.keys(doc).slice(0, 5)).toEqual(['file', 'profile', 'valid', 'status', 'issues']);
    }
    expect(parsed.summary).toEqual({ total: 4, valid: 2, invalid: 2, errors: 1 });
  });

  it('orders issue keys stably and omits absent optional fields', () => {
    // Keys deliberately built in reverse order.
    const scrambled: ValidationIssue = {
      see: 'S',
      test: 'T',
      xpath: '/cda:x',
      column: 2,
      line: 1,
      message: 'm',
      stage: 'schematron',
      severity: 'warning',
      ruleId: 'R',
    };
    const doc = { ...invalidDoc, issues: [scrambled, { ruleId: 'Q', severity: 'info', stage: 'xml', message: 'n' }] };
    const parsed = JSON.parse(renderJson(makeReport([doc as typeof invalidDoc]))) as {
      documents: { issues: Record<string, unknown>[] }[];
    };
    const [full, minimal] = parsed.documents[0]!.issues;
    expect(Object.keys(full!)).toEqual([
      'ruleId',
      'severity',
      'stage',
      'message',
      'line',
      'column',
      'xpath',
      'test',
      'see',
    ]);
    expect(Object.keys(minimal!)).toEqual(['ruleId', 'severity', 'stage', 'message']);
  });

  it('keeps null profile and omits absent sha256/size', () => {
    const parsed = JSON.parse(renderJson(makeReport([toolErrorDoc]))) as { documents: Record<string, unknown>[] };
    const doc = parsed.documents[0]!;
    expect(doc.profile).toBeNull();
    expect('sha256' in doc).toBe(false);
    expect('size' in doc).toBe(false);
  });

  it('is 2-space indented, newline-terminated and carries special characters intact', () => {
    const out = renderJson(mixedReport);
    expect(out.split('\n')[1]).toBe('  "documents": [');
    expect(out.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(out) as { documents: { file: string; issues: { message: string }[] }[] };
    expect(parsed.documents[1]!.file).toBe(NASTY_FILE);
    expect(parsed.documents[1]!.issues[0]!.message).toBe(NASTY_MESSAGE);
  });

  it('is deterministic', () => {
    expect(renderJson(mixedReport)).toBe(renderJson(structuredClone(mixedReport)));
  });
});
