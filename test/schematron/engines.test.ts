// The two engines side by side: which one a rule set gets, identical findings on every sample, and SaxonJS taking over where the subset stops.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { inflate } from '../../bench/corpus.js';
import { checkInputBytes } from '../../src/xml/input-checks.js';
import { parseXml } from '../../src/xml/xml-parser.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { compileSchematronFile, runRules } from '../../src/schematron/index.js';
import type { CompiledRules } from '../../src/schematron/index.js';
import type { ValidationIssue } from '../../src/core/report.js';
import { compileFixture, run } from './helpers.js';

const RULES_DIR = path.join(PACKAGE_ROOT, 'schematron');
const SAMPLES_DIR = path.join(PACKAGE_ROOT, 'samples');
const RULE_SETS = readdirSync(RULES_DIR).filter((f) => f.endsWith('.sch'));

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? xmlFiles(p) : p.endsWith('.xml') ? [p] : [];
  });
}

/** Both engines on one text, with a libxml2 parse for lines; the own engine's run must not fall back. */
function both(rules: CompiledRules, text: string): { own: ValidationIssue[]; saxon: ValidationIssue[] } {
  const parsed = parseXml(new TextEncoder().encode(text), 'engines.xml', text);
  if (!parsed.ok) {
    throw new Error('does not parse');
  }
  try {
    const before = { ...rules.stats };
    const own = runRules(rules, text, parsed.doc);
    expect(rules.stats.own).toBe(before.own + 1);
    return { own, saxon: runRules(rules, text, parsed.doc, { engine: 'saxonjs' }) };
  } finally {
    parsed.doc.dispose();
  }
}

describe('engine choice', () => {
  it('runs every project rule set on the own engine', async () => {
    for (const name of RULE_SETS) {
      const rules = await compileSchematronFile(path.join(RULES_DIR, name));
      expect({ name, engine: rules.engine, reason: rules.engineReason }).toEqual({
        name,
        engine: 'own',
        reason: undefined,
      });
    }
  });

  it('gives SaxonJS a rule set that uses something outside the subset, and says what', async () => {
    const rules = await compileFixture('selections.sch');
    expect(rules.engine).toBe('saxonjs');
    expect(rules.engineReason).toMatch(/current\(\)/);
    expect(rules.own).toBeUndefined();
  });

  it('uses SaxonJS whenever the setting asks for it', async () => {
    const rules = await compileSchematronFile(path.join(RULES_DIR, 'dk-phmr-1.3.sch'), { engine: 'saxonjs' });
    expect(rules).toMatchObject({ engine: 'saxonjs', engineReason: 'the setting asks for SaxonJS' });
    const text = readFileSync(path.join(SAMPLES_DIR, 'dk-phmr-1.3', 'valid', 'weight.xml'), 'utf8');
    run(rules, text);
    expect(rules.stats).toEqual({ own: 0, saxonjs: 1 });
  });

  it('leaves one document to SaxonJS when a test raises a dynamic error there', async () => {
    const rules = await compileFixture('basics.sch');
    expect(rules.engine).toBe('own');
    const bad = '<list xmlns="urn:hl7-org:v3"><item n="1" value="abc"/></list>';
    const issues = run(rules, bad);
    expect(rules.stats).toMatchObject({ saxonjs: 2, lastFallback: expect.stringMatching(/FORG0001/) });
    expect(issues.filter((i) => /could not be evaluated/.test(i.message))).not.toEqual([]);
  });
});

describe('identical findings', () => {
  const rules = new Map<string, CompiledRules>();
  beforeAll(async () => {
    for (const name of RULE_SETS) {
      rules.set(name, await compileSchematronFile(path.join(RULES_DIR, name)));
    }
  });

  it('on every sample, with every rule set', () => {
    let compared = 0;
    for (const file of xmlFiles(SAMPLES_DIR)) {
      const input = checkInputBytes(readFileSync(file), 20 * 1024 * 1024);
      if (!input.ok || !parseXml(new TextEncoder().encode(input.text), file, input.text).ok) {
        continue;
      }
      for (const [name, r] of rules) {
        const { own, saxon } = both(r, input.text);
        expect({ file, name, own }).toEqual({ file, name, own: saxon });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('on a ~1 MB document, and with thousands of findings capped per assert', () => {
    const r = rules.get('dk-phmr-1.3.sch') as CompiledRules;
    const base = readFileSync(path.join(SAMPLES_DIR, 'dk-phmr-1.3', 'valid', 'blood-pressure-pulse.xml'), 'utf8');
    const large = inflate(base, (_o, bytes) => bytes >= 1024 * 1024);
    const { own, saxon } = both(r, large);
    expect(own).toEqual(saxon);
    // Every measurement without its two methodCodes: four findings per observation, capped per assert.
    const broken = large.replace(/<methodCode [^>]*\/>/g, '');
    const failing = both(r, broken);
    expect(failing.own).toEqual(failing.saxon);
    expect(failing.own.filter((i) => i.severity === 'info').map((i) => i.message)).toContainEqual(
      expect.stringMatching(/more finding\(s\) of DK-PHMR-13-054 not listed/)
    );
  });

  it('takes the ~1 MB document in under a second on its own', () => {
    const r = rules.get('dk-phmr-1.3.sch') as CompiledRules;
    const base = readFileSync(path.join(SAMPLES_DIR, 'dk-phmr-1.3', 'valid', 'blood-pressure-pulse.xml'), 'utf8');
    const large = inflate(base, (_o, bytes) => bytes >= 1024 * 1024);
    const parsed = parseXml(new TextEncoder().encode(large), 'large.xml', large);
    if (!parsed.ok) {
      throw new Error('does not parse');
    }
    try {
      runRules(r, large, parsed.doc);
      const started = performance.now();
      runRules(r, large, parsed.doc);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      parsed.doc.dispose();
    }
  });
});
