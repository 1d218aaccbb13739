// The certification report for people (a printable HTML page) and machines (JSON): pure functions of the report data.
import type { CertificationReport } from '../store/certification-service.js';
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
  certified: { da: 'Certificeret', en: 'Certified' },
  production: { da: 'I produktion', en: 'In production' },
  certify: { da: 'Certificeret', en: 'Certified' },
  reject: { da: 'Afvist', en: 'Rejected' },
};

export function label(key: string, lang: Lang): string {
  return LABELS[key]?.[lang] ?? key;
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

/** Standalone and printable: no scripts, inline style only. */
export function renderCertificationHtml(report: CertificationReport, lang: Lang): string {
  const rows = report.cases
    .map(
      (c) =>
        `<tr><td><strong>${text(c.testCase.id)}</strong><br/>${text(c.testCase.title[lang])}<br/><small>${text(c.testCase.description[lang])}</small></td>` +
        `<td>${evidenceCell(c.selfTest, lang)}</td><td>${evidenceCell(c.formalTest, lang)}</td></tr>`
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
${report.awaitingDecision ? `<p><strong>${text(label('awaiting', lang))}</strong></p>` : ''}
<h2>${text(label('testCase', lang))}</h2>
<table><thead><tr><th>${text(label('testCase', lang))}</th><th>${text(label('selfTest', lang))}</th><th>${text(label('formalTest', lang))}</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>${text(label('decisions', lang))}</h2>
${decisions}
</body>
</html>
`;
}
