// The seam between the engines: only the own engine's declared fallback reaches SaxonJS, with its reason; a defect is an error.
import { describe, expect, it } from '@jest/globals';
import { ownEngine, runRules, runRuleSet } from '../../src/schematron/index.js';
import type { CompiledRules, OwnEngine } from '../../src/schematron/index.js';
import { compileFixture } from './helpers.js';

const VALID = '<list xmlns="urn:hl7-org:v3"><item n="1" value="5"/></list>';
/** xs:integer('abc') raises FORG0001: a dynamic error, which the own engine leaves to SaxonJS. */
const DYNAMIC_ERROR = '<list xmlns="urn:hl7-org:v3"><item n="1" value="abc"/></list>';

describe('the engine seam', () => {
  it('runs a document within the subset on the own engine, with no fallback', async () => {
    const rules = await compileFixture('basics.sch');
    expect(rules.engine).toBe('own');
    expect(runRuleSet(rules, VALID)).toEqual({ issues: expect.any(Array), engine: 'own' });
    expect(rules.stats).toEqual({ own: 1, saxonjs: 0 });
  });

  it("gives SaxonJS's findings for a document the own engine declares outside its subset, and says why", async () => {
    const rules = await compileFixture('basics.sch');
    const run = runRuleSet(rules, DYNAMIC_ERROR);
    expect(run).toMatchObject({ engine: 'saxonjs', fallback: expect.stringMatching(/^NeedsSaxon: FORG0001/) });
    expect(rules.stats).toEqual({ own: 0, saxonjs: 1, lastFallback: run.fallback });
    expect(run.issues.filter((i) => /could not be evaluated/.test(i.message))).not.toEqual([]);
    expect(run.issues).toEqual(runRules(rules, DYNAMIC_ERROR, undefined, { engine: 'saxonjs' }));
  });

  it('turns any other error inside the own engine into SCH_ERR_RUNTIME, without running SaxonJS', async () => {
    const rules = await compileFixture('basics.sch');
    const own = rules.own as OwnEngine;
    const faulty: CompiledRules = {
      ...rules,
      own: ownEngine(own.plan, {
        afterTree: () => {
          throw new TypeError('injected defect');
        },
      }),
    };
    expect(() => runRules(faulty, VALID)).toThrow(
      expect.objectContaining({
        code: 'SCH_ERR_RUNTIME',
        message: expect.stringMatching(/own Schematron engine failed .*TypeError: injected defect/),
      })
    );
    expect(rules.stats).toEqual({ own: 0, saxonjs: 0 });
    // The same rule set without the fault runs as before.
    expect(runRuleSet(rules, VALID).engine).toBe('own');
  });
});
