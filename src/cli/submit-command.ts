// `kih submit`: validates, builds and sends documents to a target (by default the in-process KIH simulator) and prints the outcomes.
import { localSimulator, withLocalPeer } from './local-simulator.js';
import { stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { allStored, renderSubmissionText } from '../submission/submission-report.js';
import type { SubmissionRunReport } from '../submission/submission-report.js';
import { DEFAULT_SUBMIT_CONCURRENCY, submitFiles } from '../submission/submit-files.js';
import { collectXmlFiles } from '../core/collect-files.js';
import { EXIT } from './io.js';
import { jsonOrText, positiveInt } from './option-values.js';
import type { JsonOrText } from './option-values.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';
import { waitSeconds } from './verify-command.js';
import { resolveXdsContext, XDS_OPTIONS, XDS_OPTIONS_USAGE } from './xds-options.js';

export const SUBMIT_USAGE = `Usage: kih submit [options] <file|dir>...

Validates each document, derives its XDS metadata, builds the ITI-41 request and sends it to
the target, retrying only what is safe; prints the outcomes. The default target, local, runs
the project's KIH simulator (with its STS) inside this command, so nothing else is needed.

Options:
${XDS_OPTIONS_USAGE}
  -f, --format <fmt>    json (default) or text
      --id-card <file>  send this STS-signed ID card instead of getting one from the target's STS
      --no-validate     send without validating first (the repository's own checks still apply)
      --simulator-store <dir>
                        keep the in-process simulator's store here (default: a temporary
                        directory, removed afterwards)
  -j, --jobs <n>        validation threads (default 1 below 8 documents, else one per core)
      --concurrency <n> documents in flight at once (default ${DEFAULT_SUBMIT_CONCURRENCY})
      --verify          check each stored document right away at the target's registry and
                        repository (ITI-18, ITI-43; see kih verify --help)
      --wait <s>        with --verify: keep asking up to this many seconds for a lagging registration

JSON: one document named as a file gives { "outcome", "class", "errors", "uniqueId", "target",
"durationMs", ... }; otherwise { "documents": [...], "summary": {...} }.

Exit status: 0 every document stored (and with --verify, verified), 1 any document not stored (invalid, refused, unknown),
2 usage or tool error.`;

/** A single file argument prints that document's record; anything else prints the run. */
async function namesOneFile(positionals: readonly string[]): Promise<boolean> {
  const [only] = positionals;
  return positionals.length === 1 && only !== undefined && (await stat(only)).isFile();
}

function render(report: SubmissionRunReport, format: JsonOrText, single: boolean): string {
  if (format === 'text') {
    return renderSubmissionText(report);
  }
  return JSON.stringify(single && report.documents.length === 1 ? report.documents[0] : report, null, 2);
}

export async function submitCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      ...XDS_OPTIONS,
      format: { type: 'string', short: 'f', default: 'json' },
      'id-card': { type: 'string' },
      'no-validate': { type: 'boolean', default: false },
      'simulator-store': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      concurrency: { type: 'string' },
      verify: { type: 'boolean', default: false },
      wait: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout.write(SUBMIT_USAGE + '\n');
    return EXIT.ok;
  }
  const format = jsonOrText(values.format);
  if (positionals.length === 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name at least one file or directory to submit.');
  }
  const jobs = positiveInt('jobs', values.jobs);
  const concurrency = positiveInt('concurrency', values.concurrency);
  if (values.wait !== undefined && !values.verify) {
    throw new KihError('CLI_ERR_USAGE', '--wait goes with --verify.');
  }
  const verify = values.verify ? { waitMs: Math.round(waitSeconds(values.wait) * 1000) } : undefined;
  const context = await resolveXdsContext(values, io.env);
  const files = await collectXmlFiles(positionals);
  if (files.length === 0) {
    throw new KihError('CLI_ERR_NO_INPUT', `No *.xml documents found in ${positionals.join(', ')}.`);
  }
  const single = await namesOneFile(positionals);

  const progress = createProgress(io.stderr, files.length);
  const report = await submitFiles(files, {
    target: context.target,
    settings: context.settings,
    validate: !values['no-validate'],
    ...(context.profile ? { profile: context.profile } : {}),
    ...(values['id-card'] !== undefined ? { idCardFile: values['id-card'] } : {}),
    ...withLocalPeer(localSimulator(context.target, values['simulator-store'])),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(verify ? { verify } : {}),
    onDocument: () => {
      progress.tick();
    },
  });
  progress.done();

  const rendered = render(report, format, single) + '\n';
  if (values.out !== undefined) {
    await writeFile(values.out, rendered);
  } else {
    io.stdout.write(rendered);
  }
  return allStored(report.summary) ? EXIT.ok : EXIT.findings;
}
