// The certification report for people (a printable HTML page) and machines (JSON): pure functions of the report data.
import type { CertificationReport } from '../store/certification-service.js';
import type { EndToEndGap, Verification } from '../certification/progress.js';
import type { LocalText } from '../certification/protocol.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from '../core/xml-escape.js';

export type Lang = 'da' | 'en';

const LABELS: Readonly<Record<string, LocalText>> = {
  report: { da: 'Certificeringsrapport', en: 'Certification report' },
  vendor: { da: 'Leverandør', en: 'Vendor' },
  protocol: { da: 'Testprotokol', en: 'Test protocol' },
  step: { da: 'Trin', en: 'Step' },
  generated: { da: 'Dannet', en: 'Generated' },
  formalTarget: { da: 'Formel test mod', en: 'Formal test against' },
  testCase: { da: 'Testcase', en: 'Test case' },
  selfTest: { da: 'Selvtest', en: 'Self-test' },
  formalTest: { da: 'Formel test', en: 'Formal test' },
  none: { da: 'Intet dokument endnu', en: 'No document yet' },
  validated: { da: 'valideret', en: 'validated' },
  warnings: { da: 'advarsler', en: 'warnings' },
  submission: { da: 'Indsendelse', en: 'Submission' },
  decisions: { da: 'Beslutninger', en: 'Decisions' },
  noDecisions: { da: 'Ingen beslutninger endnu', en: 'No decisions yet' },
  awaiting: {
    da: 'Alle testcases er bestået i den formelle test; afventer MedComs beslutning.',
    en: "Every test case passed the formal test; awaiting MedCom's decision.",
  },
  'self-test': { da: 'Selvtest', en: 'Self-test' },
  'formal-test': { da: 'Formel test', en: 'Formal test' },
  'end-to-end': { da: 'End-to-end-test', en: 'End-to-end test' },
  endToEnd: { da: 'End-to-end-test', en: 'End-to-end test' },
  registeredIn: { da: 'Registreret i', en: 'Registered in' },
  retrievedIntact: { da: 'hentet uændret', en: 'retrieved intact' },
  retrieved: { da: 'hentet', en: 'retrieved' },
  registeredAs: { da: 'registreret', en: 'registered' },
  bytes: { da: 'byte', en: 'bytes' },
  field: { da: 'Felt', en: 'Field' },
  registry: { da: 'Registret', en: 'Registry' },
  ours: { da: 'Vores', en: 'Ours' },
  awaitingEndToEnd: {
    da: 'Alle testcases er bestået i den formelle test og fundet uændret i registret; afventer MedComs beslutning.',
    en: "Every test case passed the formal test and was found intact in the registry; awaiting MedCom's decision.",
  },
  e2eNotSubmitted: { da: 'ikke indsendt', en: 'not submitted' },
  e2eNotChecked: { da: 'endnu ikke kontrolleret i registret', en: 'not yet checked in the registry' },
  e2eNotRegistered: { da: 'ikke registreret', en: 'not registered' },
  e2eMetadataMismatch: { da: 'metadata afviger', en: 'metadata differs' },
  e2eContentMismatch: { da: 'indholdet afviger', en: 'content differs' },
  e2eCheckFailed: { da: 'kontrollen fejlede', en: 'check failed' },
  certified: { da: 'Certificeret', en: 'Certified' },
  production: { da: 'I produktion', en: 'In production' },
  certify: { da: 'Certificeret', en: 'Certified' },
  reject: { da: 'Afvist', en: 'Rejected' },
};

export function label(key: string, lang: Lang): string {
  return LABELS[key]?.[lang] ?? key;
}

/** The label key of what a case lacks for end-to-end evidence (the same keys on the pages). */
export const GAP_LABELS: Readonly<Record<EndToEndGap, string>> = {
  notSubmitted: 'e2eNotSubmitted',
  notChecked: 'e2eNotChecked',
  notRegistered: 'e2eNotRegistered',
  metadataMismatch: 'e2eMetadataMismatch',
  contentMismatch: 'e2eContentMismatch',
  checkFailed: 'e2eCheckFailed',
};

/** A registered or derived metadata value on one line: text as it is, codes and lists as JSON. */
export function fieldValue(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  return value === null || value === undefined ? '–' : JSON.stringify(value);
}

/** SHA-1 and size, short: the full hash is in the JSON. */
export function hashAndSize(hash: string, size: number, lang: Lang): string {
  return `SHA-1 ${hash.slice(0, 12)}… · ${size} ${label('bytes', lang)}`;
}

