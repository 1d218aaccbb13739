// `kih regress`: runs corpora against their manifests (and a baseline) and writes JSON, JUnit XML and HTML; or queues, shows and cancels service-mode runs.
import { localSimulator, withLocalPeer } from './local-simulator.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { readServiceConfig } from '../config/service-config.js';
import { loadServiceSettings } from '../config/load-config.js';
import { startService } from '../queue/service.js';
import { readBaseline } from '../regression/baseline.js';
import { loadCorpora } from '../regression/corpus.js';
import { diffResults } from '../regression/diff-results.js';
import type { RegressionDiff } from '../regression/diff-results.js';
import { startRegressionService } from '../queue/regress-queue.js';
import { renderRegressionHtml } from '../regression/render-html.js';
import { renderRegressionJson } from '../regression/render-json.js';
import { renderRegressionJUnit } from '../regression/render-junit.js';
import type { RegressionResult } from '../regression/result.js';
import { documentKey } from '../regression/result.js';
import { runRegression } from '../regression/run-corpus.js';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { getRegressionRun, listRegressionRuns } from '../store/regression-records.js';
import { cancelRun } from '../store/records.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';
import { positiveInt } from './option-values.js';
import { createProgress } from './progress.js';
import { resolveXdsContext } from './xds-options.js';

export const DEFAULT_REGRESS_DIR = 'kih-regress';

export const REPORT_FILES = {
  json: 'regression.json',
  junit: 'regression.junit.xml',
  html: 'regression.html',
} as const;

export const REGRESS_USAGE = `Usage: kih regress [options] <corpus-dir>...
       kih regress --enqueue [corpus-name...] | --show <id> | --list [corpus-name] | --cancel <id>

Validates (and with --submit also submits) every document of each corpus, in this process, and
compares the outcome with the corpus's manifest.json (expected verdict, profile and error rule
ids per document) and, with --baseline, with a previous result. Writes to a folder:
${REPORT_FILES.json} (the next run's baseline), ${REPORT_FILES.junit} (one test case per document)
and ${REPORT_FILES.html} (what changed since the baseline first, then every document).

Options:
  -o, --out <dir>          report folder (default ${DEFAULT_REGRESS_DIR}/)
  -b, --baseline <file>    a previous ${REPORT_FILES.json}: report new failures, fixes, rule ids that
                           appeared or vanished, version and timing changes
      --submit <target>    also submit each valid document (local: the built-in simulator; kih-test, …)
  -c, --config <file>      settings file (targets, metadata; the regression section for service mode)
  -j, --jobs <n>           validation threads (default: one per core)
      --schematron <f>     also run this ISO Schematron file on every document (repeatable)
      --no-builtin-rules   skip the project's own Schematron rule sets
      --timing-ratio <x>   a document's time counts as changed beyond this factor (default 1.5)
  -h, --help               this help

Service mode (DATABASE_URL, REDIS_URL, KIH_CONFIG with a "regression" section; see docs/regression.md):
      --enqueue            queue a regression of the configured corpora (or the named ones) now
      --show <id>          print a regression run: state, progress (done/total), versions, result
      --list               print the latest regression runs (of one corpus when named)
      --cancel <id>        cancel a regression run: documents not yet started are skipped

Exit status: 0 every document as its manifest says (or the service command done), 1 any
mismatch, 2 usage or tool error.`;

export async function regressCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      baseline: { type: 'string', short: 'b' },
      submit: { type: 'string' },
      config: { type: 'string', short: 'c' },
      jobs: { type: 'string', short: 'j' },
      schematron: { type: 'string', multiple: true },
      'no-builtin-rules': { type: 'boolean', default: false },
      'timing-ratio': { type: 'string' },
      enqueue: { type: 'boolean', default: false },
      show: { type: 'string' },
      list: { type: 'boolean', default: false },
      cancel: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(REGRESS_USAGE + '\n');
    return EXIT.ok;
  }
  const service = [values.enqueue, values.show !== undefined, values.list, values.cancel !== undefined].filter(Boolean);
  if (service.length > 1) {
    throw new KihError('CLI_ERR_USAGE', 'Give one of --enqueue, --show, --list and --cancel.');
  }
  if (values.show !== undefined || values.list || values.cancel !== undefined) {
    return serviceQuery(values, positionals, io);
  }
  if (values.enqueue) {
    return enqueueRegression(values.config, positionals, io);
  }
  if (positionals.length === 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name at least one corpus directory (one with a manifest.json).');
  }
  const jobs = positiveInt('jobs', values.jobs);
  let timingRatio: number | undefined;
  if (values['timing-ratio'] !== undefined) {
    timingRatio = Number(values['timing-ratio']);
    if (!Number.isFinite(timingRatio) || timingRatio <= 1) {
      throw new KihError('CLI_ERR_USAGE', `--timing-ratio takes a factor above 1: "${values['timing-ratio']}"`);
    }
  }
  // Everything that can be refused is checked before the first document is read.
  const baseline = values.baseline !== undefined ? await readBaseline(values.baseline) : undefined;
  const corpora = await loadCorpora(positionals.map((dir) => ({ dir })));
  const submit =
    values.submit !== undefined
      ? await resolveXdsContext({ target: values.submit, config: values.config }, io.env)
      : undefined;
  // Metadata a manifest expects is derived with the settings a submission would use (the local target's without --submit).
  const metadataSettings = (submit ?? (await resolveXdsContext({ target: 'local', config: values.config }, io.env)))
    .settings;
  const outDir = values.out ?? DEFAULT_REGRESS_DIR;
  const total = corpora.reduce((n, c) => n + c.files.length, 0);
  const progress = createProgress(io.stderr, submit ? total * 2 : total);
  const result = await runRegression(corpora, {
    builtinRules: !values['no-builtin-rules'],
    schematron: (values.schematron ?? []).map((f) => path.resolve(f)),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(submit
      ? {
          submit: { target: submit.target, settings: submit.settings, ...withLocalPeer(localSimulator(submit.target)) },
        }
      : {}),
    metadataSettings,
    onProgress: () => {
      progress.tick();
    },
  });
  progress.done();
  const diff = baseline ? diffResults(baseline, result, timingRatio ? { timingRatio } : {}) : undefined;

  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, REPORT_FILES.json), renderRegressionJson(result, diff));
  await writeFile(path.join(outDir, REPORT_FILES.junit), renderRegressionJUnit(result));
  await writeFile(path.join(outDir, REPORT_FILES.html), renderRegressionHtml(result, diff));
  io.stdout.write(summaryText(result, diff) + `Reports in ${outDir}/: ${Object.values(REPORT_FILES).join(', ')}\n`);
  return result.summary.mismatched === 0 ? EXIT.ok : EXIT.findings;
}

