// The SEF cache: a second compile reads the disk, a changed rule file (even an included one) rebuilds.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileSchematronFile, forgetLoadedRules } from '../../src/schematron/index.js';
import type { CompileRulesOptions, CompiledRules } from '../../src/schematron/index.js';
import { fixture, run } from './helpers.js';

/** The SEF is SaxonJS's: a rule set the own engine runs builds none at compile time (engine-seam.test.ts). */
function compileForSaxon(file: string, options: CompileRulesOptions): Promise<CompiledRules> {
  return compileSchematronFile(file, { ...options, engine: 'saxonjs' });
}

describe('SEF cache', () => {
  let dir: string;
  let cacheDir: string;
  let main: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kih-sch-cache-'));
    cacheDir = path.join(dir, 'cache');
    // A copy of structure.sch and its includes, so the test can edit an included file.
    await cp(fixture('structure.sch'), path.join(dir, 'rules', 'structure.sch'));
    await cp(fixture('include'), path.join(dir, 'rules', 'include'), { recursive: true });
    main = path.join(dir, 'rules', 'structure.sch');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('compiles once, then reads the SEF from memory and, in a fresh process, from disk', async () => {
    const first = await compileForSaxon(main, { cacheDir });
    expect(first.origin).toBe('compiled');
    expect(first.timings.xsltToSefMs).toBeGreaterThan(0);
    const files = await readdir(cacheDir);
    expect(files.sort()).toEqual([`${first.key}.sef.json`, `${first.key}.xsl`]);

    expect((await compileForSaxon(main, { cacheDir })).origin).toBe('memory');
    forgetLoadedRules(); // what a new process or worker thread sees
    const fromDisk = await compileForSaxon(main, { cacheDir });
    expect(fromDisk).toMatchObject({ origin: 'disk', key: first.key, sourceHash: first.sourceHash });
    expect(fromDisk.timings.xsltToSefMs).toBeUndefined();
  });

  it('rebuilds when an included file changes, and the new rule takes effect', async () => {
    const before = await compileForSaxon(main, { cacheDir });
    const rule = path.join(dir, 'rules', 'include', 'note-rule.sch');
    await writeFile(rule, (await readFile(rule, 'utf8')).replace('note is empty', 'note is blank'));
    const after = await compileForSaxon(main, { cacheDir });
    expect(after.origin).toBe('compiled');
    expect(after.key).not.toBe(before.key);
    expect(after.sourceHash).not.toBe(before.sourceHash);
    const issues = run(after, await readFile(fixture('structure.xml'), 'utf8'));
    expect(issues.find((i) => i.ruleId === 'note-not-empty')?.message).toBe('note is blank');
  });

  it('compiles without caching when the cache directory cannot be created', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, '');
    forgetLoadedRules();
    const rules = await compileForSaxon(main, { cacheDir: path.join(blocker, 'cache') });
    expect(rules.origin).toBe('compiled');
  });

  it('does not touch the cache with useCache: false', async () => {
    const scratch = path.join(dir, 'unused');
    const rules = await compileForSaxon(main, { cacheDir: scratch, useCache: false });
    expect(rules.origin).toBe('compiled');
    await expect(readdir(scratch)).rejects.toThrow();
  });
});
