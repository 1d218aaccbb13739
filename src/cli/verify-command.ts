// `kih verify`: asks a target's registry (ITI-18) and repository (ITI-43) whether documents arrived as sent, and prints one outcome per document.
import { jsonOrText } from './option-values.js';
import type { JsonOrText } from './option-values.js';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { stat } from 'node:fs/promises';
import { readServiceConfig } from '../config/service-config.js';
import { openDatabase } from '../store/database.js';
import { storedRunDocuments } from '../store/verification-records.js';
import { renderVerifyText, verifyItems } from '../submission/verify-files.js';
import type { VerifyArgument, VerifyRunReport } from '../submission/verify-files.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';
import { localSimulator, withLocalPeer } from './local-simulator.js';
import { resolveXdsContext, XDS_OPTIONS, XDS_OPTIONS_USAGE } from './xds-options.js';

export const VERIFY_USAGE = `Usage: kih verify [options] <uniqueId|file|run-id>...

For each document: ITI-18 GetDocuments by its uniqueId at the target's registry, every registered
metadata field compared with what the project derives from the file (as kih submit does), then
ITI-43 retrieve from the repository with hash, size and bytes compared. A bare uniqueId is checked
by hash and size only. A run id (of the service's records: DATABASE_URL, KIH_DB_SCHEMA) stands for
every document of the run that the target stored, each checked like a file. Outcomes: verified, notFound, metadataMismatch (naming the fields),
contentMismatch, failure (with the class: transient, auth, authPermanent, permanent), and invalid
for a file whose metadata cannot be derived.

Options:
${XDS_OPTIONS_USAGE}
  -f, --format <fmt>    json (default) or text
      --wait <s>        keep asking up to this many seconds while the registry does not know a
                        document yet (registration can lag the submission); default 0, ask once
      --id-card <file>  send this STS-signed ID card instead of getting one from the target's STS
      --simulator-store <dir>
                        the in-process simulator's store to verify against (target local; without
                        it the local simulator starts empty and knows no document)

Targets need registryEndpoint and retrieveEndpoint (the simulator's are built in; for KIH set
them in the settings file, the tool does not know the NSP registry's address).

Exit status: 0 every document verified, 1 any other outcome, 2 usage or tool error.`;

/** `--wait <s>`: seconds, 0 or more (fractions allowed), at most an hour. */
export function waitSeconds(text: string | undefined): number {
  if (text === undefined) {
    return 0;
  }
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600) {
    throw new KihError('CLI_ERR_USAGE', `--wait takes seconds from 0 to 3600: "${text}"`);
  }
  return n;
}

function render(report: VerifyRunReport, format: JsonOrText): string {
  return format === 'text' ? renderVerifyText(report) : JSON.stringify(report, null, 2);
}

export async function verifyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      ...XDS_OPTIONS,
      format: { type: 'string', short: 'f', default: 'json' },
      wait: { type: 'string' },
      'id-card': { type: 'string' },
      'simulator-store': { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout.write(VERIFY_USAGE + '\n');
    return EXIT.ok;
  }
  const format = jsonOrText(values.format);
  if (positionals.length === 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name at least one uniqueId or file to verify.');
  }
  const waitMs = Math.round(waitSeconds(values.wait) * 1000);
  const context = await resolveXdsContext(values, io.env);
  const items = await expandRunIds(positionals, context.target.name, io.env);
  const report = await verifyItems(items, {
    target: context.target,
    settings: context.settings,
    ...(context.profile ? { profile: context.profile } : {}),
    ...(values['id-card'] !== undefined ? { idCardFile: values['id-card'] } : {}),
    ...withLocalPeer(localSimulator(context.target, values['simulator-store'])),
    waitMs,
  });
  const rendered = render(report, format) + '\n';
  if (values.out !== undefined) {
    await writeFile(values.out, rendered);
  } else {
    io.stdout.write(rendered);
  }
  return report.summary.verified === report.summary.documents ? EXIT.ok : EXIT.findings;
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function isPath(arg: string): Promise<boolean> {
  try {
    await stat(arg);
    return true;
  } catch {
    // Not a path: a uniqueId or a run id.
    return false;
  }
}

/**
 * Replaces each run id (a UUID that is not a path; XDS uniqueIds are OIDs, never UUIDs) with the
 * run's documents stored at `target`, read from the service's records.
 */
export async function expandRunIds(
  args: readonly string[],
  target: string,
  env: NodeJS.ProcessEnv
): Promise<VerifyArgument[]> {
  const runIds = [];
  for (const arg of args) {
    if (RUN_ID.test(arg) && !(await isPath(arg))) {
      runIds.push(arg);
    }
  }
  if (runIds.length === 0) {
    return [...args];
  }
  const config = readServiceConfig(env, { queues: 'record' });
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, max: 1 });
  try {
    const out: VerifyArgument[] = [];
    for (const arg of args) {
      if (!runIds.includes(arg)) {
        out.push(arg);
        continue;
      }
      const stored = await storedRunDocuments(db, arg);
      const here = stored.filter((d) => d.target === target);
      if (stored.length > 0 && here.length === 0) {
        const where = [...new Set(stored.map((d) => d.target))].join(', ');
        throw new KihError(
          'CLI_ERR_USAGE',
          `Run ${arg} stored its documents at ${where}, not at ${target}; name that --target.`
        );
      }
      if (here.length === 0) {
        throw new KihError('CLI_ERR_USAGE', `Run ${arg} has no document stored at ${target}: nothing to verify.`);
      }
      out.push(...here.map((d) => ({ file: d.file, bytes: d.bytes })));
    }
    return out;
  } finally {
    await db.close();
  }
}
