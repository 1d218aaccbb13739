// Reading corpus manifests: the samples' manifest, and every malformed entry refused with REGRESS_ERR_MANIFEST naming it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadCorpora, loadCorpus } from '../../src/regression/corpus.js';
import { parseManifest, readManifest } from '../../src/regression/manifest.js';
import { SAMPLES } from '../helpers/cli.js';

const entry = { file: 'a.xml', profile: 'dk-phmr-1.3', valid: true, ruleIds: [] };
const parse = (value: unknown): ReturnType<typeof parseManifest> => parseManifest('m.json', JSON.stringify(value));

describe('parseManifest', () => {
  it('reads the samples manifest: 40 documents, rule ids sorted, a content hash', async () => {
    const manifest = await readManifest(SAMPLES);
    expect(manifest.documents).toHaveLength(40);
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.documents.find((d) => d.file === 'dk-phmr-1.3/invalid/empty.xml')).toMatchObject({
      profile: null,
      valid: false,
      ruleIds: ['CDA_ERR_EMPTY'],
    });
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['another version', JSON.stringify({ version: 2, documents: [] }), /version must be 1/],
    ['no documents', JSON.stringify({ version: 1 }), /documents must be an array/],
    [
      'a path outside',
      JSON.stringify({ version: 1, documents: [{ ...entry, file: '../x.xml' }] }),
      /plain relative path/,
    ],
    [
      'an absolute path',
      JSON.stringify({ version: 1, documents: [{ ...entry, file: '/x.xml' }] }),
      /plain relative path/,
    ],
    [
      'an unknown profile',
      JSON.stringify({ version: 1, documents: [{ ...entry, profile: 'dk-x' }] }),
      /a.xml: profile/,
    ],
    [
      'valid with rules',
      JSON.stringify({ version: 1, documents: [{ ...entry, ruleIds: ['X'] }] }),
      /valid document has no/,
    ],
    [
      'invalid without rules',
      JSON.stringify({ version: 1, documents: [{ ...entry, valid: false }] }),
      /names the rule ids/,
    ],
    [
      'an unknown key',
      JSON.stringify({ version: 1, documents: [{ ...entry, expect: 1 }] }),
      /documents\[0\]\.expect: unknown key/,
    ],
    ['a file twice', JSON.stringify({ version: 1, documents: [entry, entry] }), /a.xml is listed twice/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseManifest('m.json', text)).toThrow(message);
    expect(() => parseManifest('m.json', text)).toThrow(expect.objectContaining({ code: 'REGRESS_ERR_MANIFEST' }));
  });

  it('sorts rule ids, keeps descriptions', () => {
    const m = parse({ version: 1, documents: [{ ...entry, valid: false, ruleIds: ['B', 'A'], description: 'd' }] });
    expect(m.documents[0]).toEqual({ ...entry, valid: false, ruleIds: ['A', 'B'], description: 'd' });
  });
});

describe('corpora', () => {
  it('a directory without a manifest, a missing directory and two corpora of one name are refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kih-corpus-'));
    await expect(loadCorpus({ dir })).rejects.toMatchObject({ code: 'REGRESS_ERR_MANIFEST' });
    await expect(loadCorpus({ dir: path.join(dir, 'nope') })).rejects.toMatchObject({ code: 'REGRESS_ERR_CORPUS' });
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, documents: [] }));
    await expect(loadCorpora([{ dir }, { dir: dir + '/' }])).rejects.toMatchObject({ code: 'REGRESS_ERR_CORPUS' });
  });

  it('lists the files on disk relative to the corpus, sorted', async () => {
    const corpus = await loadCorpus({ dir: SAMPLES });
    expect(corpus.name).toBe('samples');
    expect(corpus.files).toEqual([...corpus.manifest.documents.map((d) => d.file)].sort());
  });
});
