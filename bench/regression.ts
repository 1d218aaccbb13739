// `npm run bench:regression`: per-document throughput of `kih regress` from two small runs, then a 10,000-document corpus timed against that prediction.
import { spawn } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/core/package-info.js';

const TARGET_DOCS = Number(process.env.BENCH_REGRESS_DOCS ?? 10_000);
const CALIBRATE_COPIES = Number(process.env.BENCH_REGRESS_CALIBRATE ?? 60);
/** The large run may take this much longer than predicted and still count as on time. */
const MARGIN = 1.1;
const KIH = path.join(PACKAGE_ROOT, 'bin', 'kih.js');
const SAMPLES = path.join(PACKAGE_ROOT, 'samples');

interface Entry {
  readonly file: string;
  readonly [key: string]: unknown;
}

const samples = (JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as { documents: Entry[] })
  .documents;

/**
 * `copies` × the samples corpus as hard links (no bytes copied; the collector skips symlinks),
 * with a manifest that lists every copy as the samples' manifest lists the original.
 */
function writeCorpus(dir: string, copies: number): number {
  const documents: Entry[] = [];
  for (let c = 0; c < copies; c++) {
    for (const d of samples) {
      const file = `c${String(c).padStart(4, '0')}/${d.file}`;
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      linkSync(path.join(SAMPLES, d.file), path.join(dir, file));
      documents.push({ ...d, file });
    }
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, documents }));
  return documents.length;
}

interface Timed {
  readonly seconds: number;
  readonly matched: number;
  readonly total: number;
}

/** The machine is shared: the 1-minute load average says whether something else ran alongside a measurement. */
function load(): string {
  return `load ${loadavg()[0]?.toFixed(1) ?? '?'}`;
}

async function regress(corpus: string, out: string): Promise<Timed> {
  const started = performance.now();
  const child = spawn(process.execPath, [KIH, 'regress', corpus, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(`kih regress ${corpus} exited ${code}: ${err}`);
  }
  const result = JSON.parse(readFileSync(path.join(out, 'regression.json'), 'utf8')) as {
    summary: { total: number; matched: number };
  };
  return { seconds, matched: result.summary.matched, total: result.summary.total };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'kih-bench-regress-'));
  try {
    const per = samples.length;
    const copies = Math.ceil(TARGET_DOCS / per);
    const small = path.join(work, 'one');
    const medium = path.join(work, 'calibrate');
    const large = path.join(work, 'large');
    const nSmall = writeCorpus(small, 1);
    const nMedium = writeCorpus(medium, CALIBRATE_COPIES);
    const nLarge = writeCorpus(large, copies);
    process.stdout.write(
      `kih regress (in process, ${availableParallelism()} validation threads), copies of the ${per} samples (every profile, valid and invalid):\n`
    );
    const a = await regress(small, path.join(work, 'out-one'));
    const b = await regress(medium, path.join(work, 'out-calibrate'));
    // Two sizes separate the fixed cost (start-up, compiling the schema and rules per thread) from the cost per document.
    const perDoc = (b.seconds - a.seconds) / (nMedium - nSmall);
    const fixed = Math.max(0, a.seconds - nSmall * perDoc);
    process.stdout.write(
      `${String(nSmall).padStart(6)} documents ${a.seconds.toFixed(1).padStart(7)} s\n` +
        `${String(nMedium).padStart(6)} documents ${b.seconds.toFixed(1).padStart(7)} s (${load()})\n` +
        `per document ${(perDoc * 1000).toFixed(2)} ms (${(1 / perDoc).toFixed(0)} documents/s), fixed ${fixed.toFixed(1)} s\n`
    );
    const predicted = fixed + nLarge * perDoc;
    const c = await regress(large, path.join(work, 'out-large'));
    const ratio = c.seconds / predicted;
    process.stdout.write(
      `${String(nLarge).padStart(6)} documents ${c.seconds.toFixed(1).padStart(7)} s, predicted ${predicted.toFixed(1)} s: ` +
        `actual/predicted ${ratio.toFixed(2)} (${ratio <= MARGIN ? 'within' : 'NOT within'} the prediction +${Math.round((MARGIN - 1) * 100)}%); ` +
        `${c.matched}/${c.total} as the manifest says (${load()})\n`
    );
    if (c.matched !== c.total || c.total !== nLarge) {
      throw new Error('the large corpus did not match its manifest');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
