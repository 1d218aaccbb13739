// The one entry to the settings: the settings file and the environment read and checked once, at start-up, into one typed object.
import path from 'node:path';
import { readApiConfig } from './api-config.js';
import type { ApiConfig } from './api-config.js';
import type { ResolvedSettings } from './metadata-settings.js';
import { parseMonitoringSettings } from './monitoring-settings.js';
import type { MonitoringSettings } from './monitoring-settings.js';
import { parseRegressionSettings } from './regression-settings.js';
import type { RegressionSettings } from './regression-settings.js';
import { readServiceConfig } from './service-config.js';
import type { ServiceConfig } from './service-config.js';
import { loadSettingsFile } from './settings-file.js';
import type { SettingsFile } from './settings-file.js';
import { resolveTarget, targetMetadataSettings } from './target-settings.js';
import { BUILTIN_TARGETS } from './targets.js';
import type { Target } from './targets.js';
import { invalidSetting } from './invalid-setting.js';

/** What the settings file and the environment say, checked: nothing in it is read again later. */
export interface Settings {
  /** The settings file's path, when there is one. */
  readonly filePath?: string;
  readonly file?: SettingsFile;
  /** Every target the settings can name (built-ins and the file's), with the environment's overrides applied. */
  readonly targets: ReadonlyMap<string, Target>;
  readonly regression?: RegressionSettings;
  /** Thresholds of the monitoring pages (the defaults when the file has no `monitoring` section). */
  readonly monitoring: MonitoringSettings;
  /** The named target; CONFIG_ERR_INVALID (never retried) for a name the settings do not know. */
  target(name: string): Target;
  /** The metadata settings a target sends with: its own, the file's for all targets, the file's for it. */
  metadataFor(target: Target): ResolvedSettings;
}

export interface LoadSettingsOptions {
  /** Settings file (`--config`, KIH_CONFIG); none: the built-in targets and defaults. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Reads and checks everything at once, so a typo in any target or section stops the command or
 * worker before it takes work, not inside a job that meets the bad value hours later.
 */
export async function loadSettings(options: LoadSettingsOptions = {}): Promise<Settings> {
  const env = options.env ?? {};
  const file = options.file !== undefined ? await loadSettingsFile(options.file) : undefined;
  return settingsFrom(file, options.file, env);
}

/** The same from an already parsed file (tests, and callers that built one in memory). */
export function settingsFrom(
  file: SettingsFile | undefined,
  filePath: string | undefined,
  env: NodeJS.ProcessEnv = {}
): Settings {
  const names = new Set([...Object.keys(BUILTIN_TARGETS), ...Object.keys(file?.targets ?? {})]);
  const targets = new Map([...names].map((name) => [name, resolveTarget(name, file, env)]));
  const regression =
    file?.regression !== undefined
      ? parseRegressionSettings(filePath ?? 'settings', file.regression, path.dirname(filePath ?? '.'))
      : undefined;
  const monitoring = parseMonitoringSettings(filePath ?? 'settings', file?.monitoring);
  return {
    ...(filePath !== undefined ? { filePath } : {}),
    ...(file ? { file } : {}),
    targets,
    ...(regression ? { regression } : {}),
    monitoring,
    target(name: string): Target {
      const target = targets.get(name);
      if (!target) {
        invalidSetting(
          `targets.${name}`,
          `Unknown target "${name}"; known targets: ${[...targets.keys()].join(', ')} (a new one needs an endpoint in the settings file).`
        );
      }
      return target;
    },
    metadataFor: (target) => targetMetadataSettings(target, file),
  };
}

/** A service process's settings: the environment's service and API values, and the settings file they name. */
export interface ServiceSettings {
  readonly service: ServiceConfig;
  readonly settings: Settings;
}

export async function loadServiceSettings(
  env: NodeJS.ProcessEnv,
  overrides: Parameters<typeof readServiceConfig>[1] = {}
): Promise<ServiceSettings> {
  const service = readServiceConfig(env, overrides);
  const settings = await loadSettings({
    ...(service.settingsFile !== undefined ? { file: service.settingsFile } : {}),
    env,
  });
  return { service, settings };
}

export type { ApiConfig };
export { readApiConfig };
