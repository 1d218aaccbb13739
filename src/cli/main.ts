// The `kih` command: dispatches subcommands and turns thrown errors into exit status 2 with a message.
import { exitCodeOf } from '../core/codes.js';
import { isKihError } from '../core/kih-error.js';
import { TOOL_VERSION } from '../core/package-info.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';
import { adminCommand, vendorCommand } from './access-commands.js';
import { enqueueCommand } from './enqueue-command.js';
import { metadataCommand } from './metadata-command.js';
import { regressCommand } from './regress-command.js';
import { requestCommand } from './request-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { simulatorCommand } from './simulator-command.js';
import { statusCommand } from './status-command.js';
import { submitCommand } from './submit-command.js';
import { validateCommand } from './validate-command.js';
import { verifyCommand } from './verify-command.js';
import { workerCommand } from './worker-command.js';

export const USAGE = `Usage: kih <command> [options]

Commands:
  validate <file|dir>...   validate PHMR/QRD/QFDD documents (kih validate --help)
  metadata <file>          print a document's XDS metadata as JSON (kih metadata --help)
  request <file>           write the ITI-41 HTTP request for a document (kih request --help)
  run <file|dir>...        the whole pipeline in this process, reports to a folder (kih run --help)
  submit <file|dir>...     validate, build and send documents to KIH or the simulator (kih submit --help)
  verify <uniqueId|file>...  check documents at the registry and repository (ITI-18, ITI-43) (kih verify --help)
  regress <corpus>...      compare corpora with their manifests and a baseline run (kih regress --help)
  simulator                run the KIH repository simulator (kih simulator --help)
  worker                   run the service's queue workers (kih worker --help)
  enqueue <file|dir>...    store documents and queue them as a run (kih enqueue --help)
  status <run-id>          a run's progress and results (kih status --help)
  serve                    the HTTP API and web pages for vendors and MedCom (kih serve --help)
  vendor <add|revoke|list> vendors' API keys (kih vendor --help)
  admin <add|revoke>       MedCom users' API keys (kih admin --help)
  help                     this help
  version                  print the version

Exit status: 0 success, 1 findings (e.g. an invalid document), 2 usage or tool error.`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  validate: validateCommand,
  metadata: metadataCommand,
  request: requestCommand,
  run: runCommand,
  submit: submitCommand,
  verify: verifyCommand,
  regress: regressCommand,
  simulator: simulatorCommand,
  worker: workerCommand,
  enqueue: enqueueCommand,
  status: statusCommand,
  serve: serveCommand,
  vendor: vendorCommand,
  admin: adminCommand,
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'version' || name === '--version' || name === '-V') {
    io.stdout.write(TOOL_VERSION + '\n');
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`kih: unknown command "${name}"\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (isKihError(err)) {
      const where = err.path !== undefined && !err.message.includes(err.path) ? ` (${err.path})` : '';
      io.stderr.write(`kih: ${err.code}${where}: ${err.message}\n`);
      return exitCodeOf(err.code);
    }
    // parseArgs reports unknown options and missing values with its own codes.
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`kih: CLI_ERR_USAGE: ${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`kih: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.usage;
  }
}
