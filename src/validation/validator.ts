// The one way to validate: a validator opened once (schema and rule sets compiled, threads started), used for bytes, files or whole runs, closed once.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SCHEMAS_DIR, TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import type { DocumentReport, ValidationRunReport } from '../core/report.js';
import { summarize } from '../core/report.js';
import { createRuleSets } from './rule-sets.js';
import { createDocumentValidator } from './validate-document.js';
import type { ValidatedDocument, ValidateOptions } from './validate-document.js';
import { createValidationPool } from './validation-pool.js';
import { addPairChecks } from './pair-run.js';
import type { LoadedForm } from './pair-run.js';
import { loadSchema } from './xsd-schema.js';

export interface ValidatorOptions extends ValidateOptions {
  /**
   * Validation threads. 1 validates in this thread (its event loop waits while a document
   * validates: fine for a command's handful of documents); more starts a pool, so HTTP peers
   * and queue workers in this process stay responsive. Default 1.
   */
  readonly threads?: number;
  /** Validate on a thread even when `threads` is 1, so the event loop never waits for a document. */
  readonly offThread?: boolean;
  /**
   * Time budget of one document in ms (none when absent). Only a thread can be stopped, so a
   * budget always validates on threads, even with `threads: 1` and no `offThread`.
   */
  readonly timeLimitMs?: number;
}

export interface Validator {
  readonly threads: number;
  /** Short id of the compiled schema set (content hash). */
  readonly schemaId: string;
  /** Rule file → short content hash of each rule set, as stored with every validation record. */
  readonly ruleVersions: Readonly<Record<string, string>>;
  /**
   * Never rejects for a document: a bad document or a tool failure is a report. On threads,
   * documents waiting for a thread go in order of `priority` (lower first, then in order of
   * arrival; default 1), so a queue job's place in its run carries through to the threads.
   */
  validateBytes(bytes: Uint8Array, name: string, priority?: number): Promise<DocumentReport>;
  /**
   * `validateBytes`, with the header facts read from the tree validation built, so the submit
   * path derives the XDS metadata without parsing the document a second time.
   */
  validateBytesWithHeader(bytes: Uint8Array, name: string, priority?: number): Promise<ValidatedDocument>;
  validateFile(file: string): Promise<DocumentReport>;
  /** Many files; reports in input order, `onReport` as soon as a report and every earlier one are done. */
  validateRun(
    files: readonly string[],
    onReport?: (report: DocumentReport, index: number) => void
  ): Promise<ValidationRunReport>;
  /**
   * Lets queued documents finish, then stops the threads; with `now`, stops them at once and
   * rejects every document not yet validated (the only rejection; see ValidationPool.close).
   */
  close(options?: { readonly now?: boolean }): Promise<void>;
}

/** Below this many files, starting threads (each compiles the schema) costs more than it saves. */
const MIN_FILES_FOR_THREADS = 8;

/** Threads for a run over `fileCount` files: `jobs` when asked, else one per core, one thread for small runs. */
export function threadsFor(fileCount: number, jobs?: number): number {
  if (jobs !== undefined) {
    return Math.max(1, Math.min(jobs, fileCount));
  }
  return fileCount < MIN_FILES_FOR_THREADS ? 1 : defaultJobs(fileCount);
}

export function defaultJobs(fileCount: number): number {
  return Math.max(1, Math.min(os.availableParallelism(), fileCount));
}

/** Files read ahead of the one being validated in this thread, so the CPU never waits for the disk. */
const READ_AHEAD = 4;

/**
 * Compiles the schema and every rule set here first: a broken schema or rule file is one clear
 * error (KihError) before any document, not one per thread or per document, and the threads then
 * find the SEF of every rule set that starts on SaxonJS in the compile cache.
 */
