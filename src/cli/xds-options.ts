// Options shared by `kih metadata`, `kih request` and `kih submit`: target, settings file, event codes, profile.
import { prepareSubmission } from '../xds/prepare-submission.js';
import type { PreparedSubmission } from '../xds/prepare-submission.js';
import { KihError } from '../core/kih-error.js';
import { loadSettings } from '../config/load-config.js';
import { endpointTarget, TARGET_NAMES } from '../config/targets.js';
import type { Target } from '../config/targets.js';
import { PROFILE_IDS } from '../core/report.js';
import { profileOption } from './option-values.js';
import type { ProfileId } from '../core/report.js';
import type { CodedValue } from '../xds/metadata-model.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import type { SoapVersion } from '../xds/soap-envelope.js';

export const XDS_OPTIONS = {
  target: { type: 'string', short: 't' },
  endpoint: { type: 'string' },
  soap: { type: 'string' },
  config: { type: 'string', short: 'c' },
  'event-code': { type: 'string', multiple: true },
  profile: { type: 'string', short: 'p' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const XDS_OPTIONS_USAGE = `  -t, --target <name>   ${TARGET_NAMES.join(', ')} or one from --config (default local, the built-in simulator)
      --endpoint <url>  an ad-hoc endpoint instead of a named target (plain IHE, SOAP 1.2 unless --soap 1.1)
      --soap <1.1|1.2>  override the target's SOAP version (1.1 adds the DGWS headers)
  -c, --config <file>   settings file (JSON) with metadata settings; see docs/xds-metadata.md
      --event-code <c>  add CODE@CODESYSTEM=Display name to eventCodeList (repeatable), e.g. ALAL03@1.2.208.176.2.4=KOL
  -p, --profile <id>    treat the document as ${PROFILE_IDS.join(', ')} instead of detecting
  -o, --out <file>      write to a file instead of standard output
  -h, --help            this help`;

export interface XdsOptionValues {
  readonly target?: string | undefined;
  readonly endpoint?: string | undefined;
  readonly soap?: string | undefined;
  readonly config?: string | undefined;
  readonly 'event-code'?: string[] | undefined;
  readonly profile?: string | undefined;
}

export interface XdsContext {
  readonly target: Target;
  readonly soapVersion: SoapVersion;
  readonly settings: ResolvedSettings;
  readonly profile?: ProfileId;
}

/** `ALAL03@1.2.208.176.2.4=Display` → a coded value; the display name is required (XDS classifications need one). */
export function parseEventCode(text: string): CodedValue {
  const m = /^([^@=\s]+)@([^@=\s]+)=(.+)$/.exec(text.trim());
  if (!m?.[1] || !m[2] || !m[3]) {
    throw new KihError('CLI_ERR_USAGE', `--event-code takes CODE@CODESYSTEM=Display name: "${text}"`);
  }
  return { code: m[1], codeSystem: m[2], displayName: m[3].trim() };
}

function soapVersion(text: string | undefined): SoapVersion | undefined {
  if (text === undefined) {
    return undefined;
  }
  if (text !== '1.1' && text !== '1.2') {
    throw new KihError('CLI_ERR_USAGE', `--soap takes 1.1 or 1.2: "${text}"`);
  }
  return text;
}

export async function resolveXdsContext(
  values: XdsOptionValues,
  env: NodeJS.ProcessEnv = process.env
): Promise<XdsContext> {
  if (values.target !== undefined && values.endpoint !== undefined) {
    throw new KihError('CLI_ERR_USAGE', 'Give either --target or --endpoint, not both.');
  }
  const soap = soapVersion(values.soap);
  const all = await loadSettings({ ...(values.config !== undefined ? { file: values.config } : {}), env });
  let target: Target;
  if (values.endpoint !== undefined) {
    target = endpointTarget(values.endpoint, soap ?? '1.2');
  } else {
    target = all.target(values.target ?? 'local');
    if (soap && soap !== target.soapVersion) {
      target = { ...target, soapVersion: soap, dgws: soap === '1.1' };
    }
  }
  const profile = profileOption(values.profile);
  const eventCodes = (values['event-code'] ?? []).map(parseEventCode);
  const settings = all.metadataFor(target);
  const withCli =
    eventCodes.length > 0
      ? {
          ...settings,
          settings: { ...settings.settings, eventCodes: [...settings.settings.eventCodes, ...eventCodes] },
          defaultsUsed: settings.defaultsUsed.filter((n) => n !== 'eventCodes'),
        }
      : settings;
  return { target, soapVersion: target.soapVersion, settings: withCli, ...(profile ? { profile } : {}) };
}

/** Derives and checks a document's metadata with the context's target and settings (`kih metadata`, `kih request`). */
export function prepareWithContext(bytes: Uint8Array, file: string, context: XdsContext): PreparedSubmission {
  return prepareSubmission(bytes, file, {
    settings: context.settings,
    live: context.target.live,
    uniqueIdExtensionLimit: context.target.uniqueIdExtensionLimit,
    ...(context.profile ? { profile: context.profile } : {}),
  });
}
