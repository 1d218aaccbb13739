// Checks of option values shared by the commands, so every command words the same mistake the same way.
import { KihError } from '../core/kih-error.js';
import { isProfileId, PROFILE_IDS } from '../core/report.js';
import type { ProfileId } from '../core/report.js';
import { RULES_ENGINE_SETTINGS } from '../schematron/index.js';
import type { RulesEngineSetting } from '../schematron/index.js';

/** `--name <n>`: a whole number of at least 1, or undefined when the option was not given. */
export function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new KihError('CLI_ERR_USAGE', `--${name} takes a whole number of at least 1: "${text}"`);
  }
  return n;
}

/**
 * `--schematron-engine auto|saxonjs`, else `KIH_SCHEMATRON_ENGINE`, else undefined (auto): `saxonjs`
 * runs every rule set on SaxonJS even when the own engine could.
 */
export function schematronEngine(text: string | undefined, env: NodeJS.ProcessEnv): RulesEngineSetting | undefined {
  const value = text ?? env.KIH_SCHEMATRON_ENGINE;
  if (value === undefined || value === '') {
    return undefined;
  }
  if (!(RULES_ENGINE_SETTINGS as readonly string[]).includes(value)) {
    const source = text === undefined ? 'KIH_SCHEMATRON_ENGINE' : '--schematron-engine';
    throw new KihError('CLI_ERR_USAGE', `${source} takes ${RULES_ENGINE_SETTINGS.join(' or ')}: "${value}"`);
  }
  return value as RulesEngineSetting;
}

/** `--profile <id>`: one of the profiles the tool knows, or undefined when the option was not given. */
export function profileOption(text: string | undefined): ProfileId | undefined {
  if (text === undefined) {
    return undefined;
  }
  if (!isProfileId(text)) {
    throw new KihError('CLI_ERR_USAGE', `Unknown --profile "${text}"; use one of ${PROFILE_IDS.join(', ')}.`);
  }
  return text;
}

/** `-f json|text`, the formats of the commands that report on sending (submit, verify). */
export type JsonOrText = 'json' | 'text';

export function jsonOrText(text: string | undefined): JsonOrText {
  if (text !== 'json' && text !== 'text') {
    throw new KihError('CLI_ERR_USAGE', `Unknown --format "${String(text)}"; use json or text.`);
  }
  return text;
}
