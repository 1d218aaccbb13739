// The clause-coverage tables in docs/rules-*.md match the rule files' see attributes and the clause inventories, and every clause is checked or says why not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import {
  COVERAGE_PAGES,
  coverageProblems,
  readInventory,
  regenerateCoverage,
  renderCoverage,
  ruleRefs,
  spliceCoverage,
} from '../../src/rules/clause-coverage.js';
import type { ClauseInventory } from '../../src/rules/clause-coverage.js';
import { assertIds, RULES_DIR } from '../helpers/rules.js';

const profiles = COVERAGE_PAGES.flatMap((page) => page.profiles);

describe('clause coverage', () => {
  it('covers the four DK rule sets', () => {
    expect([...profiles].sort()).toEqual(['dk-phmr-1.3', 'dk-phmr-2.1', 'dk-qfdd-1.2', 'dk-qrd-1.3']);
  });

  it.each(profiles)('%s: reads every assert id of the rule file', (profile) => {
    const file = path.join(RULES_DIR, `${profile}.sch`);
    expect(ruleRefs(readFileSync(file, 'utf8')).map((r) => r.id)).toEqual(assertIds(file));
  });

  it.each(profiles)('%s: every see names inventory clauses, and every clause is checked or says why not', (profile) => {
    const inventory = readInventory(path.join(RULES_DIR, 'clauses', `${profile}.json`));
    expect(inventory.profile).toBe(profile);
    const refs = ruleRefs(readFileSync(path.join(RULES_DIR, `${profile}.sch`), 'utf8'));
    expect(coverageProblems(inventory, refs)).toEqual([]);
  });

  it.each(regenerateCoverage(PACKAGE_ROOT).map((r) => [r.doc, r] as const))(
    '%s carries the generated tables (run npm run docs:rules after changing a rule or an inventory)',
    (doc, result) => {
      expect(result.problems).toEqual([]);
      expect(readFileSync(path.join(PACKAGE_ROOT, doc), 'utf8')).toBe(result.text);
    }
  );

  describe('finds inconsistencies', () => {
    const inventory: ClauseInventory = {
      profile: 'demo',
      title: 'Demo',
      provenance: 'test',
      clauses: [
        { id: 'C1', requirement: 'one realmCode' },
        { id: 'C2', requirement: 'one typeId' },
        { id: 'C3', requirement: 'one id', unchecked: { reason: 'left to XSD', why: 'required by the schema' } },
      ],
    };
    const sch = (see: string): string =>
      `<schema><pattern id="p"><rule context="/"><assert id="R-1" role="error" see="${see}" test="true()">x</assert></rule></pattern></schema>`;

    it('accepts a consistent pair and renders one row per clause', () => {
      const refs = ruleRefs(sch('C1; C2'));
      expect(refs).toEqual([{ id: 'R-1', clauses: ['C1', 'C2'] }]);
      expect(coverageProblems(inventory, refs)).toEqual([]);
      const table = renderCoverage(inventory, refs);
      expect(table).toContain('| C1 | one realmCode | `R-1` |');
      expect(table).toContain('| C3 | one id | *left to XSD*: required by the schema |');
      expect(table).toContain('3 clauses: 2 checked, 1 not checked (left to XSD: 1).');
    });

    it('reports a see naming an unknown clause', () => {
      expect(coverageProblems(inventory, ruleRefs(sch('C1; C2; C9')))).toEqual([
        'demo: R-1 names clause "C9", which is not in the inventory',
      ]);
    });

    it('reports a clause that is neither checked nor explained', () => {
      expect(coverageProblems(inventory, ruleRefs(sch('C1')))).toEqual([
        'demo: clause C2 is neither checked by a rule nor given a reason',
      ]);
    });

    it('reports a reason on a clause that a rule checks', () => {
      expect(coverageProblems(inventory, ruleRefs(sch('C1; C2; C3')))).toEqual([
        'demo: clause C3 is checked by a rule but still gives a reason for not being checked',
      ]);
    });

    it('takes the pattern see when an assert has none', () => {
      const text = '<pattern id="p" see="C2"><rule context="/"><assert id="R-2" test="1">x</assert></rule></pattern>';
      expect(ruleRefs(text)).toEqual([{ id: 'R-2', clauses: ['C2'] }]);
    });

    it('replaces an existing section between its markers and appends a missing one', () => {
      const section = renderCoverage(inventory, ruleRefs(sch('C1; C2')));
      const once = spliceCoverage('# Page\n', 'demo', section);
      expect(once).toBe(`# Page\n\n${section}\n`);
      expect(spliceCoverage(once.replace('one realmCode', 'stale'), 'demo', section)).toBe(once);
    });
  });
});
