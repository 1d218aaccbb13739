// JUnit XML (the Ant/Jenkins dialect CI servers read): one test case per document.
import type { DocumentReport, ValidationIssue, ValidationRunReport } from '../../core/report.js';
import { lineLabel, orderedIssues, plural, profileLabel, seconds } from './issues.js';
import { escapeXmlAttr, escapeXmlText } from '../../core/xml-escape.js';

const SUITE_NAME = 'kih validate';

/*
 * Mapping, chosen so CI dashboards tell "the document is wrong" from "the tool broke":
 * - invalid document → <failure>, message "N errors", type = first error's rule id;
 * - status `error` (the tool could not finish) → <error>, never <failure>;
 * - a valid document's warnings and info → <system-out>, so they are visible but do not fail the build.
 * The failure/error body lists every issue, warnings included, one per line.
 */

/**
 * Renders the report as JUnit XML.
 * @param report - The run to render.
 * @returns A newline-terminated XML document with one `<testsuite>` and one `<testcase>` per document.
 */
export function renderJUnit(report: ValidationRunReport): string {
  // Counted from the documents, not taken from `summary`, so the attributes always match the test cases.
  const failures = report.documents.filter((d) => d.status === 'invalid').length;
  const errors = report.documents.filter((d) => d.status === 'error').length;
  const tests = report.documents.length;
  const time = seconds(report.durationMs);
  const counts = `tests="${tests}" failures="${failures}" errors="${errors}"`;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${SUITE_NAME}" ${counts} time="${time}">`,
    `  <testsuite name="${SUITE_NAME}" ${counts} skipped="0" time="${time}" timestamp="${escapeXmlAttr(junitTimestamp(report.startedAt))}">`,
    '    <properties>',
    property('tool.name', report.tool.name),
    property('tool.version', report.tool.version),
    property('tool.schemas', report.tool.schemas),
    // The timestamp attribute cannot carry a zone; keep the exact start time here too.
    property('startedAt', report.startedAt),
    '    </properties>',
  ];
  for (const doc of report.documents) {
    out.push(...testCase(doc));
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

function property(name: string, value: string): string {
  return `      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}"/>`;
}

function testCase(doc: DocumentReport): string[] {
  const open = `    <testcase classname="${escapeXmlAttr(profileLabel(doc))}" name="${escapeXmlAttr(doc.file)}" time="${seconds(doc.durationMs)}"`;
  const issues = orderedIssues(doc.issues);
  const body = escapeXmlText(issues.map(issueLine).join('\n'));

  switch (doc.status) {
    case 'error': {
      const cause = issues.find((i) => i.stage === 'tool') ?? issues[0];
      const message = cause ? `tool failure: ${cause.message}` : 'tool failure';
      const type = cause?.ruleId ?? 'TOOL_ERROR';
      return [
        `${open}>`,
        `      <error message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(type)}">${body}</error>`,
        '    </testcase>',
      ];
    }
    case 'invalid': {
      const errorIssues = issues.filter((i) => i.severity === 'error');
      const type = errorIssues[0]?.ruleId ?? issues[0]?.ruleId ?? 'INVALID';
      return [
        `${open}>`,
        `      <failure message="${plural(errorIssues.length, 'error')}" type="${escapeXmlAttr(type)}">${body}</failure>`,
        '    </testcase>',
      ];
    }
    case 'valid': {
      if (issues.length === 0) {
        return [`${open}/>`];
      }
      return [`${open}>`, `      <system-out>${body}</system-out>`, '    </testcase>'];
    }
  }
}

/** `error XSD_UNEXPECTED_ELEMENT line 12 /cda:ClinicalDocument/cda:foo[1]: message`. */
function issueLine(issue: ValidationIssue): string {
  const parts = [issue.severity, issue.ruleId];
  const line = lineLabel(issue);
  if (line !== '') {
    parts.push(line);
  }
  if (issue.xpath !== undefined && issue.xpath !== '') {
    parts.push(issue.xpath);
  }
  return `${parts.join(' ')}: ${issue.message}`;
}

/**
 * The Ant schema's timestamp is an ISO 8601 date-time without zone or fraction. Parsing the
 * report's own start time (never the clock) and printing it in UTC keeps it unambiguous; a value
 * that does not parse is passed through unchanged rather than invented.
 */
function junitTimestamp(startedAt: string): string {
  const date = new Date(startedAt);
  return Number.isNaN(date.getTime()) ? startedAt : date.toISOString().slice(0, 19);
}
