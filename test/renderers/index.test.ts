import { describe, expect, it } from '@jest/globals';
import {
  REPORT_FORMATS,
  isReportFormat,
  renderHtml,
  renderJUnit,
  renderJson,
  renderReport,
  renderSvrl,
  renderText,
} from '../../src/validation/renderers/index.js';
import type { ReportFormat } from '../../src/validation/renderers/index.js';
import { mixedReport } from './fixtures.js';

describe('renderReport', () => {
  it('knows the five formats', () => {
    expect(REPORT_FORMATS).toEqual(['text', 'json', 'junit', 'svrl', 'html']);
    expect(isReportFormat('junit')).toBe(true);
    expect(isReportFormat('xml')).toBe(false);
  });

  it('dispatches to each renderer', () => {
    expect(renderReport(mixedReport, 'text')).toBe(renderText(mixedReport));
    expect(renderReport(mixedReport, 'text', { color: true })).toBe(renderText(mixedReport, { color: true }));
    expect(renderReport(mixedReport, 'json')).toBe(renderJson(mixedReport));
    expect(renderReport(mixedReport, 'junit')).toBe(renderJUnit(mixedReport));
    expect(renderReport(mixedReport, 'svrl')).toBe(renderSvrl(mixedReport));
    expect(renderReport(mixedReport, 'html')).toBe(renderHtml(mixedReport));
  });

  it('ends every format with a newline', () => {
    for (const format of REPORT_FORMATS) {
      expect(renderReport(mixedReport, format).endsWith('\n')).toBe(true);
    }
  });

  it('rejects an unknown format from an untyped caller', () => {
    expect(() => renderReport(mixedReport, 'pdf' as ReportFormat)).toThrow(/Unknown report format: pdf/);
  });
});
