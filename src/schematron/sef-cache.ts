// Compiles generated XSLT to SaxonJS's SEF with xslt3, cached on disk by a hash of the rules and the compiler.
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isKihError } from '../core/kih-error.js';
import { PACKAGE_ROOT } from '../core/package-info.js';
import { COMPILER_VERSION } from './compile-schematron.js';
import { schematronError } from './errors.js';
import { compilerVersions, xslt3Script } from './saxon.js';

export const DEFAULT_CACHE_DIR = path.join(PACKAGE_ROOT, '.cache', 'schematron');

/** The xslt3 compiler needs a second or two for large rule sets; a hung child must not hang a build. */
const COMPILE_TIMEOUT_MS = 300_000;

export interface SefRequest {
  readonly xslt: string;
  /** Hash of the .sch and all its includes. */
  readonly sourceHash: string;
  /** Default: `<package root>/.cache/schematron`. */
  readonly cacheDir?: string;
  /** `false` compiles afresh and writes nothing (e.g. a read-only install). */
  readonly useCache?: boolean;
  /** Told when xslt3 starts and ends a compile (a cache miss only), so a caller can show progress. */
  readonly onCompile?: (event: SefCompileEvent) => void;
}

/**
 * A compile starting (`sync`: it blocks this thread, so no timer can fire until it ends) or ending.
 */
export type SefCompileEvent =
  | { readonly phase: 'start'; readonly sync: boolean }
  | { readonly phase: 'end'; readonly ms: number; readonly ok: boolean };

type Notify = SefRequest['onCompile'];

export interface SefResult {
  readonly key: string;
  /** The SEF JSON text. */
  readonly sefText: string;
  readonly origin: 'disk' | 'compiled';
  /** Path of the cached SEF, when one was read or written. */
  readonly file?: string;
  readonly compileMs?: number;
}

/**
 * The cache key: rule sources, the generated XSLT (which covers phase and compiler changes) and the
 * versions of our compiler and of xslt3/SaxonJS.
 */
export function sefCacheKey(xslt: string, sourceHash: string): string {
  const versions = compilerVersions();
  return createHash('sha256')
    .update(
      [
        `kih-schematron ${COMPILER_VERSION}`,
        `xslt3 ${versions.xslt3}`,
        `saxon-js ${versions.saxonJs}`,
        `sources ${sourceHash}`,
        `xslt ${createHash('sha256').update(xslt).digest('hex')}`,
      ].join('\n')
    )
    .digest('hex');
}

interface ChildResult {
  readonly code: number | null;
  readonly output: string;
}

const CHILD_OPTIONS = { timeout: COMPILE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, windowsHide: true } as const;

