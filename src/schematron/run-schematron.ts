// Runs compiled rules on a document with SaxonJS and turns the SVRL into report issues with line numbers.
import { XmlDocument } from 'libxml2-wasm';
import type { XmlNode } from 'libxml2-wasm';
import { CDA_NAMESPACES } from '../core/namespaces.js';
import type { Severity, ValidationIssue } from '../core/report.js';
import { CAPPED_FLAG, EVALUATION_ERROR_FLAG, MAX_FINDINGS_PARAM, SVRL_NS } from './compile-schematron.js';
import { schematronError } from './errors.js';
import { saxonJs } from './saxon.js';
import { childElements, elementChildren } from '../xml/libxml-tree.js';

/** Runs the stylesheet on the document text and returns the SVRL. Throws SCH_ERR_RUNTIME. */
export function transformToSvrl(stylesheet: unknown, text: string, maxFindingsPerAssert: number): string {
  try {
    return saxonJs().transform(
      {
        stylesheetInternal: stylesheet,
        sourceText: text,
        destination: 'serialized',
        stylesheetParams: { [MAX_FINDINGS_PARAM]: maxFindingsPerAssert },
      },
      'sync'
    ).principalResult;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    throw schematronError(
      'SCH_ERR_RUNTIME',
      `Schematron failed on the document${typeof code === 'string' ? ` (${code})` : ''}: ${detail}`,
      err
    );
  }
}

/** The severity a `flag` or `role` word names, case-insensitively; undefined for any other text. */
function severityWord(value: string | undefined): Severity | undefined {
  switch (value?.trim().toLowerCase()) {
    case 'error':
    case 'fatal':
      return 'error';
    case 'warning':
    case 'warn':
      return 'warning';
    case 'info':
    case 'information':
      return 'info';
    case undefined:
    default:
      return undefined;
  }
}

/**
 * Severity from `flag`, else `role` (case-insensitively), else the default: rule sets written for
 * ph-schematron, which MedCom's test bed runs, mark warnings with flag="warning" and no role, and
 * ph-schematron reads the flag first. A flag that is not a severity word is a free-text ISO flag
 * and says nothing about severity, so the role decides then. Without either, a failed assert is an
 * error: the rule author asserted something that is not so. A successful report is `info`: ISO
 * defines a report as an observation, not a failure, so only a flag or role can make it count
 * against the document (DK rule sets that use reports for errors set role="error").
 */
export function severityOf(role: string | undefined, kind: 'assert' | 'report', flag?: string): Severity {
  return severityWord(flag) ?? severityWord(role) ?? (kind === 'assert' ? 'error' : 'info');
}

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The line of the node a canonical path names; an attribute has none of its own, so its element's. */
export function lineOf(doc: XmlDocument, xpath: string): number | undefined {
  if (xpath === '' || xpath === '/') {
    return undefined;
  }
  let node: XmlNode | null;
  try {
    node = doc.get(xpath, CDA_NAMESPACES);
  } catch {
    return undefined;
  }
  const line = node?.line ?? 0;
  if (line > 0) {
    return line;
  }
  const parentLine = node?.parent?.line ?? 0;
  return parentLine > 0 ? parentLine : undefined;
}

/**
 * Converts SVRL to issues, in SVRL order. The message is the normalised `svrl:text`, followed by
 * the texts of any diagnostics in parentheses. With `doc` (a libxml2 parse of the same source),
 * each location is resolved to a line.
 */
export function svrlToIssues(svrl: string, doc?: XmlDocument): ValidationIssue[] {
  let out: XmlDocument;
  try {
    out = XmlDocument.fromString(svrl);
  } catch (err) {
    throw schematronError('SCH_ERR_RUNTIME', 'The rules produced output that is not XML.', err);
  }
  try {
    const issues: ValidationIssue[] = [];
    for (const el of elementChildren(out.root)) {
      if (el.namespaceUri !== SVRL_NS) {
        continue;
      }
      const kind = el.name === 'failed-assert' ? 'assert' : el.name === 'successful-report' ? 'report' : null;
      if (!kind) {
        continue;
      }
      const get = (name: string): string | undefined => el.attr(name)?.value;
      const flag = get('flag');
      const location = get('location') ?? '';
      const text = normalize(
        childElements(el, SVRL_NS, 'text')
          .map((t) => t.content)
          .join(' ')
      );
      const diagnostics = childElements(el, SVRL_NS, 'diagnostic-reference')
        .map((d) => normalize(d.content))
        .filter((d) => d !== '');
      const message = diagnostics.length > 0 ? `${text} (${diagnostics.join('; ')})` : text;
      // Engine notices override flag and role: a rule that cannot be evaluated leaves the document unverified.
      const severity: Severity =
        flag === EVALUATION_ERROR_FLAG ? 'error' : flag === CAPPED_FLAG ? 'info' : severityOf(get('role'), kind, flag);
      const line = doc && location !== '/' ? lineOf(doc, location) : undefined;
      const test = get('test');
      const see = get('see');
      issues.push({
        ruleId: get('id') ?? 'SCHEMATRON',
        severity,
        message,
        stage: 'schematron',
        ...(line !== undefined ? { line } : {}),
        ...(location !== '' && location !== '/' ? { xpath: location } : {}),
        ...(test !== undefined ? { test } : {}),
        ...(see !== undefined ? { see } : {}),
      });
    }
    return issues;
  } finally {
    out.dispose();
  }
}
