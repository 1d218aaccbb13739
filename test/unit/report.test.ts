import { describe, expect, it } from '@jest/globals';
import { statusOf, summarize } from '../../src/core/report.js';
import type { DocumentReport, ValidationIssue } from '../../src/core/report.js';

const issue = (over: Partial<ValidationIssue>): ValidationIssue => ({
  ruleId: 'X',
  severity: 'error',
  message: 'm',
  stage: 'xsd',
  ...over,
});

describe('statusOf', () => {
  it('is valid with no issues or only warnings', () => {
    expect(statusOf([])).toBe('valid');
    expect(statusOf([issue({ severity: 'warning' }), issue({ severity: 'info' })])).toBe('valid');
  });
  it('is invalid with an error-severity issue', () => {
    expect(statusOf([issue({ severity: 'warning' }), issue({})])).toBe('invalid');
  });
  it('is error when the tool failed, whatever else was found', () => {
    expect(statusOf([issue({}), issue({ stage: 'tool' })])).toBe('error');
  });
});

describe('summarize', () => {
  it('counts valid, invalid and tool errors', () => {
    const doc = (valid: boolean, status: DocumentReport['status']): DocumentReport => ({
      file: 'f.xml',
      profile: null,
      profileSource: 'none',
      valid,
      status,
      issues: [],
      durationMs: 0,
    });
    expect(summarize([doc(true, 'valid'), doc(false, 'invalid'), doc(false, 'error')])).toEqual({
      total: 3,
      valid: 1,
      invalid: 2,
      errors: 1,
    });
  });
});
