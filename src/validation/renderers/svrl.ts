// SVRL (ISO Schematron report language) for tools that consume Schematron output, one per document.
import type { DocumentReport, ValidationIssue, ValidationRunReport } from '../../core/report.js';
import { groupByStage, profileLabel } from './issues.js';
import { escapeXmlAttr, escapeXmlText } from '../../core/xml-escape.js';

export const SVRL_NS = 'http://purl.oclc.org/dsdl/svrl';
export const KIH_REPORT_NS = 'urn:kih-certify:report';

/** Prefixes used in `location` values, declared as SVRL asks. */
const LOCATION_PREFIXES: readonly (readonly [string, string])[] = [
  ['cda', 'urn:hl7-org:v3'],
  ['sdtc', 'urn:hl7-org:sdtc'],
];

/*
 * Choices, made so the output stays valid against the published SVRL schemas (2006, 2016, 2025),
 * which some consumers validate before reading:
 * - Each stage that has issues becomes an `active-pattern` (id = stage) followed by one
 *   `fired-rule context="/"`: the schemas require a fired rule before any failed-assert, and our
 *   stages (XSD, XDS, ...) have no Schematron rule contexts of their own.
 * - `test` is required, so it is always present, empty when the check was not a Schematron test.
 * - `see` goes on `svrl:text`, the only place the schemas allow it.
 * - Line and column are given as `svrl:diagnostic-reference` elements with `diagnostic="line"` /
 *   `diagnostic="column"` and the number as their text, rather than as attributes in our own
 *   namespace: the schemas allow no foreign attributes on failed-assert, and generic SVRL viewers
 *   already display diagnostic references.
 * - `id` is the rule id even when one rule fails several times, as Schematron engines do.
 */

/**
 * Renders the report as SVRL.
 * @param report - The run to render.
 * @returns For exactly one document, a bare `svrl:schematron-output`. Otherwise (zero or several
 * documents) a `kih:svrl-reports` root in {@link KIH_REPORT_NS} holding one `kih:document` per
 * document, each wrapping that document's `svrl:schematron-output`.
 */
export function renderSvrl(report: ValidationRunReport): string {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>';
  const [only] = report.documents;
  if (report.documents.length === 1 && only) {
    return `${[declaration, ...schematronOutput(only, report, '', true)].join('\n')}\n`;
  }
  const out = [
    declaration,
    `<kih:svrl-reports xmlns:kih="${KIH_REPORT_NS}" xmlns:svrl="${SVRL_NS}"` +
      ` tool="${escapeXmlAttr(report.tool.name)}" version="${escapeXmlAttr(report.tool.version)}"` +
      ` schemas="${escapeXmlAttr(report.tool.schemas)}" startedAt="${escapeXmlAttr(report.startedAt)}">`,
  ];
  for (const doc of report.documents) {
    // `profile` is left out rather than set to a made-up value when detection found none.
    const profile = doc.profile === null ? '' : ` profile="${escapeXmlAttr(doc.profile)}"`;
    out.push(
      `  <kih:document file="${escapeXmlAttr(doc.file)}"${profile} valid="${String(doc.valid)}" status="${doc.status}">`,
      ...schematronOutput(doc, report, '    ', false),
      '  </kih:document>'
    );
  }
  out.push('</kih:svrl-reports>');
  return `${out.join('\n')}\n`;
}

function schematronOutput(
  doc: DocumentReport,
  report: ValidationRunReport,
  indent: string,
  declareNs: boolean
): string[] {
  const ns = declareNs ? ` xmlns:svrl="${SVRL_NS}"` : '';
  const title = `kih validate ${doc.file} (${profileLabel(doc)})`;
  const out = [
    `${indent}<svrl:schematron-output${ns} title="${escapeXmlAttr(title)}" schemaVersion="${escapeXmlAttr(report.tool.schemas)}">`,
  ];
  for (const [prefix, uri] of LOCATION_PREFIXES) {
    out.push(`${indent}  <svrl:ns-prefix-in-attribute-values prefix="${prefix}" uri="${uri}"/>`);
  }
  // SVRL is flat: which pattern an assert belongs to is given by order, not nesting.
  for (const group of groupByStage(doc.issues)) {
    out.push(
      `${indent}  <svrl:active-pattern id="${escapeXmlAttr(group.stage)}" name="${escapeXmlAttr(group.stage)}"/>`,
      `${indent}  <svrl:fired-rule context="/"/>`
    );
    for (const issue of group.issues) {
      out.push(...failedAssert(issue, `${indent}  `));
    }
  }
  out.push(`${indent}</svrl:schematron-output>`);
  return out;
}

function failedAssert(issue: ValidationIssue, indent: string): string[] {
  const location = issue.xpath === undefined || issue.xpath === '' ? '/' : issue.xpath;
  const out = [
    `${indent}<svrl:failed-assert id="${escapeXmlAttr(issue.ruleId)}" role="${escapeXmlAttr(issue.severity)}"` +
      ` location="${escapeXmlAttr(location)}" test="${escapeXmlAttr(issue.test ?? '')}">`,
  ];
  if (issue.line !== undefined) {
    out.push(diagnostic('line', issue.line, indent));
  }
  // Column 0 is libxml2's "unknown" for schema errors; don't report it as a position.
  if (issue.column !== undefined && issue.column > 0) {
    out.push(diagnostic('column', issue.column, indent));
  }
  const see = issue.see === undefined || issue.see === '' ? '' : ` see="${escapeXmlAttr(issue.see)}"`;
  out.push(`${indent}  <svrl:text${see}>${escapeXmlText(issue.message)}</svrl:text>`, `${indent}</svrl:failed-assert>`);
  return out;
}

function diagnostic(name: string, value: number, indent: string): string {
  return `${indent}  <svrl:diagnostic-reference diagnostic="${name}"><svrl:text>${value}</svrl:text></svrl:diagnostic-reference>`;
}
