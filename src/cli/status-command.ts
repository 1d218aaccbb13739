// `kih status`: a run's progress and results from the service's records, optionally waiting until it is done.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { readServiceConfig } from '../config/service-config.js';
import { openDatabase } from '../store/database.js';
import { runStatus } from '../store/records.js';
import type { RunStatus } from '../store/records.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';

export const STATUS_USAGE = `Usage: kih status [options] <run-id>

Prints the run as JSON: { "run", "total", "done", "verifications": { "verified", "notFound",
"metadataMismatch", "contentMismatch", "failure" }, "documents": [ { "file", "sha256", "state",
"verdict", "submission": { "outcome", "class" } | null, "verification": { "outcome", "class" }
| null } ] }. state is queued, validated, submitting, submitted or done; a stored document's
end-to-end check (the verify queue) is reported beside it and does not hold it back from done.

Options:
      --wait <seconds>  wait until every document is done, at most this long
      --vendor <id>     only a run of this vendor (another vendor's run is not found)
  -h, --help            this help

Exit status: 0 printed (and done, with --wait), 1 --wait ran out, 2 usage or tool error
(STORE_ERR_NOT_FOUND: no such run).`;

export async function statusCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      wait: { type: 'string' },
      vendor: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(STATUS_USAGE + '\n');
    return EXIT.ok;
  }
  const [runId, ...extra] = positionals;
  if (runId === undefined || extra.length > 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name exactly one run id.');
  }
  const waitSeconds = values.wait === undefined ? 0 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new KihError('CLI_ERR_USAGE', `--wait takes seconds: "${values.wait}"`);
  }
  const config = readServiceConfig(io.env, { queues: 'record' });
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, max: 1 });
  try {
    const until = Date.now() + waitSeconds * 1000;
    let status: RunStatus;
    for (;;) {
      status = await runStatus(db, runId, values.vendor);
      if (status.done === status.total || Date.now() >= until) {
        break;
      }
      await sleep(Math.min(500, Math.max(0, until - Date.now())));
    }
    io.stdout.write(JSON.stringify(status, null, 2) + '\n');
    return values.wait !== undefined && status.done < status.total ? EXIT.findings : EXIT.ok;
  } finally {
    await db.close();
  }
}
