// `kih run`: the whole pipeline in this process (validate → metadata → request → submit → report), reports written to a folder.
import { localSimulator, withLocalPeer } from './local-simulator.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { allStored, renderSubmissionText } from '../submission/submission-report.js';
import type { SubmissionRunReport } from '../submission/submission-report.js';
import { DEFAULT_SUBMIT_CONCURRENCY, submitFiles } from '../submission/submit-files.js';
import { renderReport } from '../validation/renderers/index.js';
import type { ReportFormat } from '../validation/renderers/index.js';
import { validateRun } from '../validation/validator.js';
import { collectXmlFiles } from '../core/collect-files.js';
import { EXIT } from './io.js';
import { positiveInt, schematronEngine } from './option-values.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';
import { waitSeconds } from './verify-command.js';
import { resolveXdsContext } from './xds-options.js';

export const DEFAULT_REPORT_DIR = 'kih-report';

export const RUN_USAGE = `Usage: kih run [options] <file|dir>...

The whole pipeline in this process: validates every document (XML Schema and the DK rules, and
each QRD against its QFDD when both are among the documents), then for each valid one derives the XDS metadata, builds the ITI-41 request and submits it to
the target (default local: the project's KIH simulator with its STS, inside this command).
Writes the reports to a folder and prints a summary. No Redis or database is needed.

Options:
  -o, --out <dir>       report folder (default ${DEFAULT_REPORT_DIR}/): validation.{txt,json,html,junit.xml,svrl.xml},
                        submission.{txt,json}
  -t, --target <name>   where to submit (default local); see kih submit --help
  -c, --config <file>   settings file with targets and metadata
      --event-code <c>  add CODE@CODESYSTEM=Display name to eventCodeList (repeatable)
  -j, --jobs <n>        validation threads (default: one per core)
      --schematron-engine <e>  auto (default; also KIH_SCHEMATRON_ENGINE) or saxonjs; see kih validate --help
      --concurrency <n> submissions in flight at once (default ${DEFAULT_SUBMIT_CONCURRENCY})
      --verify          check each stored document right away at the target's registry and
                        repository (ITI-18, ITI-43); counts in submission.{txt,json}
      --wait <s>        with --verify: keep asking up to this many seconds for a lagging registration
  -h, --help            this help

Exit status: 0 every document valid and stored (and with --verify, verified), 1 any invalid or not stored, 2 usage or tool error.`;

const VALIDATION_FILES: readonly [ReportFormat, string][] = [
  ['text', 'validation.txt'],
  ['json', 'validation.json'],
  ['html', 'validation.html'],
  ['junit', 'validation.junit.xml'],
  ['svrl', 'validation.svrl.xml'],
];

export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      target: { type: 'string', short: 't' },
      config: { type: 'string', short: 'c' },
      'event-code': { type: 'string', multiple: true },
      jobs: { type: 'string', short: 'j' },
      concurrency: { type: 'string' },
      'schematron-engine': { type: 'string' },
      verify: { type: 'boolean', default: false },
      wait: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(RUN_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length === 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name at least one file or directory to run.');
  }
  const jobs = positiveInt('jobs', values.jobs);
  const concurrency = positiveInt('concurrency', values.concurrency);
  const engine = schematronEngine(values['schematron-engine'], io.env);
  if (values.wait !== undefined && !values.verify) {
    throw new KihError('CLI_ERR_USAGE', '--wait goes with --verify.');
  }
  const verify = values.verify ? { waitMs: Math.round(waitSeconds(values.wait) * 1000) } : undefined;
  const context = await resolveXdsContext(values, io.env);
  const files = await collectXmlFiles(positionals);
  if (files.length === 0) {
    throw new KihError('CLI_ERR_NO_INPUT', `No *.xml documents found in ${positionals.join(', ')}.`);
  }
  const outDir = values.out ?? DEFAULT_REPORT_DIR;

  const progress = createProgress(io.stderr, files.length * 2);
  const tick = (): void => {
    progress.tick();
  };
  const validation = await validateRun(files, {
    ...(jobs !== undefined ? { jobs } : {}),
    ...(engine ? { schematronEngine: engine } : {}),
    onReport: tick,
  });
  const valid = validation.documents.filter((d) => d.status === 'valid').map((d) => d.file);
  // Validated once above; the simulator (like KIH) still checks what it receives.
  const submission: SubmissionRunReport = await submitFiles(valid, {
    target: context.target,
    settings: context.settings,
    validate: false,
    ...withLocalPeer(localSimulator(context.target)),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(verify ? { verify } : {}),
    onDocument: tick,
  });
  progress.done();

  await mkdir(outDir, { recursive: true });
  for (const [format, name] of VALIDATION_FILES) {
    await writeFile(path.join(outDir, name), renderReport(validation, format));
  }
  const submissionText = renderSubmissionText(submission) + '\n';
  await writeFile(path.join(outDir, 'submission.json'), JSON.stringify(submission, null, 2) + '\n');
  await writeFile(path.join(outDir, 'submission.txt'), submissionText);

  const v = validation.summary;
  io.stdout.write(
    `${v.total} documents: ${v.valid} valid, ${v.invalid} invalid${v.errors ? ` (${v.errors} could not be checked)` : ''}.\n` +
      (valid.length > 0 ? submissionText : 'Nothing to submit.\n') +
      `Reports in ${outDir}/: ${[...VALIDATION_FILES.map(([, n]) => n), 'submission.json', 'submission.txt'].join(', ')}\n`
  );
  if (validation.documents.some((d) => d.status === 'error')) {
    return EXIT.usage;
  }
  return v.invalid === 0 && allStored(submission.summary) ? EXIT.ok : EXIT.findings;
}
