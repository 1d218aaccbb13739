// The process's Prometheus metrics (one Registry per process, never prom-client's global one): documents, findings, stages, jobs, queues, submissions, verifications, STS.
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { DocumentReport } from '../core/report.js';
import { NO_LOG } from '../core/log.js';
import type { Logger } from '../core/log.js';

/** Rule ids are a closed catalogue in practice, but a user's rule set could bring any: past this many, `other`. */
export const MAX_RULE_LABELS = 300;
/** How long a scrape waits for BullMQ's job counts before leaving the queue gauges out. */
const QUEUE_COUNT_TIMEOUT_MS = 2_000;
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly documents: Counter<'profile' | 'verdict'>;
  readonly findings: Counter<'rule' | 'severity'>;
  readonly stageSeconds: Histogram<'stage'>;
  readonly jobSeconds: Histogram<'queue' | 'outcome'>;
  readonly submissions: Counter<'target' | 'class'>;
  readonly verifications: Counter<'target' | 'outcome'>;
  readonly stsExchanges: Counter<'target' | 'reason' | 'outcome'>;
  readonly schematronFallbacks: Counter<'rule_set'>;
  /** Counts of a validation report: the document's verdict, its findings by rule id, its validation time. */
  validated(report: DocumentReport): void;
  /** The queues whose depth a scrape reads from Redis (shared by the deployment: every process reports the same). */
  watchQueues(queues: readonly Queue[]): void;
}

export interface MetricsOptions {
  /** Node's own metrics (event loop lag, heap, GC, CPU); default true. */
  readonly defaultMetrics?: boolean;
  /** Where a failing queue count is logged. */
  readonly log?: Logger;
}

export function createMetrics(options: MetricsOptions = {}): ServiceMetrics {
  const log = options.log ?? NO_LOG;
  const registry = new Registry();
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[]
  ): Histogram<L> => new Histogram({ name, help, labelNames, buckets, registers: [registry] });
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
  }
  const documents = counter(
    'kih_documents_validated_total',
    'Documents validated (a record written), by profile and verdict',
    ['profile', 'verdict']
  );
  const findings = counter(
    'kih_findings_total',
    `Error and warning findings by rule id (at most ${MAX_RULE_LABELS} rule ids, then "other") and severity`,
    ['rule', 'severity']
  );
  const stageSeconds = histogram(
    'kih_stage_duration_seconds',
    'Time of the work of one stage for one document: validation, submission (with its retries), verification (one check: query and retrieve, with their retries), sts (one ID card exchange)',
    ['stage'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
  );
  const jobSeconds = histogram(
    'kih_job_duration_seconds',
    'Time of one job delivery by queue and outcome (completed, retry, failed, delayed)',
    ['queue', 'outcome'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
  );
  const submissions = counter(
    'kih_submissions_total',
    'Submissions recorded, by target and outcome class (success, invalid, duplicate, permanent, authPermanent, transient, unknown, …)',
    ['target', 'class']
  );
  const verifications = counter(
    'kih_verifications_total',
    'End-to-end checks of stored documents by target and outcome: the final ones recorded (verified, notFound, metadataMismatch, contentMismatch, failure) and the checks followed by another (notFound-rechecked, transient-retried)',
    ['target', 'outcome']
  );
  const stsExchanges = counter(
    'kih_sts_exchanges_total',
    'ID card requests to an STS by target, reason (first, expiring, refused) and outcome (ok, failed)',
    ['target', 'reason', 'outcome']
  );
  const schematronFallbacks = counter(
    'kih_schematron_fallbacks_total',
    'Documents the own Schematron engine handed to SaxonJS, by rule set',
    ['rule_set']
  );
  const watched: Queue[] = [];
  new Gauge({
    name: 'kih_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape (the same for every process of a deployment)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        watched.map(async (q) => {
          let timer: NodeJS.Timeout | undefined;
          const started = performance.now();
          try {
            const counts = await Promise.race([
              q.getJobCounts(...QUEUE_STATES),
              new Promise<never>((_resolve, reject) => {
                timer = setTimeout(() => {
                  reject(new Error(`no answer from Redis in ${QUEUE_COUNT_TIMEOUT_MS} ms`));
                }, QUEUE_COUNT_TIMEOUT_MS);
              }),
            ]);
            for (const state of QUEUE_STATES) {
              this.set({ queue: q.name, state }, counts[state] ?? 0);
            }
          } catch (err) {
            // The scrape still answers (without this queue's gauges); readiness reports Redis itself.
            log.warn(
              { err, queue: q.name, durationMs: Math.round(performance.now() - started) },
              'cannot read the queue depth'
            );
          } finally {
            clearTimeout(timer);
          }
        })
      );
    },
  });
  const rules = new Set<string>();
  const ruleLabel = (rule: string): string => {
    if (rules.has(rule)) {
      return rule;
    }
    if (rules.size < MAX_RULE_LABELS) {
      rules.add(rule);
      return rule;
    }
    return 'other';
  };
  return {
    registry,
    documents,
    findings,
    stageSeconds,
    jobSeconds,
    submissions,
    verifications,
    stsExchanges,
    schematronFallbacks,
    validated(report: DocumentReport): void {
      documents.inc({ profile: report.profile ?? 'none', verdict: report.status });
      for (const issue of report.issues) {
        if (issue.severity !== 'info') {
          findings.inc({ rule: ruleLabel(issue.ruleId), severity: issue.severity });
        }
      }
      stageSeconds.observe({ stage: 'validation' }, report.durationMs / 1000);
    },
    watchQueues(queues: readonly Queue[]): void {
      watched.push(...queues);
    },
  };
}
