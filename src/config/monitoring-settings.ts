// The `monitoring` section of the settings file: the thresholds that flag a vendor's day on the monitoring pages and in the log.
import { invalidSetting } from './invalid-setting.js';

export interface MonitoringThresholds {
  /** A vendor's day is flagged when more than this share of its judged deliveries was refused (0–1). */
  readonly refusedShareDay: number;
  /** … or when more than this share of its verifications did not find the document as sent (0–1); null: not checked. */
  readonly verificationFailureShareDay: number | null;
}

export interface MonitoringSettings {
  readonly thresholds: MonitoringThresholds;
  /** A day with fewer documents than this is never flagged (one refusal out of two is no trend). */
  readonly minDocumentsDay: number;
  /** How often `kih serve` checks the last two days for crossed thresholds; 0: only when a page is shown. */
  readonly checkMinutes: number;
}

export const DEFAULT_MONITORING: MonitoringSettings = {
  thresholds: { refusedShareDay: 0.05, verificationFailureShareDay: 0.02 },
  minDocumentsDay: 20,
  checkMinutes: 15,
};

function bad(where: string, message: string): never {
  invalidSetting(where, `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function share(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    bad(where, 'must be a share between 0 and 1 (0.05 is 5 %)');
  }
  return value;
}

function whole(where: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    bad(where, `must be a whole number from 0 to ${max}`);
  }
  return value;
}

const KEYS = new Set(['thresholds', 'minDocumentsDay', 'checkMinutes', '$comment']);
const THRESHOLD_KEYS = new Set(['refusedShareDay', 'verificationFailureShareDay', '$comment']);

/** Unknown keys are refused, so a misspelt threshold cannot silently leave the default in force. */
export function parseMonitoringSettings(source: string, value: unknown): MonitoringSettings {
  const where = `${source}: monitoring`;
  if (value === undefined) {
    return DEFAULT_MONITORING;
  }
  if (!isRecord(value)) {
    bad(where, 'must be an object { "thresholds": { "refusedShareDay": 0.05 } }');
  }
  for (const key of Object.keys(value)) {
    if (!KEYS.has(key)) {
      bad(`${where}.${key}`, 'unknown key; known: thresholds, minDocumentsDay, checkMinutes');
    }
  }
  const t = value.thresholds ?? {};
  if (!isRecord(t)) {
    bad(`${where}.thresholds`, 'must be an object { "refusedShareDay", "verificationFailureShareDay" }');
  }
  for (const key of Object.keys(t)) {
    if (!THRESHOLD_KEYS.has(key)) {
      bad(`${where}.thresholds.${key}`, 'unknown threshold; known: refusedShareDay, verificationFailureShareDay');
    }
  }
  const d = DEFAULT_MONITORING;
  return {
    thresholds: {
      refusedShareDay:
        t.refusedShareDay === undefined
          ? d.thresholds.refusedShareDay
          : share(`${where}.thresholds.refusedShareDay`, t.refusedShareDay),
      verificationFailureShareDay:
        t.verificationFailureShareDay === undefined
          ? d.thresholds.verificationFailureShareDay
          : t.verificationFailureShareDay === null
            ? null
            : share(`${where}.thresholds.verificationFailureShareDay`, t.verificationFailureShareDay),
    },
    minDocumentsDay:
      value.minDocumentsDay === undefined
        ? d.minDocumentsDay
        : whole(`${where}.minDocumentsDay`, value.minDocumentsDay, 1_000_000),
    checkMinutes:
      value.checkMinutes === undefined ? d.checkMinutes : whole(`${where}.checkMinutes`, value.checkMinutes, 1440),
  };
}
