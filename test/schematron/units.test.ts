// Small pure pieces of the engine: role mapping, the attribute-walk heuristic, and compiler-message mapping.
import { describe, expect, it } from '@jest/globals';
import { contextSelection, mayMatchAttribute } from '../../src/schematron/compile-schematron.js';
import { severityOf } from '../../src/schematron/run-schematron.js';
import { explainCompilerOutput } from '../../src/schematron/sef-cache.js';

type RoleCase = [role: string | undefined, kind: 'assert' | 'report', severity: 'error' | 'warning' | 'info'];

describe('severityOf', () => {
  it.each<RoleCase>([
    ['error', 'assert', 'error'],
    ['FATAL', 'assert', 'error'],
    ['warning', 'assert', 'warning'],
    [' warn ', 'report', 'warning'],
    ['info', 'assert', 'info'],
    ['Information', 'assert', 'info'],
    [undefined, 'assert', 'error'],
    [undefined, 'report', 'info'],
    ['hint', 'assert', 'error'],
    ['hint', 'report', 'info'],
    ['error', 'report', 'error'],
  ])('role %p on an %s is %s', (role, kind, severity) => {
    expect(severityOf(role, kind)).toBe(severity);
  });

  type FlagCase = [flag: string, role: string | undefined, kind: 'assert' | 'report', severity: string];
  it.each<FlagCase>([
    ['warning', undefined, 'assert', 'warning'],
    [' Info ', undefined, 'assert', 'info'],
    ['fatal', undefined, 'report', 'error'],
    ['warning', 'error', 'assert', 'warning'],
    ['dateCheck', 'warning', 'assert', 'warning'],
    ['dateCheck', undefined, 'assert', 'error'],
    ['dateCheck', undefined, 'report', 'info'],
  ])('flag %p (role %p) on an %s is %s: a severity word in flag wins over role', (flag, role, kind, severity) => {
    expect(severityOf(role, kind, flag)).toBe(severity);
  });
});

describe('mayMatchAttribute', () => {
  it.each([
    ['cda:observation', false],
    ['cda:observation[@classCode = "OBS"]', false],
    ["cda:*[@classCode = 'PSN']/cda:name", false],
    ['cda:a[cda:b[@c]]/cda:d', false],
    ["cda:a[. = '@']", false],
    ['cda:value/@unit', true],
    ['@xsi:type', true],
    ['cda:a | @b', true],
    ['attribute(code)', true],
    ['$nodes', true],
    ['.', true],
    ['node()', false],
  ])('%s → %p', (context, expected) => {
    expect(mayMatchAttribute(context)).toBe(expected);
  });
});

describe('explainCompilerOutput', () => {
  const xslt = [
    '<a>',
    '<!-- rule 1 of pattern p at rules.sch:10 -->',
    '<b/>',
    '<!-- assert x at rules.sch:12 -->',
    '<c/>',
    '<d/>',
  ].join('\n');
  it('adds the nearest source comment above the reported line', () => {
    expect(explainCompilerOutput('Static error on line 6', xslt)).toBe(
      'Static error on line 6\n(in the assert x at rules.sch:12)'
    );
    expect(explainCompilerOutput('Static error on line 3', xslt)).toMatch(/rule 1 of pattern p at rules\.sch:10/);
  });
  it('leaves messages without a line alone', () => {
    expect(explainCompilerOutput('Out of memory', xslt)).toBe('Out of memory');
  });
});

describe('contextSelection', () => {
  it.each<[string, string | null]>([
    ['cda:observation', '//cda:observation'],
    ['/cda:ClinicalDocument/cda:recordTarget', '/cda:ClinicalDocument/cda:recordTarget'],
    [
      "cda:section[cda:code/@code = ('8716-3', '30954-2')]/cda:entry",
      "//cda:section[cda:code/@code = ('8716-3', '30954-2')]/cda:entry",
    ],
    ["cda:act | /cda:a[@x = 'p|q']", "//cda:act | /cda:a[@x = 'p|q']"],
    ['cda:observation/@moodCode', '//cda:observation/@moodCode'],
    ['/', '/'],
    ['*[cda:templateId]', '//*[cda:templateId]'],
    ['node()', null],
    ["id('x')", null],
    ['$nodes', null],
    ['descendant::cda:x', null],
    ['(cda:a | cda:b)/cda:c', null],
    ['cda:a/../cda:b', null],
  ])('%s', (context, expected) => {
    expect(contextSelection(context)).toBe(expected);
  });
});