export async function openValidator(options: ValidatorOptions = {}): Promise<Validator> {
  const { threads: requested, offThread, timeLimitMs, ...validateOptions } = options;
  const threads = Math.max(1, requested ?? 1);
  const schemasDir = validateOptions.schemasDir ?? DEFAULT_SCHEMAS_DIR;
  const schema = loadSchema(schemasDir);
  const rules = createRuleSets(validateOptions);
  await rules.prepare();
  const ruleVersions = rules.versions();
  const ruleNotes = rules.notes();
  const tool: ValidationRunReport['tool'] = {
    name: TOOL_NAME,
    version: TOOL_VERSION,
    schemas: `${schemasDir === DEFAULT_SCHEMAS_DIR ? 'builtin' : schemasDir}#${schema.id}`,
    rules: ruleVersions,
    ruleEngines: rules.engines(),
    ...(Object.keys(ruleNotes).length > 0 ? { ruleNotes } : {}),
  };

  let validateBytes: Validator['validateBytes'];
  let validateBytesWithHeader: Validator['validateBytesWithHeader'];
  let validateFile: Validator['validateFile'];
  let validateAll: (files: readonly string[], put: (index: number, report: DocumentReport) => void) => Promise<void>;
  let close: Validator['close'];
  if (threads === 1 && offThread !== true && timeLimitMs === undefined) {
    const here = createDocumentValidator(validateOptions);
    await here.prepareRules();
    validateBytes = (bytes, name) => here.validateBytes(bytes, name);
    validateBytesWithHeader = (bytes, name) => here.validateBytesWithHeader(bytes, name);
    validateFile = (file) => here.validateFile(file);
    validateAll = async (files, put) => {
      const pending = files.slice(0, READ_AHEAD).map((f) => here.validateFile(f));
      for (let index = 0; index < files.length; index++) {
        const next = files[index + READ_AHEAD];
        if (next !== undefined) {
          pending.push(here.validateFile(next));
        }
        const report = await pending[index];
        if (report === undefined) {
          throw new Error('validateRun: missing result');
        }
        put(index, report);
      }
    };
    close = () => Promise.resolve();
  } else {
    // A function cannot cross to a worker thread; compiles there go unannounced.
    const { onSefCompile: _local, ...cloneable } = validateOptions;
    const pool = await createValidationPool(cloneable, threads, timeLimitMs !== undefined ? { timeLimitMs } : {});
    validateBytes = (bytes, name, priority) => pool.validateBytes(bytes, name, priority);
    validateBytesWithHeader = (bytes, name, priority) => pool.validateBytesWithHeader(bytes, name, priority);
    validateFile = (file) => pool.validateFile(file);
    validateAll = async (files, put) => {
      await Promise.all(
        files.map(async (file, index) => {
          put(index, await pool.validateFile(file));
        })
      );
    };
    close = (closeOptions) => pool.close(closeOptions);
  }

  return {
    threads,
    schemaId: schema.id,
    ruleVersions,
    validateBytes,
    validateBytesWithHeader,
    validateFile,
    async validateRun(files, onReport) {
      const startedAt = new Date().toISOString();
      const started = performance.now();
      const ordered = inOrder(files.length, onReport);
      await validateAll(files, (index, report) => {
        ordered.put(index, report);
      });
      const documents = ordered.results as DocumentReport[];
      return {
        documents,
        summary: summarize(documents),
        tool,
        startedAt,
        durationMs: Math.round(performance.now() - started),
      };
    },
    close,
  };
}

/**
 * Opens a validator sized for `files`, runs them, closes it, then pairs each QRD with its QFDD
 * (`pair-run.ts`): the whole of `kih validate`'s work. The pair check runs after the run, in this
 * thread, because it needs two documents and a thread sees one.
 */
export async function validateRun(
  files: readonly string[],
  options: ValidateOptions & {
    readonly jobs?: number;
    readonly timeLimitMs?: number;
    readonly onReport?: (report: DocumentReport, index: number) => void;
    /** The QRD ↔ QFDD pair check (`DK-PAIR-*`, stage `pair`); default true. */
    readonly pairChecks?: boolean;
    /** QFDDs given besides the run's documents (`kih validate --qfdd`). */
    readonly forms?: readonly LoadedForm[];
  } = {}
): Promise<ValidationRunReport> {
  const { jobs, onReport, pairChecks, forms, ...validateOptions } = options;
  const validator = await openValidator({ ...validateOptions, threads: threadsFor(files.length, jobs) });
  let run: ValidationRunReport;
  try {
    run = await validator.validateRun(files, onReport);
  } finally {
    await validator.close();
  }
  if (pairChecks === false) {
    return run;
  }
  return addPairChecks(run, {
    ...(forms ? { forms } : {}),
    ...(validateOptions.maxBytes !== undefined ? { maxBytes: validateOptions.maxBytes } : {}),
    ...(validateOptions.severityOverrides ? { severityOverrides: validateOptions.severityOverrides } : {}),
  });
}

/** Emits reports in input order although threads finish out of order. */
function inOrder(
  total: number,
  onReport?: (report: DocumentReport, index: number) => void
): { readonly results: (DocumentReport | undefined)[]; put(index: number, report: DocumentReport): void } {
  const results: (DocumentReport | undefined)[] = new Array<DocumentReport | undefined>(total);
  let next = 0;
  return {
    results,
    put(index: number, report: DocumentReport): void {
      results[index] = report;
      for (let r = results[next]; next < total && r; r = results[next]) {
        onReport?.(r, next);
        next++;
      }
    },
  };
}
