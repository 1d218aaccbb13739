// Picks a renderer by format name, so callers (the CLI, the API) need no per-format code.
import type { ValidationRunReport } from '../../core/report.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJUnit } from './junit.js';
import { renderSvrl } from './svrl.js';
import { renderText } from './text.js';
import type { TextRenderOptions } from './text.js';

export { renderHtml, renderJson, renderJUnit, renderSvrl, renderText };
export type { TextRenderOptions };

/** Every output format, in the order help text lists them; `text` is the default. */
export const REPORT_FORMATS = ['text', 'json', 'junit', 'svrl', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** Options that only some formats use; the others ignore them. */
export type RenderOptions = TextRenderOptions;

/**
 * Renders a run report in the requested format.
 * @param report - The run to render.
 * @param format - One of {@link REPORT_FORMATS}.
 * @param options - `color` applies to `text` only.
 * @returns The rendered report, newline-terminated.
 */
export function renderReport(report: ValidationRunReport, format: ReportFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(report, options);
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJUnit(report);
    case 'svrl':
      return renderSvrl(report);
    case 'html':
      return renderHtml(report);
    default: {
      // Unreachable for typed callers; guards plain strings that skipped isReportFormat().
      const unknown: never = format;
      throw new RangeError(`Unknown report format: ${String(unknown)} (expected one of ${REPORT_FORMATS.join(', ')})`);
    }
  }
}
