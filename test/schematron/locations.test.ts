// SVRL locations are canonical paths that resolve to the right node and line, on a fixture and on a real sample.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { CDA_NAMESPACES } from '../../src/core/namespaces.js';
import { canonicalPath } from '../../src/xml/node-path.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { CompiledRules } from '../../src/schematron/index.js';
import { compileFixture, fixture, run } from './helpers.js';

const C = '/cda:ClinicalDocument[1]/cda:component[1]';

describe('paths.sch', () => {
  let rules: CompiledRules;
  beforeAll(async () => {
    rules = await compileFixture('paths.sch');
  });

  it('writes each kind of node in the canonical format and resolves it to its line', () => {
    const issues = run(rules, readFileSync(fixture('paths.xml'), 'utf8'));
    const thing = "*[local-name()='thing' and namespace-uri()='urn:example:ext']";
    expect(issues.map((i) => [i.ruleId, i.xpath, i.line])).toEqual([
      ['xsi-type', `${C}/cda:value[1]/@xsi:type`, 5],
      ['sdtc', `${C}/sdtc:raceCode[1]`, 6],
      // libxml2 gives an element the line its start tag ends on; an attribute gets its element's.
      ['second-value', `${C}/cda:value[2]`, 9],
      ['unit', `${C}/cda:value[2]/@unit`, 9],
      ['foreign', `${C}/${thing}[1]`, 10],
      ['foreign-attr', `${C}/${thing}[1]/@*[local-name()='size' and namespace-uri()='urn:example:ext']`, 10],
      ['foreign', `${C}/${thing}[2]`, 11],
      ['no-namespace', `${C}/plain[1]`, 12],
    ]);
  });

  it('produces the same paths as the rest of the tool for elements and attributes', () => {
    const text = readFileSync(fixture('paths.xml'), 'utf8');
    const doc = XmlDocument.fromString(text);
    try {
      for (const issue of run(rules, text)) {
        const node = doc.get(issue.xpath ?? '', CDA_NAMESPACES);
        expect(node && canonicalPath(node)).toBe(issue.xpath);
      }
    } finally {
      doc.dispose();
    }
  });

  it('still reports findings, without lines, when no parsed document is given', async () => {
    const { runRules } = await import('../../src/schematron/index.js');
    const issues = runRules(rules, readFileSync(fixture('paths.xml'), 'utf8'));
    expect(issues).toHaveLength(8);
    expect(issues.every((i) => i.line === undefined && i.xpath !== undefined)).toBe(true);
  });
});

describe('phmr-small.sch on the DK PHMR 1.3 blood-pressure sample', () => {
  const sample = path.join(PACKAGE_ROOT, 'samples', 'dk-phmr-1.3', 'valid', 'blood-pressure-pulse.xml');
  const text = readFileSync(sample, 'utf8');
  let rules: CompiledRules;
  beforeAll(async () => {
    rules = await compileFixture('phmr-small.sch');
  });

  it('finds nothing in the valid sample', () => {
    expect(run(rules, text)).toEqual([]);
  });

  it('points each finding in a broken copy at the right line', () => {
    const broken = text
      .replace('<languageCode code="da-DK"/>', '<languageCode code="en-GB"/>')
      .replace('<value xsi:type="PQ" value="91" unit="mm[Hg]"/>', '<value xsi:type="PQ" value="9l" unit="mm[Hg]"/>');
    const lines = broken.split('\n');
    const lineOf = (s: string): number => lines.findIndex((l) => l.includes(s)) + 1;
    const issues = run(rules, broken);
    expect(issues.map((i) => [i.ruleId, i.severity, i.line])).toEqual([
      ['phmr-language', 'warning', lineOf('<ClinicalDocument') + 1],
      ['obs-value-number', 'error', expect.any(Number)],
    ]);
    const value = issues[1];
    expect(value?.message).toBe('Measurement DNK05473 value "9l" is not a number.');
    // The observation's start tag, found through the canonical path.
    const doc = XmlDocument.fromString(broken);
    try {
      expect(doc.get(value?.xpath ?? '', CDA_NAMESPACES)?.line).toBe(value?.line);
      expect(lines[(value?.line ?? 0) - 1]).toContain('<observation');
    } finally {
      doc.dispose();
    }
  });
});
