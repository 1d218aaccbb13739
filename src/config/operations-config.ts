// Operations settings from the environment: log level and format, the health/metrics port, the metrics key; checked at start.
import { invalidSetting } from './invalid-setting.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto`: pretty on a terminal, JSON lines otherwise (a file, a pipe, a container's log collector). */
export type LogFormat = 'json' | 'pretty' | 'auto';

export interface OperationsConfig {
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** A small listener with /healthz, /readyz and /metrics, without authentication; absent: none. */
  readonly healthPort?: number;
  readonly healthHost: string;
  /** With it, /metrics on the API port also answers HTTP Basic auth with this password (any user name). */
  readonly metricsKey?: Buffer;
}

export const OPERATIONS_ENV = {
  KIH_LOG_LEVEL: `log level: ${LOG_LEVELS.join(', ')} (default info)`,
  KIH_LOG_FORMAT: 'json or pretty (default: pretty on a terminal, else json)',
  KIH_HEALTH_PORT: 'port of /healthz, /readyz and /metrics without authentication (or --health-port; default none)',
  KIH_HEALTH_HOST: 'address of that port (default 127.0.0.1)',
  KIH_METRICS_KEY: 'password for /metrics on the API port (HTTP Basic), at least 32 characters',
} as const;

function isLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function readOperationsConfig(
  env: NodeJS.ProcessEnv,
  overrides: { readonly healthPort?: string } = {}
): OperationsConfig {
  const level = env.KIH_LOG_LEVEL ?? 'info';
  if (!isLevel(level)) {
    invalidSetting('KIH_LOG_LEVEL', `KIH_LOG_LEVEL is one of ${LOG_LEVELS.join(', ')}: "${level}"`);
  }
  const format = env.KIH_LOG_FORMAT ?? 'auto';
  if (format !== 'json' && format !== 'pretty' && format !== 'auto') {
    invalidSetting('KIH_LOG_FORMAT', `KIH_LOG_FORMAT is json or pretty: "${format}"`);
  }
  const portText = overrides.healthPort ?? env.KIH_HEALTH_PORT;
  let healthPort: number | undefined;
  if (portText !== undefined) {
    healthPort = Number(portText);
    if (!/^\d+$/.test(portText) || healthPort > 65535) {
      invalidSetting('KIH_HEALTH_PORT', `The health port is a port number (0 picks a free one): "${portText}"`);
    }
  }
  const key = env.KIH_METRICS_KEY;
  if (key !== undefined && key.length < 32) {
    invalidSetting('KIH_METRICS_KEY', 'KIH_METRICS_KEY must be at least 32 characters.');
  }
  return {
    logLevel: level,
    logFormat: format,
    ...(healthPort !== undefined ? { healthPort } : {}),
    healthHost: env.KIH_HEALTH_HOST ?? '127.0.0.1',
    ...(key !== undefined ? { metricsKey: Buffer.from(key, 'utf8') } : {}),
  };
}
