// Turns the paths on the command line into the ordered list of documents to validate.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { KihError } from './kih-error.js';

/**
 * Files given by name are taken as they are (whatever their extension); directories are walked
 * for `*.xml`, sorted by name so every run sees the same order. Missing paths are a usage error.
 */
export async function collectXmlFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = path.resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(file);
    }
  };
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
          await walk(full);
        }
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.xml')) {
        add(full);
      }
    }
  };
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new KihError('CLI_ERR_USAGE', `No such file or directory: ${p}`);
    }
    if (info.isDirectory()) {
      await walk(p);
    } else {
      add(p);
    }
  }
  return out;
}
