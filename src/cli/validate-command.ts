// `kih validate`: validates files and directories and prints one report in the chosen format.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../xml/input-checks.js';
import { KihError } from '../core/kih-error.js';
import { DEFAULT_SCHEMAS_DIR } from '../core/package-info.js';
import { renderReport, REPORT_FORMATS } from '../validation/renderers/index.js';
import type { ReportFormat } from '../validation/renderers/index.js';
import { PROFILE_IDS } from '../core/report.js';
import type { Severity } from '../core/report.js';
import { validateRun } from '../validation/validator.js';
import { loadForm } from '../validation/pair-run.js';
import type { LoadedForm } from '../validation/pair-run.js';
import { collectXmlFiles } from '../core/collect-files.js';
import { EXIT } from './io.js';
import { positiveInt, profileOption, schematronEngine } from './option-values.js';
import type { CliIo } from './io.js';
import { compileNotice } from './compile-notice.js';
import { createProgress } from './progress.js';

export const VALIDATE_USAGE = `Usage: kih validate [options] <file|dir>...

Validates DK PHMR, QRD and QFDD documents (directories are searched for *.xml).

Options:
  -f, --format <fmt>    text (default), json, junit, svrl or html
  -o, --out <file>      write the report to a file instead of standard output
  -p, --profile <id>    validate as ${PROFILE_IDS.join(', ')} instead of detecting
      --schemas <dir>   another CDA schema set (entry point CDA_SDTC.xsd); default: the project's own
      --schematron <f>  also run this ISO Schematron file (repeatable); compiled on first use, cached
      --no-builtin-rules  skip the project's DK rule set for the detected profile
      --no-xds-checks   skip the XDS header checks (XDS-CDA-*, stage xds): whether the XDS
                        metadata can be derived from the header (on by default: valid means submittable)
      --qfdd <file>     the QFDD the QRDs answer (repeatable): each QRD is checked against the form it
                        references (DK-PAIR-*, stage pair), found among these and the documents validated;
                        with one --qfdd, a QRD that references no known form is checked against it
      --no-pair-checks  skip the QRD ↔ QFDD pair check
      --schematron-engine <e>  auto (default; also KIH_SCHEMATRON_ENGINE): the own engine for
                        rule sets within its XPath subset, SaxonJS for the rest; saxonjs: SaxonJS always
      --severity <id=l> report rule <id> as error, warning or info (repeatable)
      --max-size <n>    size limit per document in bytes, or with k/M suffix (default 20M)
  -j, --jobs <n>        worker threads (default: one per core; 1 = no threads)
      --max-findings <n>  findings kept per stage of a document; one notice counts the rest (default 1000)
      --time-limit <ms> time budget of one document: one over it is stopped (status error,
                        CDA_ERR_TIME_LIMIT) and the next goes on; validates on threads (default: none)
      --no-progress     no progress bar (nor "compiling … for SaxonJS" notice) on the terminal
  -v, --verbose     say on standard error which Schematron engine runs each rule set and why,
                        the compiler's notes on each rule file, each SaxonJS compile and its time,
                        and which documents the own engine left to SaxonJS
  -h, --help            this help

Exit status: 0 every document valid, 1 any document invalid, 2 usage or tool error.`;

function parseSize(text: string): number {
  const m = /^(\d+)([kKmM]?)$/.exec(text.trim());
  if (!m) {
    throw new KihError('CLI_ERR_USAGE', `--max-size takes a number of bytes, optionally with k or M: "${text}"`);
  }
  const unit = (m[2] ?? '').toLowerCase();
  return Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** `--severity DK-QRD-13-012=warning` (repeatable) → rule id → severity. */
function parseSeverities(entries: readonly string[]): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  for (const entry of entries) {
    const [id, level] = entry.split('=');
    if (!id || !level || !(SEVERITIES as readonly string[]).includes(level)) {
      throw new KihError('CLI_ERR_USAGE', `--severity takes RULE-ID=error|warning|info: "${entry}"`);
    }
    out[id] = level as Severity;
  }
  return out;
}

/** `--qfdd <file>` (repeatable): each a DK QFDD, read before any document so a wrong file is a usage error. */
async function qfddForms(files: readonly string[], noPairChecks: boolean, maxBytes: number): Promise<LoadedForm[]> {
  if (files.length > 0 && noPairChecks) {
    throw new KihError('CLI_ERR_USAGE', '--qfdd is for the pair check, which --no-pair-checks turns off.');
  }
  const forms: LoadedForm[] = [];
  for (const file of files) {
    const loaded = await loadForm(file, maxBytes);
    if (!loaded.ok) {
      throw new KihError('CLI_ERR_USAGE', `--qfdd ${file}: ${loaded.reason}.`);
    }
    forms.push(loaded.value);
  }
  return forms;
}

