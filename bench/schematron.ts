// `npm run bench` (second part): the Schematron stage per rule set on both engines — cold and warm per document for a small, a typical and a ~1 MB document, their ratio, RSS over many validations, and the typical document on Saxon-HE Java when installed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { XmlDocument } from 'libxml2-wasm';
import { parseXml } from '../src/xml/xml-parser.js';
import { PACKAGE_ROOT } from '../src/core/package-info.js';
import { compileSchematron, compileSchematronFile, prepareSaxonJs, runRules } from '../src/schematron/index.js';
import type { CompiledRules, RulesEngineSetting } from '../src/schematron/index.js';
import { BUILTIN_RULES_DIR } from '../src/validation/rule-sets.js';
import { inflate } from './corpus.js';
import { writeLargeRuleSet } from './large-rules.js';
import { saxonJavaJar, saxonJavaWarm } from './saxon-java.js';

const WARM_TARGET_MS = 5;
const LARGE_TARGET_MS = 1000;
const RSS_RUNS = Number(process.env.BENCH_RSS_RUNS ?? 10_000);
/** Runs of one document in one JVM; Saxon averages the second half. */
const JAVA_RUNS = Number(process.env.BENCH_JAVA_RUNS ?? 400);

type Engine = 'own' | 'saxonjs';
const SETTING: Readonly<Record<Engine, RulesEngineSetting>> = { own: 'auto', saxonjs: 'saxonjs' };

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

/** A document parsed once, as the pipeline has it after the XSD stage: the stage reuses the parse for lines. */
interface Parsed {
  readonly text: string;
  readonly doc: XmlDocument;
}

function parse(text: string): Parsed {
  const parsed = parseXml(new TextEncoder().encode(text), 'bench.xml', text);
  if (!parsed.ok) {
    throw new Error('bench: document does not parse');
  }
  return { text, doc: parsed.doc };
}

function stage(rules: CompiledRules, d: Parsed, engine: Engine): number {
  return runRules(rules, d.text, d.doc, { engine: SETTING[engine] }).length;
}

function timeOnce(rules: CompiledRules, d: Parsed, engine: Engine): number {
  const started = performance.now();
  stage(rules, d, engine);
  return performance.now() - started;
}

interface Warm {
  /** Wall time per document in the best round (the round least slowed by other processes). */
  readonly wall: number;
  /** CPU time of this process per document in its best round (GC threads included). */
  readonly cpu: number;
}

/**
 * Warm time per document of both engines, measured in alternating rounds so that a busy shared
 * machine slows both alike; each engine's best round counts, the nearest to an idle core.
 */
function warmBoth(rules: CompiledRules, d: Parsed, roundMs: number, rounds: number): Record<Engine, Warm> {
  const best: Record<Engine, { wall: number; cpu: number }> = {
    own: { wall: Infinity, cpu: Infinity },
    saxonjs: { wall: Infinity, cpu: Infinity },
  };
  for (let r = 0; r < rounds; r++) {
    for (const engine of ['saxonjs', 'own'] as const) {
      let calls = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      do {
        stage(rules, d, engine);
        calls++;
      } while (performance.now() - start < roundMs);
      const wall = (performance.now() - start) / calls;
      const used = process.cpuUsage(cpu0);
      const b = best[engine];
      b.wall = Math.min(b.wall, wall);
      b.cpu = Math.min(b.cpu, (used.user + used.system) / 1000 / calls);
    }
  }
  return best;
}

