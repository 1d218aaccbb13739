// Service-mode entry point: `node dist/worker.js` runs the queue workers, the same as `kih worker`.
import { processIo } from './src/cli/io.js';
import { runCli } from './src/cli/main.js';

process.exitCode = await runCli(['worker', ...process.argv.slice(2)], processIo());
