// Machine-readable report: the model itself, with key order fixed so outputs diff cleanly.
import type { DocumentReport, ValidationIssue, ValidationRunReport } from '../../core/report.js';

/*
 * Objects are rebuilt field by field rather than passed to JSON.stringify as they are: key order
 * then no longer depends on how each stage happened to build its objects, and nothing outside the
 * model (an extra property smuggled in through structural typing) leaks into the file.
 */

function issueJson(issue: ValidationIssue): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: issue.ruleId,
    severity: issue.severity,
    stage: issue.stage,
    message: issue.message,
  };
  if (issue.line !== undefined) {
    out.line = issue.line;
  }
  if (issue.column !== undefined) {
    out.column = issue.column;
  }
  if (issue.xpath !== undefined) {
    out.xpath = issue.xpath;
  }
  if (issue.test !== undefined) {
    out.test = issue.test;
  }
  if (issue.see !== undefined) {
    out.see = issue.see;
  }
  return out;
}

function documentJson(doc: DocumentReport): Record<string, unknown> {
  const out: Record<string, unknown> = {
    file: doc.file,
    profile: doc.profile,
    valid: doc.valid,
    status: doc.status,
    issues: doc.issues.map(issueJson),
    profileSource: doc.profileSource,
  };
  if (doc.schematronFallbacks !== undefined) {
    out.schematronFallbacks = doc.schematronFallbacks;
  }
  if (doc.sha256 !== undefined) {
    out.sha256 = doc.sha256;
  }
  if (doc.size !== undefined) {
    out.size = doc.size;
  }
  out.durationMs = doc.durationMs;
  return out;
}

/**
 * Renders the report as JSON in the shape of {@link ValidationRunReport}.
 * @param report - The run to render.
 * @returns 2-space indented, newline-terminated JSON; top-level keys in the order documents,
 * summary, tool, startedAt, durationMs. `JSON.parse` of it equals the model.
 */
export function renderJson(report: ValidationRunReport): string {
  const out = {
    documents: report.documents.map(documentJson),
    summary: {
      total: report.summary.total,
      valid: report.summary.valid,
      invalid: report.summary.invalid,
      errors: report.summary.errors,
    },
    tool: {
      name: report.tool.name,
      version: report.tool.version,
      schemas: report.tool.schemas,
      ...(report.tool.rules ? { rules: report.tool.rules } : {}),
      ...(report.tool.ruleEngines ? { ruleEngines: report.tool.ruleEngines } : {}),
      ...(report.tool.ruleNotes ? { ruleNotes: report.tool.ruleNotes } : {}),
    },
    startedAt: report.startedAt,
    durationMs: report.durationMs,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
