// The default terminal format: one block per document, then a one-line summary.
import type {
  DocumentReport,
  DocumentStatus,
  Severity,
  ValidationIssue,
  ValidationRunReport,
} from '../../core/report.js';
import { countBySeverity, describeCounts, humanDuration, lineLabel, orderedIssues, plural } from './issues.js';

export interface TextRenderOptions {
  /** Emit ANSI colour codes. The caller decides (TTY, NO_COLOR, --color); the default is plain text. */
  readonly color?: boolean;
}

type Style = 'red' | 'green' | 'yellow' | 'magenta' | 'cyan' | 'dim' | 'bold';

const SGR: Readonly<Record<Style, string>> = {
  red: '31',
  green: '32',
  yellow: '33',
  magenta: '35',
  cyan: '36',
  dim: '2',
  bold: '1',
};

const STATUS_SYMBOL: Readonly<Record<DocumentStatus, string>> = { valid: '✔', invalid: '✖', error: '!' };
// Tool failures get their own colour: they are not a verdict on the document.
const STATUS_STYLE: Readonly<Record<DocumentStatus, Style>> = { valid: 'green', invalid: 'red', error: 'magenta' };
const SEVERITY_STYLE: Readonly<Record<Severity, Style>> = { error: 'red', warning: 'yellow', info: 'cyan' };
const SEVERITY_WIDTH = 'warning'.length;

/*
 * Messages and file names come from the documents under test. Control characters in them could
 * move the cursor, recolour the terminal or hide text (ESC sequences, bidi overrides), so they are
 * shown as visible escapes. This is also what keeps the output free of ANSI codes when colour is off.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_LINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above, plus line breaks for single-line fields
const UNSAFE_IN_FIELD = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

function visibleEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** For values that must stay on one line (file names, rule ids, XPaths). */
function field(value: string): string {
  return value.replace(UNSAFE_IN_FIELD, visibleEscape);
}

/**
 * Renders the report for a terminal.
 * @param report - The run to render.
 * @param options - `color: true` adds ANSI colours; without it the output is plain text.
 * @returns Newline-terminated text.
 */
export function renderText(report: ValidationRunReport, options: TextRenderOptions = {}): string {
  const paint = (style: Style, text: string): string =>
    options.color === true ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text;

  const lines: string[] = [];
  for (const doc of report.documents) {
    lines.push(...renderDocument(doc, paint));
  }
  if (lines.length > 0 && lines[lines.length - 1] !== '') {
    lines.push('');
  }
  lines.push(paint('bold', summaryLine(report)));
  return `${lines.join('\n')}\n`;
}

function renderDocument(doc: DocumentReport, paint: (style: Style, text: string) => string): string[] {
  const counts = countBySeverity(doc.issues);
  let profile = doc.profile ?? 'profile unknown';
  if (doc.profile !== null && doc.profileSource === 'override') {
    profile += ' (--profile)';
  }
  const verdict = doc.status === 'error' ? 'tool error' : doc.status;
  const detail = describeCounts(counts);
  const header = [
    paint(STATUS_STYLE[doc.status], `${STATUS_SYMBOL[doc.status]} ${field(doc.file)}`),
    paint('dim', field(profile)),
    paint(STATUS_STYLE[doc.status], detail === '' ? verdict : `${verdict}: ${detail}`),
  ].join('  ');

  const issues = orderedIssues(doc.issues);
  if (issues.length === 0) {
    return [header];
  }
  // Align the rule ids within a document so the locations line up.
  const ruleWidth = Math.max(...issues.map((i) => field(i.ruleId).length));
  // A blank line after each document with findings keeps blocks apart without padding clean runs.
  return [header, ...issues.flatMap((issue) => renderIssue(issue, ruleWidth, paint)), ''];
}

function renderIssue(
  issue: ValidationIssue,
  ruleWidth: number,
  paint: (style: Style, text: string) => string
): string[] {
  const parts = [
    paint(SEVERITY_STYLE[issue.severity], issue.severity.padEnd(SEVERITY_WIDTH)),
    field(issue.ruleId).padEnd(ruleWidth),
  ];
  const line = lineLabel(issue);
  if (line !== '') {
    parts.push(line);
  }
  if (issue.xpath !== undefined && issue.xpath !== '') {
    parts.push(paint('dim', field(issue.xpath)));
  }
  const out = [`  ${parts.join('  ').trimEnd()}`];
  for (const messageLine of issue.message.replace(UNSAFE_IN_LINE, visibleEscape).split(/\r\n|\r|\n/)) {
    out.push(`      ${messageLine}`);
  }
  if (issue.see !== undefined && issue.see !== '') {
    out.push(`      ${paint('dim', `see ${field(issue.see)}`)}`);
  }
  return out;
}

function summaryLine(report: ValidationRunReport): string {
  const { total, valid, invalid, errors } = report.summary;
  let line = `${plural(total, 'document')}: ${valid} valid, ${invalid} invalid`;
  // Tool errors are counted in `invalid` too, hence the parenthesis rather than a third term.
  if (errors > 0) {
    line += ` (${plural(errors, 'tool error')})`;
  }
  return `${line} in ${humanDuration(report.durationMs)}`;
}
