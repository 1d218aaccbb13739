// `npm run bench:rules`: Schematron stage per rule set — cold and warm time for a small, a typical and a ~1 MB document, and RSS over many validations.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseXml } from '../src/cda/xml-parser.js';
import { PACKAGE_ROOT } from '../src/package-info.js';
import { compileSchematronFile, runRules } from '../src/schematron/index.js';
import type { CompiledRules } from '../src/schematron/index.js';
import { BUILTIN_RULES_DIR } from '../src/validation/rule-sets.js';
import { inflate } from './corpus.js';

const WARM_TARGET_MS = 5;
const LARGE_TARGET_MS = 1000;
const RSS_RUNS = Number(process.env.BENCH_RSS_RUNS ?? 10_000);

/** The first valid sample of a profile: the base the other sizes are built from. */
function baseSample(profile: string): string {
  const dir = path.join(PACKAGE_ROOT, 'samples', profile, 'valid');
  const first = readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()[0];
  if (!first) {
    throw new Error(`bench: no valid sample for ${profile}`);
  }
  return readFileSync(path.join(dir, first), 'utf8');
}

function run(rules: CompiledRules, text: string): number {
  const bytes = new TextEncoder().encode(text);
  const parsed = parseXml(bytes, 'bench.xml', text);
  if (!parsed.ok) {
    throw new Error('bench: document does not parse');
  }
  try {
    return runRules(rules, text, parsed.doc).length;
  } finally {
    parsed.doc.dispose();
  }
}

function warm(rules: CompiledRules, text: string, minMs: number): number {
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minMs || calls < 3) {
    run(rules, text);
    calls++;
  }
  return (performance.now() - start) / calls;
}

function fmt(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  const files = readdirSync(BUILTIN_RULES_DIR)
    .filter((f) => f.endsWith('.sch'))
    .sort();
  process.stdout.write(
    `Schematron stage per rule set (SaxonJS, one core; includes libxml2 parse for line numbers): cold = first document in the process, warm = mean after; targets: typical warm < ${WARM_TARGET_MS} ms, ~1 MB < ${LARGE_TARGET_MS} ms\n`
  );
  process.stdout.write(
    `${'rule set'.padEnd(18)} ${'asserts'.padStart(7)} ${'load'.padStart(8)} │ ${'cold'.padStart(9)} ${'small'.padStart(9)} ${'typical'.padStart(9)} ${'~1 MB'.padStart(9)} │ findings (small/typical/large)\n`
  );
  for (const name of files) {
    const profile = name.replace(/\.sch$/, '');
    const base = baseSample(profile);
    const typical = inflate(base, (observations) => observations >= 40);
    const large = inflate(base, (_o, bytes) => bytes >= 1024 * 1024);
    const t0 = performance.now();
    const rules = await compileSchematronFile(path.join(BUILTIN_RULES_DIR, name));
    const load = performance.now() - t0;
    const t1 = performance.now();
    run(rules, base);
    const cold = performance.now() - t1;
    const small = warm(rules, base, 1000);
    const mid = warm(rules, typical, 1000);
    const big = warm(rules, large, 2000);
    const findings = [base, typical, large].map((t) => run(rules, t)).join('/');
    process.stdout.write(
      `${name.padEnd(18)} ${String(rules.assertCount).padStart(7)} ${fmt(load).padStart(8)} │ ${fmt(cold).padStart(9)} ${fmt(small).padStart(9)} ${fmt(mid).padStart(9)} ${fmt(big).padStart(9)} │ ${findings}  ${mid < WARM_TARGET_MS && big < LARGE_TARGET_MS ? 'ok' : 'over target'}\n`
    );
  }
  if (files.length > 0 && RSS_RUNS > 0) {
    const name = files[0] ?? '';
    const rules = await compileSchematronFile(path.join(BUILTIN_RULES_DIR, name));
    const text = inflate(baseSample(name.replace(/\.sch$/, '')), (observations) => observations >= 40);
    const samples: number[] = [];
    for (let i = 1; i <= RSS_RUNS; i++) {
      run(rules, text);
      if (i % Math.max(1, Math.floor(RSS_RUNS / 5)) === 0) {
        samples.push(process.memoryUsage().rss / 1024 / 1024);
      }
    }
    process.stdout.write(
      `RSS over ${RSS_RUNS} validations of a typical document with ${name} (MiB at each fifth): ${samples.map((m) => m.toFixed(0)).join(' → ')}\n`
    );
  }
}

await main();
