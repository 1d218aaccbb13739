// Where the package lives on disk and what it is called, for default schema paths and report metadata.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  // Walk up rather than count levels: sources run from src/ under jest and from dist/src/ when built.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    }
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

export const TOOL_NAME = pkg.name;
export const TOOL_VERSION = pkg.version;

/** The project's own CDA R2 + SDTC schema set. */
export const DEFAULT_SCHEMAS_DIR = path.join(PACKAGE_ROOT, 'schemas', 'cda');