function fmt(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

function ratio(r: Record<Engine, number>): string {
  return `${(r.saxonjs / r.own).toFixed(1)}×`;
}

function walls(w: Record<Engine, Warm>): Record<Engine, number> {
  return { own: w.own.wall, saxonjs: w.saxonjs.wall };
}

interface JavaCase {
  readonly name: string;
  readonly file: string;
  /** The typical document's text (Saxon-HE Java parses it itself on each run). */
  readonly typical: string;
  /** Warm wall time per document of the own engine and of SaxonJS, in ms. */
  readonly own: number;
  readonly saxonjs: number;
  /** Findings of the own engine and of SaxonJS on the typical document. */
  readonly findings: readonly [number, number];
}

/**
 * The same generated XSLT on Saxon-HE for Java (what MedCom's test bed runs its rules with), per
 * typical document, next to both engines here; plus a generated rule set of 94 patterns. Skipped
 * without a Saxon-HE jar (`apt-get install libsaxonhe-java`, or `SAXON_HE_JAR`).
 */
async function javaComparison(cases: JavaCase[]): Promise<void> {
  const jar = saxonJavaJar();
  if (jar === undefined || JAVA_RUNS <= 0) {
    process.stdout.write(
      'Saxon-HE Java comparison skipped: no Saxon-HE jar (apt-get install libsaxonhe-java, or SAXON_HE_JAR)\n'
    );
    return;
  }
  const large = writeLargeRuleSet();
  const rules = await compileSchematronFile(large, { useCache: false });
  if (rules.engine !== 'own') {
    throw new Error(`bench: the generated rule set does not run on the own engine (${rules.engineReason ?? ''})`);
  }
  await prepareSaxonJs(rules);
  const typical = parse(inflate(baseSample('dk-phmr-1.3'), (o) => o >= 40));
  const warm = warmBoth(rules, typical, 500, 4);
  cases.push({
    name: `generated (${rules.patternCount} patterns, ${rules.assertCount} asserts)`,
    file: large,
    typical: typical.text,
    own: warm.own.wall,
    saxonjs: warm.saxonjs.wall,
    findings: [stage(rules, typical, 'own'), stage(rules, typical, 'saxonjs')],
  });
  typical.doc.dispose();

  let version = 'Saxon-HE Java';
  let averaged = 0;
  const rows: string[] = [];
  for (const c of cases) {
    const java = saxonJavaWarm(jar, compileSchematron(c.file).xslt, c.typical, JAVA_RUNS);
    version = java.version;
    averaged = java.averaged;
    rows.push(
      `${c.name.padEnd(44)} ${fmt(c.own).padStart(9)} ${fmt(c.saxonjs).padStart(9)} ${fmt(java.warmMs).padStart(9)} ` +
        `${`${(java.warmMs / c.own).toFixed(1)}×`.padStart(9)} ${`${(c.saxonjs / java.warmMs).toFixed(1)}×`.padStart(9)} │ ` +
        `${c.findings[0]}/${c.findings[1]}/${java.findings}`
    );
  }
  process.stdout.write(
    `\nTypical document, warm per document: own engine and SaxonJS as above (best round), ${version} on the same ` +
      `generated XSLT (its own average over the last ${averaged} of ${JAVA_RUNS} runs in one JVM; tree built from the text ` +
      `each run, like SaxonJS and unlike the own engine)\n` +
      `${'rule set'.padEnd(44)} ${'own'.padStart(9)} ${'SaxonJS'.padStart(9)} ${'Java'.padStart(9)} ${'Java/own'.padStart(9)} ${'JS/Java'.padStart(9)} │ findings own/SaxonJS/Java\n` +
      `${rows.join('\n')}\n`
  );
}

async function main(): Promise<void> {
  const files = readdirSync(BUILTIN_RULES_DIR)
    .filter((f) => f.endsWith('.sch'))
    .sort();
  process.stdout.write(
    `Schematron stage per rule set, both engines on one core (own = the own engine, saxonjs = SaxonJS on the SEF; ` +
      `the document parsed by libxml2 beforehand, as the XSD stage leaves it): cold = first document in the process, ` +
      `warm = per document in the best of alternating rounds (wall; CPU time of the process for the typical one); ratio = saxonjs / own. ` +
      `Targets: typical warm < ${WARM_TARGET_MS} ms, ~1 MB < ${LARGE_TARGET_MS} ms\n`
  );
  process.stdout.write(
    `${'rule set'.padEnd(16)} ${'engine'.padEnd(7)} ${'cold'.padStart(8)} ${'small'.padStart(9)} ${'typical'.padStart(9)} ${'(CPU)'.padStart(9)} ${'~1 MB'.padStart(9)} │ findings (small/typical/large)\n`
  );
  const summary: string[] = [];
  const forJava: JavaCase[] = [];
  for (const name of files) {
    const profile = name.replace(/\.sch$/, '');
    const base = baseSample(profile);
    const docs = [base, inflate(base, (o) => o >= 40), inflate(base, (_o, bytes) => bytes >= 1024 * 1024)].map(parse);
    const [small, typical, large] = docs as [Parsed, Parsed, Parsed];
    const rules = await compileSchematronFile(path.join(BUILTIN_RULES_DIR, name));
    if (rules.engine !== 'own') {
      throw new Error(`bench: ${name} does not run on the own engine (${rules.engineReason ?? ''})`);
    }
    // SaxonJS's SEF is loaded on first need; cold times compare the runs, not that load.
    await prepareSaxonJs(rules);
    const cold = { own: timeOnce(rules, typical, 'own'), saxonjs: timeOnce(rules, typical, 'saxonjs') };
    const warmSmall = warmBoth(rules, small, 150, 4);
    const warmTypical = warmBoth(rules, typical, 250, 6);
    const warmLarge = warmBoth(rules, large, 1000, 2);
    for (const engine of ['saxonjs', 'own'] as const) {
      const findings = docs.map((d) => stage(rules, d, engine)).join('/');
      process.stdout.write(
        `${(engine === 'saxonjs' ? name : '').padEnd(16)} ${engine.padEnd(7)} ${fmt(cold[engine]).padStart(8)} ${fmt(warmSmall[engine].wall).padStart(9)} ${fmt(warmTypical[engine].wall).padStart(9)} ${fmt(warmTypical[engine].cpu).padStart(9)} ${fmt(warmLarge[engine].wall).padStart(9)} │ ${findings}\n`
      );
    }
    process.stdout.write(
      `${''.padEnd(16)} ${'ratio'.padEnd(7)} ${ratio(cold).padStart(8)} ${ratio(walls(warmSmall)).padStart(9)} ${ratio(walls(warmTypical)).padStart(9)} ${ratio({ own: warmTypical.own.cpu, saxonjs: warmTypical.saxonjs.cpu }).padStart(9)} ${ratio(walls(warmLarge)).padStart(9)} │ documents left to SaxonJS: ${rules.stats.lastFallback ?? 'none'}\n`
    );
    forJava.push({
      name,
      file: path.join(BUILTIN_RULES_DIR, name),
      typical: typical.text,
      own: warmTypical.own.wall,
      saxonjs: warmTypical.saxonjs.wall,
      findings: [stage(rules, typical, 'own'), stage(rules, typical, 'saxonjs')],
    });
    const typicalMs = warmTypical.own.wall;
    const met = typicalMs < WARM_TARGET_MS && warmLarge.own.wall < LARGE_TARGET_MS;
    summary.push(
      `${name}: typical warm ${fmt(typicalMs)} wall, ${fmt(warmTypical.own.cpu)} CPU (SaxonJS ${fmt(warmTypical.saxonjs.wall)}, ` +
        `${ratio(walls(warmTypical))} faster), ~1 MB ${fmt(warmLarge.own.wall)}: ` +
        (met ? 'targets met' : 'over target on this run')
    );
    docs.forEach((d) => {
      d.doc.dispose();
    });
  }
  process.stdout.write(`${summary.join('\n')}\n`);
  await javaComparison(forJava);
  if (files.length > 0 && RSS_RUNS > 0) {
    const name = files[0] ?? '';
    const rules = await compileSchematronFile(path.join(BUILTIN_RULES_DIR, name));
    const d = parse(inflate(baseSample(name.replace(/\.sch$/, '')), (observations) => observations >= 40));
    for (let i = 0; i < 200; i++) {
      stage(rules, d, 'own');
    }
    const mib = (): number => process.memoryUsage().rss / 1024 / 1024;
    const before = mib();
    const samples: number[] = [];
    for (let i = 1; i <= RSS_RUNS; i++) {
      stage(rules, d, 'own');
      if (i % Math.max(1, Math.floor(RSS_RUNS / 5)) === 0) {
        samples.push(mib());
      }
    }
    const after = mib();
    process.stdout.write(
      `RSS over ${RSS_RUNS} validations of a typical document with ${name} on the own engine: ${before.toFixed(0)} MiB before, ` +
        `${samples.map((m) => m.toFixed(0)).join(' → ')} MiB at each fifth, ${after.toFixed(0)} MiB after (${after - before >= 0 ? '+' : ''}${(after - before).toFixed(0)} MiB)\n`
    );
    d.doc.dispose();
  }
}

await main();
