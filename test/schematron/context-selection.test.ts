// Rule contexts as selections: which predicates may filter the shared element list, what the plan shares, and what the rules then find.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { isBooleanPredicate, SelectionPlan } from '../../src/schematron/context-selection.js';
import type { CompiledRules } from '../../src/schematron/index.js';
import { compileFixture, fixture, run } from './helpers.js';

describe('isBooleanPredicate', () => {
  it.each<[string, boolean]>([
    ["cda:templateId/@root = '2.16.840.1.113883.10.20.1.35'", true],
    ["@classCode = 'PSN' or self::cda:patient", true],
    ["cda:code/@code = ('8716-3', '30954-2')", true],
    ['cda:effectiveTime/@value', true],
    ['@root', true],
    ['cda:a//cda:b', true],
    ['count(cda:x) gt 1', true],
    ["starts-with(@a, 'x') and @b", true],
    ['1', false],
    ['last()', false],
    ['position() = 2', false],
    ['position() lt 3 and @a', false],
    ['$n', false],
    ['count(../cda:item) - 1', false],
    ['cda:a/count(cda:b)', false],
    ['if (@a) then 1 else @b = 2', false],
    ['@a => count()', false],
    ['.', false],
    ["@a = ']' and last()", false],
  ])('%s → %p', (predicate, expected) => {
    expect(isBooleanPredicate(predicate)).toBe(expected);
  });
});

describe('SelectionPlan', () => {
  it('lists the elements once and shares each first step between patterns', () => {
    const plan = new SelectionPlan();
    expect(plan.pattern(["cda:organizer[cda:templateId/@root = '1']/cda:component"])).toEqual([
      '$kihsch:s2/cda:component',
    ]);
    expect(plan.pattern(["cda:organizer[cda:templateId/@root = '1']", 'cda:organizer'])).toEqual([
      '$kihsch:s2',
      '$kihsch:s1',
    ]);
    expect(plan.variables()).toEqual([
      ['kihsch:all', '//*'],
      ['kihsch:s1', '$kihsch:all/self::cda:organizer'],
      ['kihsch:s2', "$kihsch:s1[cda:templateId/@root = '1']"],
    ]);
  });

  it('keeps absolute paths, and descendant scans for positional predicates', () => {
    const plan = new SelectionPlan();
    expect(plan.pattern(['/cda:ClinicalDocument/cda:author | cda:entry[1]/cda:act', 'cda:x[last()]'])).toEqual([
      '/cda:ClinicalDocument/cda:author',
      '//cda:entry[1]/cda:act',
      '//cda:x[last()]',
    ]);
    expect(plan.variables()).toEqual([]);
  });

  it('does not share a first step whose predicate names a variable, only its name test', () => {
    const plan = new SelectionPlan();
    expect(plan.pattern(['cda:id[@root = $cpr]'])).toEqual(['$kihsch:s1[@root = $cpr]']);
    expect(plan.variables()).toEqual([
      ['kihsch:all', '//*'],
      ['kihsch:s1', '$kihsch:all/self::cda:id'],
    ]);
  });

  it('gives up on contexts that are not plain paths', () => {
    const plan = new SelectionPlan();
    expect(plan.pattern(['cda:a', "id('x')"])).toBeNull();
    expect(plan.pattern(['descendant::cda:a'])).toBeNull();
  });
});

describe('selections.sch: what each context matches', () => {
  let rules: CompiledRules;
  beforeAll(async () => {
    rules = await compileFixture('selections.sch');
  });
  const L = '/cda:list[1]';
  const fired = (id: string): string[] =>
    run(rules, readFileSync(fixture('selections.xml'), 'utf8'))
      .filter((i) => i.ruleId === id)
      .map((i) => i.xpath ?? '');

  it('counts positional predicates among siblings', () => {
    expect(fired('first')).toEqual([
      `${L}/cda:item[1]`,
      `${L}/cda:item[2]/cda:item[1]`,
      `${L}/cda:group[1]/cda:item[1]`,
    ]);
    expect(fired('last')).toEqual([
      `${L}/cda:item[2]/cda:item[2]`,
      `${L}/cda:group[1]/cda:item[1]`,
      `${L}/cda:item[3]`,
    ]);
    expect(fired('second')).toEqual([`${L}/cda:item[2]`, `${L}/cda:item[2]/cda:item[2]`]);
    // count(../item) - 1 is a number, so a position: item b (2 of 3) and item b1 (1 of 2).
    expect(fired('numeric')).toEqual([`${L}/cda:item[2]`, `${L}/cda:item[2]/cda:item[1]`]);
  });

  it('filters by boolean predicates, variables and wildcards in document order', () => {
    expect(fired('twice')).toEqual([
      `${L}/cda:item[1]`,
      `${L}/cda:item[2]/cda:item[2]`,
      `${L}/cda:group[1]/cda:item[1]`,
    ]);
    expect(fired('variable')).toEqual([`${L}/cda:group[1]/cda:item[1]`]);
    expect(fired('any')).toEqual([`${L}/cda:group[1]/cda:item[1]`]);
  });

  it('evaluates current() in a context as the node being matched', () => {
    expect(fired('current')).toEqual([]);
  });

  it('visits a node two branches of a union select once', () => {
    expect(fired('union')).toEqual([`${L}/cda:item[1]`, `${L}/cda:item[2]`, `${L}/cda:item[3]`]);
  });

  it('matches attributes', () => {
    expect(fired('attribute')).toEqual([
      `${L}/cda:item[1]/@value`,
      `${L}/cda:item[2]/cda:item[2]/@value`,
      `${L}/cda:group[1]/cda:item[1]/@value`,
    ]);
  });

  it('still lets the first matching rule of a pattern take a node', () => {
    const both = run(rules, readFileSync(fixture('selections.xml'), 'utf8'))
      .filter((i) => i.ruleId === 'valued' || i.ruleId === 'plain')
      .map((i) => `${i.ruleId}@${i.xpath ?? ''}`);
    expect(both).toEqual([
      `valued@${L}/cda:item[1]`,
      `plain@${L}/cda:item[2]`,
      `plain@${L}/cda:item[2]/cda:item[1]`,
      `valued@${L}/cda:item[2]/cda:item[2]`,
      `valued@${L}/cda:group[1]/cda:item[1]`,
      `plain@${L}/cda:item[3]`,
    ]);
  });
});
