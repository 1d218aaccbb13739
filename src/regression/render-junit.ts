// The regression result as JUnit XML for CI servers: one test suite per corpus, one test case per document.
import { seconds } from '../validation/renderers/issues.js';
import { escapeXmlAttr, escapeXmlText } from '../core/xml-escape.js';
import type { RegressionDocument, RegressionResult } from './result.js';

/*
 * Mapping: a document that behaves as its manifest says passes, whatever its verdict (an invalid
 * sample that fails with the expected rules is a pass); a mismatch is a <failure> whose type is
 * the first mismatch kind; a document the validator could not finish is an <error>; a document
 * skipped by a cancellation is <skipped>.
 */
export function renderRegressionJUnit(result: RegressionResult): string {
  const count = (docs: readonly RegressionDocument[]): string => {
    const errors = docs.filter((d) => d.mismatches.some((m) => m.kind === 'tool-error')).length;
    const skipped = docs.filter((d) => d.mismatches.some((m) => m.kind === 'skipped')).length;
    const failures = docs.filter((d) => !d.match).length - errors - skipped;
    return `tests="${docs.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`;
  };
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kih regress" ${count(result.documents).replace(/ skipped="\d+"/, '')} time="${seconds(result.durationMs)}">`,
  ];
  for (const corpus of result.corpora) {
    const docs = result.documents.filter((d) => d.corpus === corpus.name);
    const time = docs.reduce((sum, d) => sum + (d.actual?.durationMs ?? 0), 0);
    out.push(
      `  <testsuite name="${escapeXmlAttr(corpus.name)}" ${count(docs)} time="${seconds(time)}" timestamp="${escapeXmlAttr(result.startedAt.slice(0, 19))}">`,
      '    <properties>',
      property('corpus.dir', corpus.dir),
      property('manifest.sha256', corpus.manifestSha256),
      property('tool.version', result.tool.version),
      property('tool.schemas', result.tool.schemas),
      ...Object.entries(result.tool.rules).map(([file, hash]) => property(`rules ${file}`, hash)),
      property('startedAt', result.startedAt),
      '    </properties>'
    );
    for (const doc of docs) {
      out.push(...testCase(doc));
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function property(name: string, value: string): string {
  return `      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}"/>`;
}

function testCase(doc: RegressionDocument): string[] {
  const open = `    <testcase classname="${escapeXmlAttr(doc.corpus)}" name="${escapeXmlAttr(doc.file)}" time="${seconds(doc.actual?.durationMs ?? 0)}"`;
  if (doc.match) {
    return [`${open}/>`];
  }
  const body = escapeXmlText(doc.mismatches.map((m) => `${m.kind}: ${m.message}`).join('\n'));
  const first = doc.mismatches[0];
  if (doc.mismatches.some((m) => m.kind === 'skipped')) {
    return [`${open}>`, `      <skipped message="${escapeXmlAttr(first?.message ?? 'skipped')}"/>`, '    </testcase>'];
  }
  const element = doc.mismatches.some((m) => m.kind === 'tool-error') ? 'error' : 'failure';
  const message = doc.mismatches.map((m) => m.message).join(' ');
  return [
    `${open}>`,
    `      <${element} message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(first?.kind ?? 'mismatch')}">${body}</${element}>`,
    '    </testcase>',
  ];
}
