// The process's Prometheus metrics (one Registry per process, never prom-client's global one): documents, findings, stages, jobs, queues, submissions, STS.
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
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
  }
  const documents = new Counter({
    name: 'kih_documents_validated_total',
    help: 'Documents validated (a record written), by profile and verdict',
    labelNames: ['profile', 'verdict'] as const,
    registers: [registry],
  });
  const findings = new Counter({
    name: 'kih_findings_total',
    help: `Error and warning findings by rule id (at most ${MAX_RULE_LABELS} rule ids, then "other") and severity`,
    labelNames: ['rule', 'severity'] as const,
    registers: [registry],
  });
  const stageSeconds = new Histogram({
    name: 'kih_stage_duration_seconds',
    help: 'Time of the work of one stage for one document: validation, submission (with its retries), sts (one ID card exchange)',
    labelNames: ['stage'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const jobSeconds = new Histogram({
    name: 'kih_job_duration_seconds',
    help: 'Time of one job delivery by queue and outcome (completed, retry, failed, delayed)',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const submissions = new Counter({
    name: 'kih_submissions_total',
    help: 'Submissions recorded, by target and outcome class (success, invalid, duplicate, permanent, authPermanent, transient, unknown, …)',
    labelNames: ['target', 'class'] as const,
    registers: [registry],
  });
  const stsExchanges = new Counter({
    name: 'kih_sts_exchanges_total',
    help: 'ID card requests to an STS by target, reason (first, expiring, refused) and outcome (ok, failed)',
    labelNames: ['target', 'reason', 'outcome'] as const,
    registers: [registry],
  });
  const schematronFallbacks = new Counter({
    name: 'kih_schematron_fallbacks_total',
    help: 'Documents the own Schematron engine handed to SaxonJS, by rule set',
    labelNames: ['rule_set'] as const,
    registers: [registry],
  });
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
