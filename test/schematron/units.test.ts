// Small pure pieces of the engine: role mapping, the attribute-walk heuristic, and compiler-message mapping.
import { describe, expect, it } from '@jest/globals';
import { finalElementNames, mayMatchAttribute } from '../../src/schematron/compile-schematron.js';
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

describe('finalElementNames', () => {
  const ns = new Map([['cda', 'urn:hl7-org:v3']]);
  it.each<[string, { uri: string; local: string }[] | null]>([
    ['cda:observation', [{ uri: 'urn:hl7-org:v3', local: 'observation' }]],
    [
      "/cda:ClinicalDocument/cda:recordTarget[cda:x = 'a/b|c']/cda:patientRole",
      [{ uri: 'urn:hl7-org:v3', local: 'patientRole' }],
    ],
    ["cda:section[cda:code/@code = ('8716-3', '30954-2')]/cda:entry", [{ uri: 'urn:hl7-org:v3', local: 'entry' }]],
    [
      'cda:act | //cda:organizer[cda:templateId]',
      [
        { uri: 'urn:hl7-org:v3', local: 'act' },
        { uri: 'urn:hl7-org:v3', local: 'organizer' },
      ],
    ],
    ['plain', [{ uri: '', local: 'plain' }]],
    ['/', null],
    ['cda:*', null],
    ['cda:observation/@moodCode', null],
    ['node()', null],
    ['descendant::cda:x', null],
    ['(cda:a | cda:b)/cda:c', null],
    ['unknown:thing', null],
  ])('%s', (context, expected) => {
    expect(finalElementNames(context, ns)).toEqual(expected);
  });
});
