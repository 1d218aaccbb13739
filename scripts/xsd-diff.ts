// Development check: runs the project's CDA schema and another schema set (by default HL7's official SDTC schema) over a corpus and its mutations, and lists every accept/reject disagreement.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkInputBytes } from '../src/xml/input-checks.js';
import { parseXml } from '../src/xml/xml-parser.js';
import { collectXmlFiles } from '../src/core/collect-files.js';
import { DEFAULT_SCHEMAS_DIR, PACKAGE_ROOT } from '../src/core/package-info.js';
import { loadSchema, validateXsd } from '../src/validation/xsd-schema.js';
import type { CompiledSchema } from '../src/validation/xsd-schema.js';
import { xsdMutations } from './xsd-mutations.js';

const SHARED = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference');

export interface Disagreement {
  readonly name: string;
  readonly ours: readonly string[];
  readonly reference: readonly string[];
}

export interface DiffResult {
  readonly documents: number;
  readonly mutations: number;
  readonly disagreements: readonly Disagreement[];
}

/** Validates text with one schema: the list of error messages, empty when accepted; null when not XML at all. */
function verdict(schema: CompiledSchema, text: string, name: string): string[] | null {
  const bytes = new TextEncoder().encode(text);
  if (!checkInputBytes(bytes).ok) {
    return null;
  }
  const parsed = parseXml(bytes, name);
  if (!parsed.ok) {
    return null;
  }
  try {
    return validateXsd(schema, parsed.doc)
      .filter((i) => i.severity === 'error')
      .map((i) => `line ${i.line ?? '?'}: ${i.message}`);
  } finally {
    parsed.doc.dispose();
  }
}

export async function diffSchemas(
  corpus: readonly string[],
  oursDir: string,
  referenceDir: string,
  withMutations = true
): Promise<DiffResult> {
  const ours = loadSchema(oursDir);
  const reference = loadSchema(referenceDir);
  const disagreements: Disagreement[] = [];
  let documents = 0;
  let mutations = 0;
  const compare = (name: string, text: string): boolean | null => {
    const a = verdict(ours, text, name);
    const b = verdict(reference, text, name);
    if (a === null || b === null) {
      return null;
    }
    if ((a.length === 0) !== (b.length === 0)) {
      disagreements.push({ name, ours: a, reference: b });
    }
    return b.length === 0;
  };
  for (const file of await collectXmlFiles(corpus)) {
    const text = readFileSync(file, 'utf8');
    const accepted = compare(file, text);
    if (accepted === null) {
      continue;
    }
    documents++;
    // Mutations of documents the reference accepts: each should be rejected by both, or accepted by both.
    if (withMutations && accepted) {
      for (const m of xsdMutations(text)) {
        mutations++;
        compare(`${file} [${m.name}]`, m.xml);
      }
    }
  }
  return { documents, mutations, disagreements };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ours: { type: 'string', default: DEFAULT_SCHEMAS_DIR },
      reference: { type: 'string', default: path.join(SHARED, 'hl7-cda-r2', 'extensions', 'SDTC') },
      'no-mutations': { type: 'boolean', default: false },
    },
  });
  const corpus =
    positionals.length > 0
      ? positionals
      : [
          path.join(PACKAGE_ROOT, 'samples'),
          path.join(SHARED, 'samples'),
          path.join(SHARED, 'hl7-cda-r2', 'examples'),
        ].filter((p) => existsSync(p));
  if (!existsSync(values.reference)) {
    process.stderr.write(`xsd-diff: reference schema set not found: ${values.reference}\n`);
    return 2;
  }
  const result = await diffSchemas(corpus, values.ours, values.reference, !values['no-mutations']);
  for (const d of result.disagreements) {
    process.stdout.write(
      `DISAGREE ${d.name}\n  ours:      ${d.ours.length === 0 ? 'accept' : 'reject: ' + d.ours.join(' | ')}\n  reference: ${d.reference.length === 0 ? 'accept' : 'reject: ' + d.reference.join(' | ')}\n`
    );
  }
  process.stdout.write(
    `xsd-diff: ${result.documents} documents, ${result.mutations} mutations, ${result.disagreements.length} disagreements\n`
  );
  return result.disagreements.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  process.exitCode = await main();
}
