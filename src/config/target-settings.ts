// A target's connection settings from the settings file and the environment: endpoint, ID card, TLS, timeouts, retries.
import { invalidSetting } from './invalid-setting.js';
import { resolveSettings } from './metadata-settings.js';
import type { MetadataSettings, ResolvedSettings } from './metadata-settings.js';
import { fail, isRecord, text } from './settings-file.js';
import type { SettingsFile } from './settings-file.js';
import { BUILTIN_TARGETS } from './targets.js';
import type { IdCardSettings, Target } from './targets.js';

function url(where: string, value: unknown): string {
  const s = text(where, value);
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    fail(where, `"${s}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail(where, `"${s}" is not an http or https URL`);
  }
  return s;
}

function positive(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    fail(where, 'must be a positive whole number');
  }
  return value;
}

function only(where: string, value: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      fail(`${where}.${key}`, `unknown setting; known: ${keys.join(', ')}`);
    }
  }
}

function record(where: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) {
    fail(where, 'must be an object');
  }
  return value;
}

const CONNECTION_KEYS = [
  'endpoint',
  'soapVersion',
  'stsEndpoint',
  'queryEndpoint',
  'registryEndpoint',
  'retrieveEndpoint',
  'live',
  'uniqueIdExtensionLimit',
  'idCard',
  'tls',
  'timeouts',
  'retry',
] as const;

/** Layers one target's connection settings (as written in the file) over a target. */
export function applyConnectionSettings(base: Target, where: string, c: Readonly<Record<string, unknown>>): Target {
  only(where, { ...c }, CONNECTION_KEYS);
  let target: Target = { ...base };
  if (c.endpoint !== undefined) {
    // A real endpoint given for `local` means "not the embedded simulator".
    target = { ...target, endpoint: url(`${where}.endpoint`, c.endpoint), embedded: false };
  }
  if (c.soapVersion !== undefined) {
    if (c.soapVersion !== '1.1' && c.soapVersion !== '1.2') {
      fail(`${where}.soapVersion`, 'must be "1.1" or "1.2"');
    }
    target = { ...target, soapVersion: c.soapVersion, dgws: c.soapVersion === '1.1' };
  }
  if (c.stsEndpoint !== undefined) {
    target = { ...target, stsEndpoint: url(`${where}.stsEndpoint`, c.stsEndpoint) };
  }
  if (c.queryEndpoint !== undefined) {
    target = { ...target, queryEndpoint: url(`${where}.queryEndpoint`, c.queryEndpoint) };
  }
  if (c.registryEndpoint !== undefined) {
    target = { ...target, registryEndpoint: url(`${where}.registryEndpoint`, c.registryEndpoint) };
  }
  if (c.retrieveEndpoint !== undefined) {
    target = { ...target, retrieveEndpoint: url(`${where}.retrieveEndpoint`, c.retrieveEndpoint) };
  }
  if (c.live !== undefined) {
    if (typeof c.live !== 'boolean') {
      fail(`${where}.live`, 'must be true or false');
    }
    target = { ...target, live: c.live };
  }
  if (c.uniqueIdExtensionLimit !== undefined) {
    target = {
      ...target,
      uniqueIdExtensionLimit:
        c.uniqueIdExtensionLimit === null
          ? null
          : positive(`${where}.uniqueIdExtensionLimit`, c.uniqueIdExtensionLimit),
    };
  }
  if (c.idCard !== undefined) {
    const w = `${where}.idCard`;
    const v = record(w, c.idCard);
    only(w, v, ['cvr', 'careProviderName', 'itSystemName', 'certificateFile', 'privateKeyFile']);
    const merged = { ...target.idCard, ...v };
    const cvr = text(`${w}.cvr`, merged.cvr);
    if (!/^\d{8}$/.test(cvr)) {
      fail(`${w}.cvr`, 'must be an 8-digit CVR number');
    }
    target = {
      ...target,
      idCard: {
        cvr,
        careProviderName: text(`${w}.careProviderName`, merged.careProviderName),
        itSystemName: text(`${w}.itSystemName`, merged.itSystemName),
        certificateFile: text(`${w}.certificateFile`, merged.certificateFile),
        privateKeyFile: text(`${w}.privateKeyFile`, merged.privateKeyFile),
      },
    };
  }
  if (c.tls !== undefined) {
    const w = `${where}.tls`;
    const v = record(w, c.tls);
    only(w, v, ['certificateFile', 'privateKeyFile', 'caFile']);
    target = {
      ...target,
      tls: {
        ...(v.certificateFile !== undefined
          ? { certificateFile: text(`${w}.certificateFile`, v.certificateFile) }
          : {}),
        ...(v.privateKeyFile !== undefined ? { privateKeyFile: text(`${w}.privateKeyFile`, v.privateKeyFile) } : {}),
        ...(v.caFile !== undefined ? { caFile: text(`${w}.caFile`, v.caFile) } : {}),
      },
    };
  }
  if (c.timeouts !== undefined) {
    const w = `${where}.timeouts`;
    const v = record(w, c.timeouts);
    only(w, v, ['connectMs', 'headersMs', 'bodyMs']);
    target = {
      ...target,
      timeouts: {
        ...(v.connectMs !== undefined ? { connectMs: positive(`${w}.connectMs`, v.connectMs) } : {}),
        ...(v.headersMs !== undefined ? { headersMs: positive(`${w}.headersMs`, v.headersMs) } : {}),
        ...(v.bodyMs !== undefined ? { bodyMs: positive(`${w}.bodyMs`, v.bodyMs) } : {}),
      },
    };
  }
  if (c.retry !== undefined) {
    const w = `${where}.retry`;
    const v = record(w, c.retry);
    only(w, v, ['maxAttempts', 'baseDelayMs', 'maxDelayMs']);
    target = {
      ...target,
      retry: {
        ...(v.maxAttempts !== undefined ? { maxAttempts: positive(`${w}.maxAttempts`, v.maxAttempts) } : {}),
        ...(v.baseDelayMs !== undefined ? { baseDelayMs: positive(`${w}.baseDelayMs`, v.baseDelayMs) } : {}),
        ...(v.maxDelayMs !== undefined ? { maxDelayMs: positive(`${w}.maxDelayMs`, v.maxDelayMs) } : {}),
      },
    };
  }
  return target;
}

/**
 * Environment overrides for secrets' locations, so a CI job or a service can keep them out of the
 * settings file: KIH_CVR, KIH_ID_CARD_CERT_FILE, KIH_ID_CARD_KEY_FILE, KIH_TLS_CERT_FILE,
 * KIH_TLS_KEY_FILE, KIH_TLS_CA_FILE. They apply to live targets only (local keeps its test keys).
 */
export function applyEnvironment(target: Target, env: NodeJS.ProcessEnv): Target {
  if (!target.live) {
    return target;
  }
  let out = target;
  const cert = env.KIH_ID_CARD_CERT_FILE;
  const key = env.KIH_ID_CARD_KEY_FILE;
  const cvr = env.KIH_CVR;
  if (cert || key || cvr) {
    // Merged over the file's idCard; names the environment does not give must be in the file.
    const idCard: Partial<IdCardSettings> = {
      ...(cert ? { certificateFile: cert } : {}),
      ...(key ? { privateKeyFile: key } : {}),
      ...(cvr ? { cvr } : {}),
    };
    out = applyConnectionSettings(out, `${target.name} (KIH_CVR, KIH_ID_CARD_*)`, { idCard });
  }
  const tlsCert = env.KIH_TLS_CERT_FILE;
  const tlsKey = env.KIH_TLS_KEY_FILE;
  const tlsCa = env.KIH_TLS_CA_FILE;
  if (tlsCert || tlsKey || tlsCa) {
    out = {
      ...out,
      tls: {
        ...out.tls,
        ...(tlsCert ? { certificateFile: tlsCert } : {}),
        ...(tlsKey ? { privateKeyFile: tlsKey } : {}),
        ...(tlsCa ? { caFile: tlsCa } : {}),
      },
    };
  }
  return out;
}

/**
 * The named target with the settings file's connection settings for it. A name that is not
 * built in must be defined in the file with at least an endpoint (e.g. a vendor's own test peer).
 */
export function resolveTarget(name: string, file: SettingsFile | undefined, env: NodeJS.ProcessEnv = {}): Target {
  const fromFile = file?.targets[name];
  const builtin = BUILTIN_TARGETS[name];
  let base: Target;
  if (builtin) {
    base = builtin;
  } else if (fromFile?.connection.endpoint !== undefined) {
    base = {
      name,
      endpoint: '',
      soapVersion: '1.1',
      dgws: true,
      live: false,
      uniqueIdExtensionLimit: null,
      metadata: {},
    };
  } else {
    invalidSetting(
      `targets.${name}`,
      `Unknown target "${name}"; known targets: ${[...Object.keys(BUILTIN_TARGETS), ...Object.keys(file?.targets ?? {})].join(', ')} (a new one needs an endpoint in the settings file).`
    );
  }
  const target = fromFile ? applyConnectionSettings(base, `targets.${name}`, fromFile.connection) : base;
  return applyEnvironment(target, env);
}

/** The metadata settings a target sends with: its own, then the file's for all targets, then the file's for this one. */
export function targetMetadataSettings(target: Target, file: SettingsFile | undefined): ResolvedSettings {
  const layers: Partial<MetadataSettings>[] = [target.metadata];
  if (file) {
    layers.push(file.metadata, file.targets[target.name]?.metadata ?? {});
  }
  return resolveSettings(...layers);
}
