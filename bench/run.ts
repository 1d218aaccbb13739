// `npm run bench`: XSD stage time per document next to native libxml2 (xmllint) on the same schema and document, and `kih validate` throughput.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseXml } from '../src/cda/xml-parser.js';
import { DEFAULT_SCHEMAS_DIR, PACKAGE_ROOT } from '../src/package-info.js';
import { loadSchema, validateXsd } from '../src/validation/xsd-schema.js';
import { benchDocuments, writeTypicalCorpus } from './corpus.js';

const XSD_TARGET_RATIO = 1.3;
const THROUGHPUT_TARGET = 150;
const THROUGHPUT_DOCS = Number(process.env.BENCH_DOCS ?? 1000);

/** Repeats fn until at least minMs have passed (after a warm-up), returning ms per call. */
function timePerCall(fn: () => void, minMs: number, minCalls = 5): number {
  for (let i = 0; i < 3; i++) {
    fn();
  }
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || calls < minCalls) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return elapsed / calls;
}

/** Native libxml2: xmllint over the same file k times, minus a run over it once (schema compile and start-up cancel out). */
function xmllintPerDoc(schemaEntry: string, file: string, k: number): number | null {
  const run = (n: number): number => {
    const args = ['--noout', '--schema', schemaEntry, ...Array.from({ length: n }, () => file)];
    const best = [0, 1, 2].map(() => {
      const t = performance.now();
      spawnSync('xmllint', args, { stdio: 'ignore' });
      return performance.now() - t;
    });
    return Math.min(...best);
  };
  if (spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return null;
  }
  return (run(k + 1) - run(1)) / k;
}

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

function main(): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kih-bench-'));
  try {
    const docs = benchDocuments();
    const schema = loadSchema(DEFAULT_SCHEMAS_DIR);
    const libxml2 =
      execFileSync('xmllint', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0] ??
      '';
    process.stdout.write(
      `XSD stage (parse + validate, warm) vs native ${libxml2.trim()} — same schema (${schema.entry}), same document\n`
    );
    process.stdout.write(
      `${'document'.padEnd(10)} ${'size'.padStart(9)} ${'kih (wasm)'.padStart(12)} ${'xmllint'.padStart(12)} ${'ratio'.padStart(7)}  target ≤ ${XSD_TARGET_RATIO}\n`
    );
    for (const [name, text] of Object.entries(docs) as [string, string][]) {
      const file = path.join(work, `${name}.xml`);
      writeFileSync(file, text);
      const bytes = new TextEncoder().encode(text);
      const ours = timePerCall(() => {
        const parsed = parseXml(bytes, file);
        if (!parsed.ok) {
          throw new Error(`bench document ${name} does not parse`);
        }
        const issues = validateXsd(schema, parsed.doc);
        parsed.doc.dispose();
        if (issues.length > 0) {
          throw new Error(`bench document ${name} is not schema-valid: ${issues[0]?.message ?? ''}`);
        }
      }, 1500);
      const k = Math.max(5, Math.min(400, Math.round(4_000_000 / bytes.length)));
      const native = xmllintPerDoc(schema.entry, file, k);
      const ratio = native ? ours / native : NaN;
      process.stdout.write(
        `${name.padEnd(10)} ${`${Math.round(bytes.length / 1024)} KB`.padStart(9)} ${fmt(ours).padStart(12)} ${(native ? fmt(native) : 'n/a').padStart(12)} ${(Number.isNaN(ratio) ? 'n/a' : ratio.toFixed(2) + 'x').padStart(7)}  ${ratio <= XSD_TARGET_RATIO ? 'ok' : 'over'}\n`
      );
    }

    const corpus = path.join(work, 'typical');
    writeTypicalCorpus(corpus, THROUGHPUT_DOCS, docs.typical);
    const kih = path.join(PACKAGE_ROOT, 'bin', 'kih.js');
    for (const jobs of [1, os.availableParallelism()]) {
      const t = performance.now();
      const r = spawnSync(
        process.execPath,
        [
          kih,
          'validate',
          corpus,
          '--format',
          'json',
          '--out',
          path.join(work, 'out.json'),
          '--no-progress',
          '--jobs',
          String(jobs),
        ],
        { stdio: 'inherit' }
      );
      const seconds = (performance.now() - t) / 1000;
      const rate = THROUGHPUT_DOCS / seconds;
      process.stdout.write(
        `kih validate, ${THROUGHPUT_DOCS} typical documents, --jobs ${jobs}: ${seconds.toFixed(2)} s, ${rate.toFixed(0)} documents/s (exit ${r.status ?? 'signal'}; target ≥ ${THROUGHPUT_TARGET}/s with all cores)\n`
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
