// Reads a vendor's settings file (JSON): metadata settings for every target and per target, checked field by field.
import { readFile } from 'node:fs/promises';
import { invalidSetting } from './invalid-setting.js';
import { isOid } from '../core/oid.js';
import type { CodedValue, MetadataSettings } from './metadata-settings.js';

export interface SettingsFile {
  /** Settings for every target. */
  readonly metadata: Partial<MetadataSettings>;
  /**
   * Per target name: metadata layered over `metadata`, and the target's connection settings
   * (endpoint, ID card, TLS, timeouts, retries) as written, checked by src/kih/target-settings.ts.
   */
  readonly targets: Readonly<Record<string, SettingsFileTarget>>;
  /** The `regression` section as written; checked by src/regression/regression-settings.ts. */
  readonly regression?: unknown;
  /** The `monitoring` section as written; checked by src/config/monitoring-settings.ts. */
  readonly monitoring?: unknown;
}

export interface SettingsFileTarget {
  readonly metadata: Partial<MetadataSettings>;
  /** Every key but `metadata`. */
  readonly connection: Readonly<Record<string, unknown>>;
}

type Json = unknown;

/** Refuses a settings value; `where` names the key (shared with src/kih/target-settings.ts). */
export function fail(where: string, message: string): never {
  invalidSetting(where, `${where}: ${message}`);
}

export function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(where: string, value: Json): string {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(where, 'must be a non-empty string');
  }
  return value;
}

function oid(where: string, value: Json): string {
  const s = text(where, value);
  if (!isOid(s)) {
    fail(where, `"${s}" is not an OID (digits and dots, no leading zeros, at most 64 characters)`);
  }
  return s;
}

function coded(where: string, value: Json): CodedValue {
  if (!isRecord(value)) {
    fail(where, 'must be an object { "code", "codeSystem", "displayName" }');
  }
  return {
    code: text(`${where}.code`, value.code),
    codeSystem: text(`${where}.codeSystem`, value.codeSystem),
    displayName: text(`${where}.displayName`, value.displayName),
  };
}

const KNOWN_KEYS = new Set<keyof MetadataSettings>([
  'healthcareFacilityTypeCode',
  'practiceSettingCode',
  'sourceId',
  'contentTypeCode',
  'homeCommunityId',
  'formatCodeStyle',
  'eventCodes',
  'patientlessPatientId',
  'submissionSetTitle',
]);

/** Checks one `metadata` object; unknown keys are refused so a typo cannot silently fall back to a default. */
export function parseMetadataSettings(where: string, value: Json): Partial<MetadataSettings> {
  if (!isRecord(value)) {
    fail(where, 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key as keyof MetadataSettings)) {
      fail(`${where}.${key}`, `unknown setting; known: ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  const out: Record<string, unknown> = {};
  const v = value;
  if (v.healthcareFacilityTypeCode !== undefined) {
    out.healthcareFacilityTypeCode = coded(`${where}.healthcareFacilityTypeCode`, v.healthcareFacilityTypeCode);
  }
  if (v.practiceSettingCode !== undefined) {
    out.practiceSettingCode = coded(`${where}.practiceSettingCode`, v.practiceSettingCode);
  }
  if (v.contentTypeCode !== undefined) {
    out.contentTypeCode = coded(`${where}.contentTypeCode`, v.contentTypeCode);
  }
  if (v.sourceId !== undefined) {
    out.sourceId = oid(`${where}.sourceId`, v.sourceId);
  }
  if (v.homeCommunityId !== undefined) {
    out.homeCommunityId = oid(`${where}.homeCommunityId`, v.homeCommunityId);
  }
  if (v.formatCodeStyle !== undefined) {
    if (v.formatCodeStyle !== 'versioned' && v.formatCodeStyle !== 'legacy') {
      fail(`${where}.formatCodeStyle`, 'must be "versioned" or "legacy"');
    }
    out.formatCodeStyle = v.formatCodeStyle;
  }
  if (v.eventCodes !== undefined) {
    if (!Array.isArray(v.eventCodes)) {
      fail(`${where}.eventCodes`, 'must be an array of coded values');
    }
    out.eventCodes = v.eventCodes.map((c: Json, i) => coded(`${where}.eventCodes[${i}]`, c));
  }
  if (v.patientlessPatientId !== undefined) {
    const p = v.patientlessPatientId;
    if (!isRecord(p)) {
      fail(`${where}.patientlessPatientId`, 'must be an object { "id", "assigningAuthority" }');
    }
    out.patientlessPatientId = {
      id: text(`${where}.patientlessPatientId.id`, p.id),
      assigningAuthority: oid(`${where}.patientlessPatientId.assigningAuthority`, p.assigningAuthority),
    };
  }
  if (v.submissionSetTitle !== undefined) {
    out.submissionSetTitle = text(`${where}.submissionSetTitle`, v.submissionSetTitle);
  }
  return out;
}

export function parseSettingsFile(source: string, json: string): SettingsFile {
  let value: Json;
  try {
    value = JSON.parse(json);
  } catch (err) {
    fail(source, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(value)) {
    fail(source, 'must hold a JSON object');
  }
  for (const key of Object.keys(value)) {
    if (!['metadata', 'targets', 'regression', 'monitoring', '$comment'].includes(key)) {
      fail(`${source}: ${key}`, 'unknown key; known: metadata, targets, regression, monitoring');
    }
  }
  const metadata = value.metadata === undefined ? {} : parseMetadataSettings(`${source}: metadata`, value.metadata);
  const targets: Record<string, SettingsFileTarget> = {};
  if (value.targets !== undefined) {
    if (!isRecord(value.targets)) {
      fail(`${source}: targets`, 'must be an object keyed by target name');
    }
    for (const [name, t] of Object.entries(value.targets)) {
      if (!isRecord(t)) {
        fail(`${source}: targets.${name}`, 'must be an object { "metadata": {...} }');
      }
      const { metadata: targetMetadata, ...connection } = t;
      targets[name] = {
        metadata: parseMetadataSettings(`${source}: targets.${name}.metadata`, targetMetadata ?? {}),
        connection,
      };
    }
  }
  return {
    metadata,
    targets,
    ...(value.regression !== undefined ? { regression: value.regression } : {}),
    ...(value.monitoring !== undefined ? { monitoring: value.monitoring } : {}),
  };
}

export async function loadSettingsFile(file: string): Promise<SettingsFile> {
  let json: string;
  try {
    json = await readFile(file, 'utf8');
  } catch (err) {
    fail(file, `cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseSettingsFile(file, json);
}
