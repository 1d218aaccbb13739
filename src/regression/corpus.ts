// A corpus on disk: its directory, its manifest and the documents actually there, named so two runs can be matched up.
import { corpusName } from '../config/regression-settings.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { collectXmlFiles } from '../core/collect-files.js';
import { KihError } from '../core/kih-error.js';
import { readManifest } from './manifest.js';
import type { CorpusManifest } from './manifest.js';

export interface CorpusSpec {
  /** Default: the directory's last path component. */
  readonly name?: string;
  readonly dir: string;
}

export interface Corpus {
  readonly name: string;
  readonly dir: string;
  readonly manifest: CorpusManifest;
  /** `*.xml` files found under the directory, relative with `/` separators, sorted. */
  readonly files: readonly string[];
}

export { corpusName };

export async function loadCorpus(spec: CorpusSpec): Promise<Corpus> {
  const name = corpusName(spec);
  const isDir = await stat(spec.dir).then(
    (s) => s.isDirectory(),
    () => false
  );
  if (!isDir) {
    throw new KihError('REGRESS_ERR_CORPUS', `Corpus ${name}: ${spec.dir} is not a directory.`);
  }
  const manifest = await readManifest(spec.dir);
  const files = (await collectXmlFiles([spec.dir]))
    .map((f) => path.relative(spec.dir, f).split(path.sep).join('/'))
    .sort();
  return { name, dir: spec.dir, manifest, files };
}

/** Loads every corpus; two with the same name could not be told apart in a result. */
export async function loadCorpora(specs: readonly CorpusSpec[]): Promise<Corpus[]> {
  const corpora: Corpus[] = [];
  const names = new Set<string>();
  for (const spec of specs) {
    const corpus = await loadCorpus(spec);
    if (names.has(corpus.name)) {
      throw new KihError(
        'REGRESS_ERR_CORPUS',
        `Two corpora are named "${corpus.name}"; give them distinct directory names (or names in the settings).`
      );
    }
    names.add(corpus.name);
    corpora.push(corpus);
  }
  return corpora;
}
