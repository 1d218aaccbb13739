// The `regression` section of the settings file: the nightly schedule (cron, Copenhagen time), the vendor its runs belong to, the corpora.
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { invalidSetting } from './invalid-setting.js';

const CORPUS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A corpus's name: given, or its directory's; the name keys its rows and reports. */
export function corpusName(spec: { readonly dir: string; readonly name?: string }): string {
  const name = spec.name ?? path.basename(path.resolve(spec.dir));
  if (!CORPUS_NAME.test(name)) {
    throw new KihError(
      'REGRESS_ERR_CORPUS',
      `A corpus name is 1-64 letters, digits, ".", "_" or "-": "${name}" (${spec.dir}).`
    );
  }
  return name;
}

/** Regression runs follow Danish time, summer time included. */
export const REGRESSION_TIME_ZONE = 'Europe/Copenhagen';
export const DEFAULT_REGRESSION_VENDOR = 'medcom-regression';

export interface RegressionCorpusSettings {
  readonly name: string;
  /** Absolute (a relative one is taken from the settings file's directory). */
  readonly dir: string;
  /** Submit valid documents to this target; absent: validate and record only. */
  readonly submit?: string;
}

export interface RegressionSettings {
  /** Cron expression (5 fields, or 6 with seconds first); null: no schedule, runs only when asked. */
  readonly schedule: string | null;
  readonly vendor: string;
  readonly corpora: readonly RegressionCorpusSettings[];
  /** How often a running regression job looks at its runs' progress (default 1000 ms). */
  readonly pollMs: number;
}

function bad(where: string, message: string): never {
  invalidSetting(where, `${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CRON_FIELD = /^[0-9A-Za-z*/,?LW#-]+$/;

/** A light check (field count and characters); BullMQ's parser checks the rest when the schedule is registered. */
export function checkCron(where: string, value: unknown): string {
  if (typeof value !== 'string') {
    bad(where, 'must be a cron expression such as "0 2 * * *" (02:00 Copenhagen time)');
  }
  const fields = value.trim().split(/\s+/);
  if ((fields.length !== 5 && fields.length !== 6) || !fields.every((f) => CRON_FIELD.test(f))) {
    bad(where, `"${value}" is not a cron expression (5 fields, or 6 with seconds first)`);
  }
  return fields.join(' ');
}

const KEYS = new Set(['schedule', 'vendor', 'corpora', 'pollMs', '$comment']);
const CORPUS_KEYS = new Set(['name', 'dir', 'submit']);

/** `baseDir`: the settings file's directory, for relative corpus directories. */
export function parseRegressionSettings(source: string, value: unknown, baseDir: string): RegressionSettings {
  const where = `${source}: regression`;
  if (!isRecord(value)) {
    bad(where, 'must be an object { "schedule", "corpora" }');
  }
  for (const key of Object.keys(value)) {
    if (!KEYS.has(key)) {
      bad(`${where}.${key}`, 'unknown key; known: schedule, vendor, corpora, pollMs');
    }
  }
  const schedule =
    value.schedule === undefined || value.schedule === null ? null : checkCron(`${where}.schedule`, value.schedule);
  const vendor = value.vendor ?? DEFAULT_REGRESSION_VENDOR;
  if (typeof vendor !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(vendor)) {
    bad(`${where}.vendor`, 'must be a vendor id (lower-case letters, digits, ".", "_" or "-")');
  }
  const pollMs = value.pollMs ?? 1000;
  if (typeof pollMs !== 'number' || !Number.isInteger(pollMs) || pollMs < 10) {
    bad(`${where}.pollMs`, 'must be a whole number of milliseconds, at least 10');
  }
  if (!Array.isArray(value.corpora) || value.corpora.length === 0) {
    bad(`${where}.corpora`, 'must list at least one corpus { "name", "dir" }');
  }
  const names = new Set<string>();
  const corpora = value.corpora.map((c: unknown, i): RegressionCorpusSettings => {
    const at = `${where}.corpora[${i}]`;
    if (!isRecord(c)) {
      bad(at, 'must be an object { "name", "dir", "submit"? }');
    }
    for (const key of Object.keys(c)) {
      if (!CORPUS_KEYS.has(key)) {
        bad(`${at}.${key}`, 'unknown key; known: name, dir, submit');
      }
    }
    if (typeof c.dir !== 'string' || c.dir === '') {
      bad(`${at}.dir`, 'must be a directory');
    }
    if (c.name !== undefined && typeof c.name !== 'string') {
      bad(`${at}.name`, 'must be a string');
    }
    let name: string;
    try {
      name = corpusName({ dir: c.dir, ...(typeof c.name === 'string' ? { name: c.name } : {}) });
    } catch (err) {
      bad(at, err instanceof Error ? err.message : String(err));
    }
    if (names.has(name)) {
      bad(at, `a second corpus named "${name}"`);
    }
    names.add(name);
    if (c.submit !== undefined && (typeof c.submit !== 'string' || c.submit === '')) {
      bad(`${at}.submit`, 'must be a target name');
    }
    return {
      name,
      dir: path.resolve(baseDir, c.dir),
      ...(typeof c.submit === 'string' ? { submit: c.submit } : {}),
    };
  });
  return { schedule, vendor, corpora, pollMs };
}