function runXslt3(args: readonly string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [xslt3Script(), ...args], CHILD_OPTIONS, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        // Spawn failure or timeout, not a compiler verdict.
        reject(new Error(err.message, { cause: err }));
        return;
      }
      resolve({ code: err ? (err.code as number) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** runXslt3 for a caller that cannot wait: SaxonJS needed in the middle of a synchronous run. */
function runXslt3Sync(args: readonly string[]): ChildResult {
  const r = spawnSync(process.execPath, [xslt3Script(), ...args], { ...CHILD_OPTIONS, encoding: 'utf8' });
  if (r.error || r.status === null) {
    // Spawn failure, timeout or a signal: not a compiler verdict.
    throw new Error(r.error?.message ?? `xslt3 ended by ${r.signal ?? 'a signal'}`, { cause: r.error });
  }
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * Points compiler messages ("on line 123") back at the rule file: the generated XSLT carries a
 * `<!-- … at file:line -->` comment before each rule and assert.
 */
export function explainCompilerOutput(output: string, xslt: string): string {
  const m = /line (\d+)/.exec(output);
  if (!m) {
    return output;
  }
  const lines = xslt.split('\n');
  for (let i = Math.min(Number(m[1]), lines.length) - 1; i >= 0; i--) {
    const c = /<!-- (.* at .*) -->/.exec(lines[i] ?? '');
    if (c) {
      return `${output}\n(in the ${c[1] ?? ''})`;
    }
  }
  return output;
}

function sefPaths(workDir: string, stem: string): { xslFile: string; sefFile: string } {
  return {
    xslFile: path.join(workDir, `${stem}.xsl`),
    // A unique temporary name, renamed into place by the caller: concurrent workers never read a half-written SEF.
    sefFile: path.join(workDir, `${stem}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`),
  };
}

function xslt3Args(xslFile: string, sefFile: string): string[] {
  return [`-xsl:${xslFile}`, `-export:${sefFile}`, '-nogo', '-relocate:on'];
}

function notRun(err: unknown): Error {
  return schematronError(
    'SCH_ERR_COMPILE',
    `The xslt3 compiler could not be run: ${err instanceof Error ? err.message : String(err)}`,
    err
  );
}

function doesNotCompile(xslFile: string, output: string, xslt: string): Error {
  return schematronError(
    'SCH_ERR_COMPILE',
    `The generated XSLT (${xslFile}) does not compile:\n${explainCompilerOutput(output, xslt)}`
  );
}

async function compileSef(
  xslt: string,
  workDir: string,
  stem: string,
  notify: Notify
): Promise<{ sefFile: string; ms: number }> {
  const { xslFile, sefFile } = sefPaths(workDir, stem);
  await writeFile(xslFile, xslt);
  const started = performance.now();
  notify?.({ phase: 'start', sync: false });
  let result: ChildResult;
  try {
    result = await runXslt3(xslt3Args(xslFile, sefFile));
  } catch (err) {
    notify?.({ phase: 'end', ms: Math.round(performance.now() - started), ok: false });
    throw notRun(err);
  }
  const ms = Math.round(performance.now() - started);
  notify?.({ phase: 'end', ms, ok: result.code === 0 });
  if (result.code !== 0) {
    await rm(sefFile, { force: true });
    throw doesNotCompile(xslFile, result.output, xslt);
  }
  return { sefFile, ms };
}

function compileSefSync(xslt: string, workDir: string, stem: string, notify: Notify): { sefFile: string; ms: number } {
  const { xslFile, sefFile } = sefPaths(workDir, stem);
  writeFileSync(xslFile, xslt);
  const started = performance.now();
  notify?.({ phase: 'start', sync: true });
  let result: ChildResult;
  try {
    result = runXslt3Sync(xslt3Args(xslFile, sefFile));
  } catch (err) {
    notify?.({ phase: 'end', ms: Math.round(performance.now() - started), ok: false });
    throw notRun(err);
  }
  const ms = Math.round(performance.now() - started);
  notify?.({ phase: 'end', ms, ok: result.code === 0 });
  if (result.code !== 0) {
    rmSync(sefFile, { force: true });
    throw doesNotCompile(xslFile, result.output, xslt);
  }
  return { sefFile, ms };
}

async function compileUncached(xslt: string, key: string, notify: Notify): Promise<SefResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kih-sch-'));
  try {
    const { sefFile, ms } = await compileSef(xslt, dir, key, notify);
    return { key, sefText: await readFile(sefFile, 'utf8'), origin: 'compiled', compileMs: ms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Returns the SEF for the XSLT: from the cache when the key matches, otherwise compiled (and cached). */
export async function obtainSef(request: SefRequest): Promise<SefResult> {
  const key = sefCacheKey(request.xslt, request.sourceHash);
  if (request.useCache === false) {
    return compileUncached(request.xslt, key, request.onCompile);
  }
  const dir = request.cacheDir ?? DEFAULT_CACHE_DIR;
  const file = path.join(dir, `${key}.sef.json`);
  try {
    return { key, sefText: await readFile(file, 'utf8'), origin: 'disk', file };
  } catch {
    // Absent or unreadable: a miss either way (entries are renamed into place whole, never partial).
  }
  try {
    await mkdir(dir, { recursive: true });
    // The .xsl stays next to the SEF: it is what a rule author reads when a finding looks wrong.
    const { sefFile, ms } = await compileSef(request.xslt, dir, key, request.onCompile);
    const sefText = await readFile(sefFile, 'utf8');
    await rename(sefFile, file);
    return { key, sefText, origin: 'compiled', file, compileMs: ms };
  } catch (err) {
    if (isKihError(err)) {
      throw err;
    }
    // The cache cannot be written (a read-only install): still validate, compiling once per process.
    return compileUncached(request.xslt, key, request.onCompile);
  }
}

function compileUncachedSync(xslt: string, key: string, notify: Notify): SefResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kih-sch-'));
  try {
    const { sefFile, ms } = compileSefSync(xslt, dir, key, notify);
    return { key, sefText: readFileSync(sefFile, 'utf8'), origin: 'compiled', compileMs: ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * obtainSef without waiting, for SaxonJS needed in the middle of a synchronous run: it blocks
 * the thread while xslt3 compiles (seconds for a large rule set), once per rule set and cache.
 */
export function obtainSefSync(request: SefRequest): SefResult {
  const key = sefCacheKey(request.xslt, request.sourceHash);
  if (request.useCache === false) {
    return compileUncachedSync(request.xslt, key, request.onCompile);
  }
  const dir = request.cacheDir ?? DEFAULT_CACHE_DIR;
  const file = path.join(dir, `${key}.sef.json`);
  try {
    return { key, sefText: readFileSync(file, 'utf8'), origin: 'disk', file };
  } catch {
    // Absent or unreadable: a miss either way (entries are renamed into place whole, never partial).
  }
  try {
    mkdirSync(dir, { recursive: true });
    const { sefFile, ms } = compileSefSync(request.xslt, dir, key, request.onCompile);
    const sefText = readFileSync(sefFile, 'utf8');
    renameSync(sefFile, file);
    return { key, sefText, origin: 'compiled', file, compileMs: ms };
  } catch (err) {
    if (isKihError(err)) {
      throw err;
    }
    // The cache cannot be written (a read-only install): still validate, compiling once per process.
    return compileUncachedSync(request.xslt, key, request.onCompile);
  }
}