export function renderCertificationJson(report: CertificationReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1.5rem; color: #1f2328; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; }
.ok { color: #1a7f37; font-weight: 600; }
.missing { color: #9a6700; }
.bad { color: #cf222e; font-weight: 600; }
table.mismatches { margin: .25rem 0; font-size: .9em; }
code { font-family: ui-monospace, monospace; font-size: .85em; overflow-wrap: anywhere; }
@media print { body { max-width: none; padding: 0; } tr { break-inside: avoid; } }
`;

function evidenceCell(e: CertificationReport['cases'][number]['selfTest'], lang: Lang): string {
  if (!e) {
    return `<span class="missing">${text(label('none', lang))}</span>`;
  }
  const d = e.detail;
  const warnings = d ? d.report.issues.filter((i) => i.severity === 'warning').length : 0;
  const sub = d?.submission ?? e.submission;
  return [
    `<span class="ok">&#10003;</span> <code>${text(e.file)}</code>`,
    `<br/>${text(label('validated', lang))} ${text(e.validatedAt.slice(0, 16).replace('T', ' '))} · ${warnings} ${text(label('warnings', lang))}`,
    d ? `<br/><code>sha256 ${text(e.sha256.slice(0, 16))}…</code>` : '',
    sub
      ? `<br/>${text(label('submission', lang))}: ${text(sub.target)} → ${text(sub.outcome)} ${text(sub.at.slice(0, 16).replace('T', ' '))}`
      : '',
  ].join('');
}

type ReportCase = CertificationReport['cases'][number];

function mismatchTable(v: Verification, lang: Lang): string {
  if (v.mismatches.length === 0) {
    return '';
  }
  const head = `<tr><th>${text(label('field', lang))}</th><th>${text(label('registry', lang))}</th><th>${text(label('ours', lang))}</th></tr>`;
  const rows = v.mismatches
    .map(
      (m) =>
        `<tr data-field="${attr(m.field)}"><td><code>${text(m.field)}</code></td><td><code>${text(fieldValue(m.registered))}</code></td><td><code>${text(fieldValue(m.expected))}</code></td></tr>`
    )
    .join('');
  return `<table class="mismatches"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

/** Registered (with the fields that differ) and retrieved intact (hash and size), or what is missing. */
function endToEndCell(c: ReportCase, lang: Lang): string {
  const v = c.endToEnd?.verification;
  if (c.endToEnd && v) {
    const content = v.content
      ? `<br/>${text(label('retrievedIntact', lang))}: <code>${text(hashAndSize(v.content.hash, v.content.size, lang))}</code>`
      : '';
    return `<span class="ok">&#10003;</span> ${text(label('registeredIn', lang))} <code>${text(v.target)}</code> ${text(v.at.slice(0, 16).replace('T', ' '))}<br/><code>${text(c.endToEnd.file)}</code>${content}`;
  }
  const gap = c.endToEndGap ?? 'notChecked';
  const cls = gap === 'notSubmitted' || gap === 'notChecked' ? 'missing' : 'bad';
  const seen = c.formalTest?.verification;
  const content =
    gap === 'contentMismatch' && seen?.content
      ? `<br/>${text(label('retrieved', lang))}: <code>${text(hashAndSize(seen.content.hash, seen.content.size, lang))}</code><br/>${text(label('registeredAs', lang))}: <code>${text(hashAndSize(seen.content.registeredHash, seen.content.registeredSize, lang))}</code>`
      : '';
  const message =
    seen && (gap === 'checkFailed' || gap === 'notRegistered') ? `<br/><small>${text(seen.message)}</small>` : '';
  return `<span class="${cls}" data-gap="${attr(gap)}">${text(label(GAP_LABELS[gap], lang))}</span>${seen && gap === 'metadataMismatch' ? mismatchTable(seen, lang) : ''}${content}${message}`;
}

/** Standalone and printable: no scripts, inline style only. */
export function renderCertificationHtml(report: CertificationReport, lang: Lang): string {
  const rows = report.cases
    .map(
      (c) =>
        `<tr><td><strong>${text(c.testCase.id)}</strong><br/>${text(c.testCase.title[lang])}<br/><small>${text(c.testCase.description[lang])}</small></td>` +
        `<td>${evidenceCell(c.selfTest, lang)}</td><td>${evidenceCell(c.formalTest, lang)}</td>` +
        `<td data-e2e="${attr(c.endToEnd ? 'verified' : (c.endToEndGap ?? 'notChecked'))}">${endToEndCell(c, lang)}</td></tr>`
    )
    .join('\n');
  const decisions =
    report.decisions.length === 0
      ? `<p>${text(label('noDecisions', lang))}</p>`
      : `<table><tbody>${report.decisions
          .map(
            (d) =>
              `<tr><td>${text(d.decidedAt.slice(0, 16).replace('T', ' '))}</td><td><strong>${text(label(d.decision, lang))}</strong></td><td>${text(d.decidedBy)}</td><td>${text(d.comment)}</td></tr>`
          )
          .join('')}</tbody></table>`;
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8"/>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>
<title>${text(`${label('report', lang)}: ${report.vendor.name} – ${report.protocol.standard}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${text(label('report', lang))}</h1>
<table><tbody>
<tr><th>${text(label('vendor', lang))}</th><td>${text(report.vendor.name)} (<code>${text(report.vendor.id)}</code>)</td></tr>
<tr><th>${text(label('protocol', lang))}</th><td>${text(report.protocol.title[lang])} — <code>${text(report.protocol.id)} ${text(report.protocol.version)}</code></td></tr>
<tr><th>${text(label('step', lang))}</th><td><strong data-step="${attr(report.step)}">${text(label(report.step, lang))}</strong></td></tr>
<tr><th>${text(label('formalTarget', lang))}</th><td><code>${text(report.formalTarget)}</code></td></tr>
<tr><th>${text(label('generated', lang))}</th><td>${text(report.generatedAt.slice(0, 19).replace('T', ' '))} UTC</td></tr>
</tbody></table>
${report.awaitingDecision ? `<p><strong>${text(label(report.endToEndRequired ? 'awaitingEndToEnd' : 'awaiting', lang))}</strong></p>` : ''}
<h2>${text(label('testCase', lang))}</h2>
<table><thead><tr><th>${text(label('testCase', lang))}</th><th>${text(label('selfTest', lang))}</th><th>${text(label('formalTest', lang))}</th><th>${text(label('endToEnd', lang))}</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>${text(label('decisions', lang))}</h2>
${decisions}
</body>
</html>
`;
}
