// `kih enqueue`: stores documents in the service's records and queues them as one run; prints the run id.
import { parseArgs } from 'node:util';
import { readDocument } from '../cda/read-document.js';
import { KihError } from '../core/kih-error.js';
import { enqueueRun, resumeRun } from '../queue/enqueue-run.js';
import { readServiceConfig } from '../config/service-config.js';
import type { ServiceConfig } from '../config/service-config.js';
import { startService } from '../queue/service.js';
import type { Service } from '../queue/service.js';
import { openDatabase } from '../store/database.js';
import type { Database } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { runStatus } from '../store/records.js';
import { collectXmlFiles } from '../core/collect-files.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';

export const ENQUEUE_USAGE = `Usage: kih enqueue [options] <file|dir>...

Stores the documents (once each, by SHA-256) and queues them as one run for the workers
(kih worker). Prints { "run", "total" }; follow it with kih status <run>.

Options:
      --vendor <id>     the vendor the run belongs to (required; lower-case letters, digits, . _ -)
      --submit <target> submit valid documents to this target (a name from KIH_CONFIG or built in)
      --run <name>      a name for the run (e.g. the test case)
      --resume <run-id> queue whatever of a stored run has no result yet (after an enqueue was cut short)
  -h, --help            this help

Environment: DATABASE_URL, REDIS_URL, KIH_DB_SCHEMA, KIH_QUEUE_PREFIX (see kih worker --help).`;

export async function enqueueCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      vendor: { type: 'string' },
      submit: { type: 'string' },
      run: { type: 'string' },
      resume: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(ENQUEUE_USAGE + '\n');
    return EXIT.ok;
  }
  if (values.resume !== undefined) {
    return resume(values.resume, io);
  }
  if (values.vendor === undefined) {
    throw new KihError('CLI_ERR_USAGE', 'Name the vendor the run belongs to with --vendor.');
  }
  if (positionals.length === 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name at least one file or directory to enqueue.');
  }
  const vendor = values.vendor;
  // Settings are checked before any file is read.
  const config = readServiceConfig(io.env);
  const files = await collectXmlFiles(positionals);
  if (files.length === 0) {
    throw new KihError('CLI_ERR_NO_INPUT', `No *.xml documents found in ${positionals.join(', ')}.`);
  }
  const documents: { file: string; bytes: Uint8Array }[] = [];
  for (const file of files) {
    documents.push({ file, bytes: await readDocument(file) });
  }
  return withProducer(config, async (db, service) => {
    await migrate(db);
    const run = await enqueueRun(
      db,
      service.enqueue,
      {
        vendorId: vendor,
        documents,
        ...(values.run !== undefined ? { name: values.run } : {}),
        ...(values.submit !== undefined ? { submitTarget: values.submit } : {}),
      },
      'kih enqueue'
    );
    io.stdout.write(JSON.stringify({ run: run.runId, total: run.total }) + '\n');
    return EXIT.ok;
  });
}

/** The records and a producer-only queue registry (this process takes no jobs), closed afterwards. */
async function withProducer(
  config: ServiceConfig,
  work: (db: Database, service: Service) => Promise<number>
): Promise<number> {
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, max: 2 });
  const service = startService({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    db,
    actor: 'kih enqueue',
    work: [],
  });
  try {
    return await work(db, service);
  } finally {
    await service.close();
    await db.close();
  }
}

function resume(runId: string, io: CliIo): Promise<number> {
  return withProducer(readServiceConfig(io.env), async (db, service) => {
    const status = await runStatus(db, runId);
    const queued = await resumeRun(db, service.enqueue, runId);
    io.stdout.write(JSON.stringify({ run: runId, total: status.total, queued }) + '\n');
    return EXIT.ok;
  });
}