export async function validateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', short: 'f', default: 'text' },
      out: { type: 'string', short: 'o' },
      profile: { type: 'string', short: 'p' },
      schemas: { type: 'string' },
      'max-size': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'max-findings': { type: 'string' },
      'time-limit': { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      schematron: { type: 'string', multiple: true },
      'no-builtin-rules': { type: 'boolean', default: false },
      'no-xds-checks': { type: 'boolean', default: false },
      qfdd: { type: 'string', multiple: true },
      'no-pair-checks': { type: 'boolean', default: false },
      severity: { type: 'string', multiple: true },
      'schematron-engine': { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(VALIDATE_USAGE + '\n');
    return EXIT.ok;
  }
  const format = values.format;
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new KihError('CLI_ERR_USAGE', `Unknown --format "${format}"; use one of ${REPORT_FORMATS.join(', ')}.`);
  }
  const profile = profileOption(values.profile);
  if (positionals.length === 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name at least one file or directory to validate.');
  }
  const files = await collectXmlFiles(positionals);
  if (files.length === 0) {
    throw new KihError('CLI_ERR_NO_INPUT', `No *.xml documents found in ${positionals.join(', ')}.`);
  }
  const schemasDir = values.schemas ?? DEFAULT_SCHEMAS_DIR;
  const ruleOptions = {
    builtinRules: !values['no-builtin-rules'],
    xdsChecks: !values['no-xds-checks'],
    schematron: (values.schematron ?? []).map((f) => path.resolve(f)),
    severityOverrides: parseSeverities(values.severity ?? []),
  };
  const engine = schematronEngine(values['schematron-engine'], io.env);
  const maxBytes = values['max-size'] !== undefined ? parseSize(values['max-size']) : DEFAULT_MAX_DOCUMENT_BYTES;
  const jobs = positiveInt('jobs', values.jobs);
  const maxFindings = positiveInt('max-findings', values['max-findings']);
  const timeLimitMs = positiveInt('time-limit', values['time-limit']);
  const forms = await qfddForms(values.qfdd ?? [], values['no-pair-checks'], maxBytes);
  const progress = values['no-progress'] ? createProgress(io.stderr, 0, 1) : createProgress(io.stderr, files.length);
  const report = await validateRun(files, {
    schemasDir,
    onSefCompile: compileNotice(io.stderr, {
      verbose: values.verbose,
      terminal: io.stderr.isTTY === true && !values['no-progress'],
    }),
    maxBytes,
    ...ruleOptions,
    ...(engine ? { schematronEngine: engine } : {}),
    ...(profile ? { profile } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(maxFindings !== undefined ? { maxFindingsPerStage: maxFindings } : {}),
    ...(timeLimitMs !== undefined ? { timeLimitMs } : {}),
    pairChecks: !values['no-pair-checks'],
    forms,
    onReport: () => {
      progress.tick();
    },
  });
  progress.done();
  const documents = report.documents;
  if (values.verbose) {
    for (const [file, used] of Object.entries(report.tool.ruleEngines ?? {})) {
      io.stderr.write(`kih: Schematron ${file}: engine ${used}\n`);
    }
    for (const [file, notes] of Object.entries(report.tool.ruleNotes ?? {})) {
      for (const note of notes) {
        io.stderr.write(`kih: Schematron ${file}: ${note}\n`);
      }
    }
    for (const doc of documents) {
      for (const [file, reason] of Object.entries(doc.schematronFallbacks ?? {})) {
        io.stderr.write(`kih: ${doc.file}: Schematron ${file}: left to SaxonJS (${reason})\n`);
      }
    }
  }

  const color = !values.out && format === 'text' && io.stdout.isTTY === true && !io.env.NO_COLOR;
  const rendered = renderReport(report, format as ReportFormat, { color });
  if (values.out) {
    await writeFile(values.out, rendered);
  } else {
    io.stdout.write(rendered.endsWith('\n') ? rendered : rendered + '\n');
  }
  const toolErrors = documents.filter((d) => d.status === 'error');
  if (toolErrors.length > 0) {
    for (const doc of toolErrors) {
      io.stderr.write(`kih: ${doc.file}: ${doc.issues.find((i) => i.stage === 'tool')?.message ?? 'tool error'}\n`);
    }
    return EXIT.usage;
  }
  return report.summary.invalid > 0 ? EXIT.findings : EXIT.ok;
}