/** What a person reads in the terminal: the counts, each mismatch, and the changes since the baseline. */
export function summaryText(result: RegressionResult, diff?: RegressionDiff): string {
  const s = result.summary;
  const lines = [
    `${s.total} documents in ${result.corpora.length} ${result.corpora.length === 1 ? 'corpus' : 'corpora'}: ${s.matched} as the manifest says, ${s.mismatched} not.`,
  ];
  for (const d of result.documents.filter((x) => !x.match)) {
    for (const m of d.mismatches) {
      lines.push(`  ${documentKey(d)}: ${m.kind}: ${m.message}`);
    }
  }
  if (diff) {
    lines.push(
      `Since the baseline of ${diff.baseline.startedAt}: ${diff.newFailures.length} new failures, ${diff.fixed.length} fixed, ` +
        `${diff.added.length} added, ${diff.removed.length} removed, ${diff.timing.length} timing changes.`
    );
    for (const f of diff.newFailures) {
      lines.push(`  new failure ${f.key}`);
    }
    for (const f of diff.fixed) {
      lines.push(`  fixed ${f.key}`);
    }
    if (diff.ruleIdsOverall.appeared.length > 0) {
      lines.push(`  rule ids appeared: ${diff.ruleIdsOverall.appeared.join(', ')}`);
    }
    if (diff.ruleIdsOverall.vanished.length > 0) {
      lines.push(`  rule ids vanished: ${diff.ruleIdsOverall.vanished.join(', ')}`);
    }
    for (const v of diff.versions) {
      lines.push(`  ${v.what}: ${v.before ?? '-'} -> ${v.after ?? '-'}`);
    }
  }
  return lines.join('\n') + '\n';
}

async function withDatabase<T>(io: CliIo, work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
  const config = readServiceConfig(io.env, { queues: 'record' });
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, max: 2 });
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

async function serviceQuery(
  values: { show?: string | undefined; list?: boolean | undefined; cancel?: string | undefined },
  positionals: readonly string[],
  io: CliIo
): Promise<number> {
  return withDatabase(io, async (db) => {
    if (values.show !== undefined) {
      io.stdout.write(JSON.stringify(await getRegressionRun(db, values.show), null, 2) + '\n');
      return EXIT.ok;
    }
    if (values.list) {
      if (positionals.length > 1) {
        throw new KihError('CLI_ERR_USAGE', 'kih regress --list takes at most one corpus name.');
      }
      const corpus = positionals[0];
      const runs = await listRegressionRuns(db, corpus !== undefined ? { corpus, limit: 50 } : { limit: 50 });
      io.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      return EXIT.ok;
    }
    const id = values.cancel ?? '';
    const regression = await getRegressionRun(db, id);
    if (regression.runId === null) {
      throw new KihError('STORE_ERR_NOT_FOUND', `Regression run ${id} has no queued run yet; try again in a moment.`);
    }
    const now = await cancelRun(db, regression.runId, `kih regress --cancel ${id}`, 'kih regress');
    const after = await getRegressionRun(db, id);
    io.stdout.write(
      JSON.stringify({ id, state: after.state, done: after.done, total: after.total, cancelledNow: now }) + '\n'
    );
    return EXIT.ok;
  });
}

async function enqueueRegression(configFile: string | undefined, names: readonly string[], io: CliIo): Promise<number> {
  const { service: config, settings: all } = await loadServiceSettings(
    io.env,
    configFile !== undefined ? { config: configFile } : {}
  );
  if (!config.settingsFile) {
    throw new KihError('CONFIG_ERR_INVALID', 'No settings file (KIH_CONFIG or --config) with a "regression" section.', {
      path: 'regression',
    });
  }
  const settings = all.regression;
  if (settings === undefined) {
    throw new KihError('CONFIG_ERR_INVALID', `${config.settingsFile} has no "regression" section.`, {
      path: 'regression',
    });
  }
  const unknown = names.filter((n) => !settings.corpora.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new KihError(
      'CLI_ERR_USAGE',
      `Not a configured corpus: ${unknown.join(', ')} (configured: ${settings.corpora.map((c) => c.name).join(', ')}).`
    );
  }
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, max: 2 });
  const producer = startService({
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    db,
    actor: 'kih regress',
    work: [],
  });
  try {
    const regression = await startRegressionService(producer, {
      settings,
      work: false,
      register: false,
    });
    const job = await regression.runNow(names.length > 0 ? names : undefined);
    io.stdout.write(JSON.stringify({ job }) + '\n');
    return EXIT.ok;
  } finally {
    await producer.close();
    await db.close();
  }
}
