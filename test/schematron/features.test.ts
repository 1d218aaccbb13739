// Each Schematron feature the compiler supports, checked by the findings it produces on small documents.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CompiledRules } from '../../src/schematron/index.js';
import { createRuleSets } from '../../src/validation/rule-sets.js';
import { compileFixture, fixture, FIXTURES, run, summary, TEST_CACHE_DIR } from './helpers.js';

const L = '/cda:list[1]';

describe('basics.sch', () => {
  let rules: CompiledRules;
  beforeAll(async () => {
    rules = await compileFixture('basics.sch');
  });
  const findings = (): ReturnType<typeof run> => run(rules, readFileSync(fixture('basics.xml'), 'utf8'));

  it('reports what the schema is', () => {
    expect(rules).toMatchObject({ phase: '#ALL', title: 'Basics', patternCount: 4, assertCount: 10 });
    expect(rules.warnings).toEqual([expect.stringContaining('1 assert/report element(s) have no id')]);
  });

  it('applies the first matching rule of a pattern only', () => {
    const masking = findings().filter((i) => ['special-seen', 'item-has-value'].includes(i.ruleId));
    // item c is special: the first rule takes it, so the second rule's assert never sees it.
    expect(summary(masking)).toEqual([`item-has-value@${L}/cda:item[2]`, `special-seen@${L}/cda:item[3]`]);
  });

  it('evaluates schema, pattern and rule lets (typed, per context node)', () => {
    const range = findings().find((i) => i.ruleId === 'value-in-range');
    expect(range).toMatchObject({
      severity: 'warning',
      message: 'value 500 of item d exceeds 100 (one of 5 items, the first is a)',
      xpath: `${L}/cda:item[4]`,
      test: '$v le $maxValue',
    });
  });

  it('turns a dynamic error into an error finding on that node instead of failing the run', () => {
    // In a rule's let: reported under the rule (its id, or pattern-id/rule-index).
    const inLet = findings().find((i) => i.ruleId === 'lets/1');
    expect(inLet).toMatchObject({ severity: 'error', xpath: `${L}/cda:item[5]`, test: 'cda:item[@value]' });
    expect(inLet?.message).toMatch(/^The rule's variables could not be evaluated here \(err:FORG0001\).*"abc"/);
    // In a test: reported under the assert, as an error whatever its role.
    const inTest = findings().find((i) => i.ruleId === 'numeric-values');
    expect(inTest).toMatchObject({ severity: 'error', xpath: L });
    expect(inTest?.message).toMatch(/^The test could not be evaluated here \(err:FORG0001\)/);
  });

  it('builds messages from text, value-of, name and emph; keeps see', () => {
    expect(findings().find((i) => i.ruleId === 'list-name')).toMatchObject({
      message: 'element list with child item at root',
      see: 'https://example.org/rules#list',
      line: 2,
    });
  });

  it('appends diagnostics, evaluated on the context node', () => {
    expect(findings().find((i) => i.ruleId === 'list-diag')?.message).toBe('too many items (found 5; first is a)');
  });

  it('maps roles to severities; a report without role is info', () => {
    const bySeverity = Object.fromEntries(findings().map((i) => [i.ruleId, i.severity]));
    expect(bySeverity).toMatchObject({
      'item-has-value': 'error',
      'value-in-range': 'warning',
      'list-diag': 'warning',
      'attr-subject': 'error',
      'messages/1/5': 'info',
      'no-role-report': 'info',
      'special-seen': 'info',
    });
  });

  it('locates a finding at its subject and gives asserts without id a stable generated id', () => {
    expect(findings().find((i) => i.ruleId === 'attr-subject')).toMatchObject({ xpath: `${L}/@flagged`, line: 2 });
    expect(findings().find((i) => i.ruleId === 'messages/1/5')).toMatchObject({ message: 'an assert without id' });
  });

  it('copies xsl:function and evaluates a let given as content', () => {
    expect(findings().find((i) => i.ruleId === 'function-called')?.message).toBe('hello: twice the items is 10');
  });

  it('lists every finding once, patterns in schema order', () => {
    expect(summary(findings())).toEqual([
      `item-has-value@${L}/cda:item[2]`,
      `special-seen@${L}/cda:item[3]`,
      `value-in-range@${L}/cda:item[4]`,
      `lets/1@${L}/cda:item[5]`,
      `list-name@${L}`,
      `list-diag@${L}`,
      `no-role-report@${L}`,
      `attr-subject@${L}/@flagged`,
      `messages/1/5@${L}`,
      `function-called@${L}`,
      `numeric-values@${L}`,
    ]);
  });

  describe('caps', () => {
    const many = (n: number): string =>
      `<list xmlns="urn:hl7-org:v3">\n${Array.from({ length: n }, (_, i) => `<item n="${i}"/>`).join('\n')}\n</list>`;

    it('lists at most 100 findings per assert by default, then one info notice', () => {
      const missing = run(rules, many(250)).filter((i) => i.ruleId === 'item-has-value');
      expect(missing).toHaveLength(101);
      expect(missing[99]).toMatchObject({ xpath: `${L}/cda:item[100]`, line: 101, severity: 'error' });
      expect(missing[100]).toMatchObject({
        severity: 'info',
        message: '150 more finding(s) of item-has-value not listed (limit 100 per assert; 250 in all).',
        test: '@value',
      });
      expect(missing[100]?.xpath).toBeUndefined();
    });

    it('takes another limit per run', () => {
      const missing = run(rules, many(20), { maxFindingsPerAssert: 3 }).filter((i) => i.ruleId === 'item-has-value');
      expect(missing.map((i) => i.severity)).toEqual(['error', 'error', 'error', 'info']);
      expect(missing[3]?.message).toMatch(/^17 more finding\(s\)/);
    });

    it('stays fast with thousands of findings', () => {
      const started = Date.now();
      const issues = run(rules, many(5000));
      expect(issues.filter((i) => i.ruleId === 'item-has-value')).toHaveLength(101);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});

describe('structure.sch: include, extends, abstract patterns', () => {
  let rules: CompiledRules;
  beforeAll(async () => {
    rules = await compileFixture('structure.sch');
  });

  it('reads every included file once, relative to the file that includes it', () => {
    expect(rules.sources.map((s) => path.relative(FIXTURES, s))).toEqual([
      'structure.sch',
      'include/note-rule.sch',
      'include/section-pattern.sch',
      'include/sub/section-rule.sch',
      'include/library.sch',
    ]);
  });

  it('finds what the included, extended and instantiated rules say', () => {
    const issues = run(rules, readFileSync(fixture('structure.xml'), 'utf8'));
    const D = '/cda:doc[1]';
    expect(summary(issues)).toEqual([
      // extends: has-value (with its let) and, through it, has-code from the global sch:rules.
      `code-present@${D}/cda:obs[2]`,
      `obs-has-id@${D}/cda:obs[2]`,
      `value-present@${D}/cda:obs[3]`,
      `code-present@${D}/cda:obs[3]`,
      // a rule included into a pattern
      `note-not-empty@${D}/cda:note[1]`,
      // a pattern included at schema level, which includes a rule from a subfolder
      `section-has-code@${D}/cda:section[2]`,
      // only the fragment #fragment-pattern of library.sch
      `note-lang@${D}/cda:note[1]`,
      // two instances of one abstract pattern, with $parent and $child substituted
      `child-present@${D}/cda:obs[2]`,
      `child-present@${D}/cda:section[2]`,
    ]);
    expect(issues.find((i) => i.ruleId === 'value-present')?.message).toBe('obs has no value');
    expect(issues.filter((i) => i.ruleId === 'child-present').map((i) => [i.message, i.test])).toEqual([
      ['obs must contain cda:unit', 'cda:unit'],
      ['section must contain cda:title', 'cda:title'],
    ]);
  });
});

describe('phases.sch', () => {
  const xml = readFileSync(fixture('phases.xml'), 'utf8');
  const values = (issues: ReturnType<typeof run>, id: string): string[] =>
    issues.filter((i) => i.ruleId === id).map((i) => i.message);

  it('uses defaultPhase when no phase is asked for, with the phase let overriding the schema let', async () => {
    const rules = await compileFixture('phases.sch');
    expect(rules.phase).toBe('quick');
    const issues = run(rules, xml);
    expect(values(issues, 'under-limit')).toEqual([
      'value 20 is above 10',
      'value 200 is above 10',
      'value 2000 is above 10',
    ]);
    expect(values(issues, 'extra-seen')).toEqual([]);
    // #DEFAULT and the phase it names compile to the same stylesheet, so the second comes from memory.
    const named = await compileFixture('phases.sch', { phase: 'quick' });
    expect(named.key).toBe(rules.key);
    expect(named.origin).toBe('memory');
  });

  it('runs only the patterns a named phase activates', async () => {
    const issues = run(await compileFixture('phases.sch', { phase: 'full' }), xml);
    expect(values(issues, 'under-limit')).toEqual(['value 2000 is above 1000']);
    expect(values(issues, 'extra-seen')).toHaveLength(4);
  });

  it('runs every pattern with the schema lets under #ALL', async () => {
    const rules = await compileFixture('phases.sch', { phase: '#ALL' });
    const issues = run(rules, xml);
    expect(values(issues, 'under-limit')).toEqual(['value 200 is above 50', 'value 2000 is above 50']);
    expect(values(issues, 'extra-seen')).toEqual(['item 5 seen', 'item 20 seen', 'item 200 seen', 'item 2000 seen']);
  });
});

describe('third-party.sch: no queryBinding, severities in flag', () => {
  let rules: CompiledRules;
  beforeAll(async () => {
    rules = await compileFixture('third-party.sch');
  });

  it('compiles as queryBinding xslt, on the own engine, with a note on XPath 1.0', () => {
    expect(rules.engine).toBe('own');
    expect(rules.warnings).toEqual([
      expect.stringMatching(/^queryBinding "xslt" \(XPath 1\.0\): expressions run as XPath 2\.0/),
    ]);
  });

  it('hands the note to the run report, for --verbose and the JSON tool section', async () => {
    const sets = createRuleSets({
      builtinRules: false,
      schematron: [fixture('third-party.sch')],
      rulesCacheDir: TEST_CACHE_DIR,
    });
    await sets.prepare();
    expect(sets.notes()).toEqual({ [fixture('third-party.sch')]: rules.warnings });
  });

  it('takes severity from a flag that names one, else from the role, else the default', () => {
    // run() also asserts that SaxonJS, reading the SVRL, gives the same findings.
    const issues = run(rules, readFileSync(fixture('phases.xml'), 'utf8'));
    const item = (n: number): string => `/cda:list[1]/cda:item[${n}]`;
    expect(issues.map((i) => [i.ruleId, i.severity, i.xpath])).toEqual([
      ['free-flag', 'error', item(1)],
      ['report-plain', 'info', item(1)],
      ['flag-over-role', 'warning', item(2)],
      ['free-flag-role', 'warning', item(2)],
      ['flag-warning', 'warning', item(3)],
      ['flag-over-role', 'warning', item(3)],
      ['report-flag-error', 'error', item(3)],
      ['flag-warning', 'warning', item(4)],
      ['flag-info', 'info', item(4)],
      ['flag-over-role', 'warning', item(4)],
      ['plain', 'error', item(4)],
    ]);
  });
});
