// The seam between the engines: only the own engine's declared fallback reaches SaxonJS, with its reason; a defect is an error; the SEF is built only when SaxonJS is needed.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { forgetLoadedRules, ownEngine, runRules, runRuleSet } from '../../src/schematron/index.js';
import type { CompiledRules, OwnEngine } from '../../src/schematron/index.js';
import { compileFixture } from './helpers.js';

const VALID = '<list xmlns="urn:hl7-org:v3"><item n="1" value="5"/></list>';
/** xs:integer('abc') raises FORG0001: a dynamic error, which the own engine leaves to SaxonJS. */
const DYNAMIC_ERROR = '<list xmlns="urn:hl7-org:v3"><item n="1" value="abc"/></list>';

describe('the engine seam', () => {
  let cacheDir: string;
  beforeEach(async () => {
    // A fresh cache and memo per test: whatever SEF appears was built by that test.
    forgetLoadedRules();
    cacheDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'kih-sch-seam-')), 'cache');
  });
  afterEach(async () => {
    await rm(path.dirname(cacheDir), { recursive: true, force: true });
  });

  /** basics.sch with its own cache; `useCache: false` would hide what the engine writes. */
  const compile = (): Promise<CompiledRules> => compileFixture('basics.sch', { cacheDir });

  it('builds no SEF for a rule set within the subset while the own engine decides every document', async () => {
    const rules = await compile();
    expect(rules).toMatchObject({ engine: 'own', origin: 'deferred' });
    expect(rules.saxonjs.load).toBeUndefined();
    expect(runRuleSet(rules, VALID)).toEqual({ issues: expect.any(Array), engine: 'own' });
    expect(rules.stats).toEqual({ own: 1, saxonjs: 0 });
    expect(rules.saxonjs.load).toBeUndefined();
    await expect(readdir(cacheDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("gives SaxonJS's findings for a document the own engine declares outside its subset, and says why", async () => {
    const rules = await compile();
    const run = runRuleSet(rules, DYNAMIC_ERROR);
    expect(run).toMatchObject({ engine: 'saxonjs', fallback: expect.stringMatching(/^NeedsSaxon: FORG0001/) });
    expect(rules.stats).toEqual({ own: 0, saxonjs: 1, lastFallback: run.fallback });
    expect(run.issues.filter((i) => /could not be evaluated/.test(i.message))).not.toEqual([]);
    expect(run.issues).toEqual(runRules(rules, DYNAMIC_ERROR, undefined, { engine: 'saxonjs' }));
    // The SEF was built then, on first need, into the cache.
    expect(rules.saxonjs.load?.origin).toBe('compiled');
    expect((await readdir(cacheDir)).sort()).toEqual([`${rules.key}.sef.json`, `${rules.key}.xsl`]);
  });

  it('turns any other error inside the own engine into SCH_ERR_RUNTIME, without running SaxonJS', async () => {
    const rules = await compile();
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
    await expect(readdir(cacheDir)).rejects.toMatchObject({ code: 'ENOENT' });
    // The same rule set without the fault runs as before.
    expect(runRuleSet(rules, VALID).engine).toBe('own');
  });

  it('builds the SEF at compile time when SaxonJS runs the rule set', async () => {
    const rules = await compileFixture('basics.sch', { cacheDir, engine: 'saxonjs' });
    expect(rules).toMatchObject({ engine: 'saxonjs', origin: 'compiled' });
    expect(rules.own).toBeUndefined();
    expect(await readdir(cacheDir)).toContain(`${rules.key}.sef.json`);
    expect(runRuleSet(rules, VALID).engine).toBe('saxonjs');
  });
});
