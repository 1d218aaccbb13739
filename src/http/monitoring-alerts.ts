// Crossed monitoring thresholds as log lines an alerting system can match: one warn line per vendor, day and threshold per process.
import type { MonitoringSettings } from '../config/monitoring-settings.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/database.js';
import {
  closedBefore,
  ensureRollups,
  monitoringFlags,
  monitoringReport,
  monitoringWindow,
} from '../store/monitoring.js';
import type { MonitoringFlag } from '../store/monitoring.js';

/** The stable `event` field (and message) of the line; docs/operations.md#monitoring names it for alert rules. */
export const THRESHOLD_EVENT = 'monitoring.threshold';

export interface MonitoringAlerts {
  readonly settings: MonitoringSettings;
  /** Logs each flag not logged before by this process; returns those logged now. */
  report(flags: readonly MonitoringFlag[]): MonitoringFlag[];
}

/** Keys remembered before the set is emptied: a bound on memory, at worst one repeat per flag. */
const REMEMBERED = 100_000;

export function monitoringAlerts(settings: MonitoringSettings, log: Logger): MonitoringAlerts {
  const seen = new Set<string>();
  return {
    settings,
    report(flags) {
      const now: MonitoringFlag[] = [];
      for (const f of flags) {
        const key = `${f.vendorId} ${f.day} ${f.threshold}`;
        if (seen.has(key)) {
          continue;
        }
        if (seen.size >= REMEMBERED) {
          seen.clear();
        }
        seen.add(key);
        now.push(f);
        // Vendor, day and figures only: nothing from a document reaches this line.
        log.warn(
          {
            event: THRESHOLD_EVENT,
            vendorId: f.vendorId,
            day: f.day,
            threshold: f.threshold,
            value: Number(f.value.toFixed(4)),
            limit: f.limit,
            documents: f.documents,
          },
          THRESHOLD_EVENT
        );
      }
      return now;
    },
  };
}

/**
 * The serve process's own check of the last two days across vendors, so a crossed threshold is
 * logged even when nobody opens a page; it also writes the rollups of days that have settled.
 * Returns the function that stops it.
 */
export function startMonitoringChecks(db: Database, alerts: MonitoringAlerts, log: Logger, actor: string): () => void {
  const minutes = alerts.settings.checkMinutes;
  if (minutes === 0) {
    return () => undefined;
  }
  let running = false;
  const check = (): void => {
    if (running) {
      return;
    }
    running = true;
    const now = new Date();
    // The page's whole window is rolled up here, so no one opening a page waits for it.
    ensureRollups(db, monitoringWindow(now).from, closedBefore(now), actor)
      .then(() => monitoringReport(db, { vendorId: null, days: 2, now, actor }))
      .then((report) => alerts.report(monitoringFlags(report, alerts.settings)))
      .catch((err: unknown) => {
        log.warn({ err }, 'monitoring check failed; trying again at the next check');
      })
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(check, minutes * 60_000);
  timer.unref();
  check();
  return () => {
    clearInterval(timer);
  };
}
