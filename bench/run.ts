// `npm run bench`: XSD stage time per document next to native libxml2 (xmllint) on the same schema and document, and `kih validate` throughput.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseXml } from '../src/xml/xml-parser.js';
import { DEFAULT_SCHEMAS_DIR, PACKAGE_ROOT } from '../src/core/package-info.js';
import { loadSchema, validateXsd } from '../src/validation/xsd-schema.js';
import { benchDocuments, writeTypicalCorpus } from './corpus.js';

const XSD_TARGET_RATIO = 1.3;
const THROUGHPUT_TARGET = 150;
const THROUGHPUT_DOCS = Number(process.env.BENCH_DOCS ?? 1000);

/** Repeats fn until at least minMs have passed (after a warm-up), returning ms per call. */
function timePerCall(fn: () => void, minMs: number, minCalls = 5): number {
  for (let i = 0; i < 5; i++) {
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

/**
 * Native libxml2 per document: xmllint over the same file k times minus once, so start-up and
 * schema compilation cancel out; best of three. With `schema` it parses and validates, without it
 * it only parses, so the difference is the validation alone.
 */
function xmllintPerDoc(file: string, k: number, schema?: string): number {
  const run = (n: number): number => {
    const args = ['--noout', ...(schema ? ['--schema', schema] : []), ...Array.from({ length: n }, () => file)];
    return Math.min(
      ...[0, 1, 2].map(() => {
        const t = performance.now();
        spawnSync('xmllint', args, { stdio: 'ignore' });
        return performance.now() - t;
      })
    );
  };
  return (run(k + 1) - run(1)) / k;
}

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}

function ratio(ours: number, native: number): string {
  return `${(ours / native).toFixed(2)}x`;
}

function xsdStage(work: string, docs: Record<string, string>): void {
  const version = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    throw new Error('bench: xmllint (Debian package libxml2-utils) is needed for the native baseline');
  }
  const libxml2 = /using libxml version (\d+)/.exec(version.stderr)?.[1] ?? 'unknown';
  const schema = loadSchema(DEFAULT_SCHEMAS_DIR);
  process.stdout.write(
    `XSD stage, kih (libxml2-wasm) vs native libxml2 (xmllint, libxml ${libxml2}): same schema (${path.relative(PACKAGE_ROOT, schema.entry)}), same document, warm, per document; target ratio ≤ ${XSD_TARGET_RATIO}\n`
  );
  const row = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(9) : c.padStart(i % 3 === 1 ? 8 : 10))).join(' ') + '\n';
  process.stdout.write(
    row(['document', 'size', 'parse', 'native', 'ratio', 'validate', 'native', 'ratio', 'both', 'native', 'ratio'])
  );
  for (const [name, text] of Object.entries(docs)) {
    const file = path.join(work, `${name}.xml`);
    writeFileSync(file, text);
    const bytes = new TextEncoder().encode(text);
    const parsed = parseXml(bytes, file, text);
    if (!parsed.ok) {
      throw new Error(`bench document ${name} does not parse`);
    }
    const issues = validateXsd(schema, parsed.doc);
    if (issues.length > 0) {
      throw new Error(`bench document ${name} is not schema-valid: ${issues[0]?.message ?? ''}`);
    }
    const validate = timePerCall(() => validateXsd(schema, parsed.doc), 1000);
    parsed.doc.dispose();
    const parse = timePerCall(() => {
      const r = parseXml(bytes, file, text);
      if (r.ok) {
        r.doc.dispose();
      }
    }, 1000);
    const k = Math.max(5, Math.min(400, Math.round(4_000_000 / bytes.length)));
    const nativeParse = xmllintPerDoc(file, k);
    const nativeBoth = xmllintPerDoc(file, k, schema.entry);
    const nativeValidate = nativeBoth - nativeParse;
    process.stdout.write(
      row([
        name,
        `${Math.round(bytes.length / 1024)} KB`,
        fmt(parse),
        fmt(nativeParse),
        ratio(parse, nativeParse),
        fmt(validate),
        fmt(nativeValidate),
        ratio(validate, nativeValidate),
        fmt(parse + validate),
        fmt(nativeBoth),
        ratio(parse + validate, nativeBoth),
      ])
    );
  }
}

function throughput(work: string, typical: string): void {
  const corpus = path.join(work, 'typical');
  writeTypicalCorpus(corpus, THROUGHPUT_DOCS, typical);
  const kih = path.join(PACKAGE_ROOT, 'bin', 'kih.js');
  const out = path.join(work, 'out.json');
  for (const jobs of [1, os.availableParallelism()]) {
    const t = performance.now();
    const r = spawnSync(
      process.execPath,
      [kih, 'validate', corpus, '--format', 'json', '--out', out, '--no-progress', '--jobs', String(jobs)],
      { stdio: 'inherit' }
    );
    const seconds = (performance.now() - t) / 1000;
    process.stdout.write(
      `kih validate, ${THROUGHPUT_DOCS} typical documents, --jobs ${jobs}: ${seconds.toFixed(2)} s incl. start-up, ${(THROUGHPUT_DOCS / seconds).toFixed(0)} documents/s (exit ${r.status ?? 'signal'}; target ≥ ${THROUGHPUT_TARGET}/s on all cores)\n`
    );
  }
}

function main(): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kih-bench-'));
  try {
    const docs = benchDocuments();
    xsdStage(work, { ...docs });
    throughput(work, docs.typical);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
