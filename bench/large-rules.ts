// A large generated rule set (about as many patterns as the biggest third-party files), within the own engine's subset and with some findings on a valid sample, for timing engines on it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Contexts found in the PHMR samples, from the header down to single attributes' elements. */
const CONTEXTS = [
  'cda:ClinicalDocument',
  'cda:recordTarget/cda:patientRole',
  'cda:patient',
  'cda:author',
  'cda:custodian',
  'cda:section',
  'cda:entry',
  'cda:organizer',
  'cda:observation',
  'cda:component',
  'cda:participant',
  'cda:value',
  'cda:code',
  'cda:id',
  'cda:effectiveTime',
  'cda:templateId',
];

/** Writes the rule set to a temporary directory and returns its path. */
export function writeLargeRuleSet(patterns = 94): string {
  const body: string[] = [];
  for (let i = 0; i < patterns; i++) {
    const context = CONTEXTS[i % CONTEXTS.length] ?? '*';
    const id = `GEN-${String(i + 1).padStart(3, '0')}`;
    body.push(
      `  <pattern id="p${i + 1}">`,
      `    <rule context="${context}">`,
      `      <assert id="${id}-a" role="error" test="count(cda:templateId) le ${50 + i}">too many templateIds on <name/></assert>`,
      `      <assert id="${id}-b" role="error" test="not(@nullFlavor) or @nullFlavor = ('NI', 'UNK', 'NA', 'MSK', 'ASKU')">nullFlavor <value-of select="@nullFlavor"/> not allowed</assert>`,
      `      <assert id="${id}-c" role="error" test="every $t in cda:templateId satisfies matches($t/@root, '^[0-9]+(\\.[0-9]+)*$')">templateId root is not an OID</assert>`,
      `      <assert id="${id}-d" role="warning" test="every $c in .//cda:code satisfies string-length($c/@code) lt ${4 + (i % 8)}">a code is too long</assert>`,
      `      <assert id="${id}-e" role="error" test="not(cda:value[@unit]) or cda:value/@unit != ''">value without unit text</assert>`,
      `    </rule>`,
      `  </pattern>`
    );
  }
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">\n` +
    `  <title>Generated, ${patterns} patterns</title>\n` +
    `  <ns prefix="cda" uri="urn:hl7-org:v3"/>\n` +
    `${body.join('\n')}\n</schema>\n`;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kih-bench-rules-')), 'generated.sch');
  writeFileSync(file, text);
  return file;
}
