// `kih simulator`: runs the project's KIH-like repository (ITI-41, its STS, the query and scenario API) until interrupted.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { DEFAULT_SIMULATOR_PORT } from '../config/targets.js';
import { startProjectSimulator } from '../simulator/project-simulator.js';
import { openValidator } from '../validation/validator.js';
import type { Validator } from '../validation/validator.js';
import { EXIT } from './io.js';
import { positiveInt } from './option-values.js';
import type { CliIo } from './io.js';
import { stopRequested } from './stop-signal.js';

export const DEFAULT_SIMULATOR_STORE = '.kih-simulator';

export const SIMULATOR_USAGE = `Usage: kih simulator [options]

Runs the project's KIH repository simulator on a loopback address until Ctrl-C (SIGINT) or
SIGTERM: the ITI-41 endpoint with KIH's DGWS, metadata and CDA checks, its mock STS, the
query endpoint and the scenario API (docs/simulator.md). The target "simulator" sends here.

Options:
      --port <n>        port (default ${DEFAULT_SIMULATOR_PORT}; 0 picks a free one)
      --host <addr>     loopback address to listen on (default 127.0.0.1)
      --store <dir>     the simulator's durable store (default ${DEFAULT_SIMULATOR_STORE}); kept between runs
      --no-validate     store documents without the CDA check
      --plain           a plain IHE endpoint: SOAP 1.1 or 1.2, DGWS headers optional
  -j, --jobs <n>        validation threads (default 1)
  -h, --help            this help

Exit status: 0 stopped by a signal, 2 usage or start error (port taken, store locked).`;

function port(text: string | undefined): number {
  if (text === undefined) {
    return DEFAULT_SIMULATOR_PORT;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new KihError('CLI_ERR_USAGE', `--port takes 0 to 65535: "${text}"`);
  }
  return n;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export async function simulatorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      store: { type: 'string' },
      'no-validate': { type: 'boolean', default: false },
      plain: { type: 'boolean', default: false },
      jobs: { type: 'string', short: 'j' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(SIMULATOR_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 0) {
    throw new KihError('CLI_ERR_USAGE', `kih simulator takes no arguments, got "${positionals.join(' ')}".`);
  }
  const storeDir = path.resolve(values.store ?? DEFAULT_SIMULATOR_STORE);
  const jobs = positiveInt('jobs', values.jobs) ?? 1;
  const listenPort = port(values.port);
  if (io.signal?.aborted) {
    return EXIT.ok;
  }
  const stop = stopRequested(io.signal);
  let pool: Validator | undefined;
  try {
    // A pool even for one thread: validating never blocks the event loop that answers HTTP.
    pool = values['no-validate'] ? undefined : await openValidator({ threads: jobs, offThread: true });
    const sim = await startProjectSimulator({
      storeDir,
      port: listenPort,
      ...(values.host !== undefined ? { host: values.host } : {}),
      requireDgws: !values.plain,
      ...(pool ? { validator: pool } : {}),
    });
    io.stdout.write(
      `KIH simulator on ${sim.url}\n` +
        `  ITI-41  ${sim.iti41Url}${values.plain ? ' (plain IHE)' : ' (DGWS)'}\n` +
        `  ITI-18  ${sim.registryUrl}\n` +
        `  ITI-43  ${sim.retrieveUrl}\n` +
        `  STS     ${sim.stsUrl}\n` +
        `  query   ${sim.queryUrl}?uniqueId=...\n` +
        `  store   ${storeDir} (${plural(sim.entries().length, 'entry', 'entries')})\n` +
        `  CDA validation ${pool ? `on (${jobs} thread${jobs === 1 ? '' : 's'})` : 'off'}\n`
    );
    const why = await stop.promise;
    await sim.close();
    const s = sim.stats;
    io.stderr.write(
      `kih simulator: stopped (${why}); ${plural(s.requests, 'request', 'requests')}, ${s.stored} stored, ${s.rejected} not stored.\n`
    );
    return EXIT.ok;
  } finally {
    stop.dispose();
    await pool?.close();
  }
}
