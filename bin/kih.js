#!/usr/bin/env node
// Launcher for the compiled CLI; `npm ci` builds dist/ through the prepare script.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('kih: the project is not built yet; run `npm run build` (npm ci does it for you).\n');
  process.exit(2);
}
await import(entry.href);
