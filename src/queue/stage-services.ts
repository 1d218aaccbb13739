// What the stage jobs need from the process: the validator (off the event loop) with its versions, and a sender per target.
import { KihError } from '../core/kih-error.js';
import { createTransport } from '../submission/http-transport.js';
import type { Transport } from '../submission/http-transport.js';
import { idCardSourceFor } from '../submission/id-card-source.js';
import { DEFAULT_RETRY_POLICY } from '../submission/retry-policy.js';
import type { RetryPolicy } from '../submission/retry-policy.js';
import type { IdCardSource, SendTarget } from '../submission/send-submission.js';
import { resolveTarget, targetMetadataSettings } from '../submission/target-settings.js';
import type { Target } from '../submission/targets.js';
import { openBytesValidator } from '../validation/bytes-validator.js';
import type { BytesValidator } from '../validation/bytes-validator.js';
import { createRuleSets } from '../validation/rule-sets.js';
import { DEFAULT_SCHEMAS_DIR } from '../core/package-info.js';
import { loadSchema } from '../validation/xsd-schema.js';
import type { ResolvedSettings } from '../xds/metadata-settings.js';
import type { SettingsFile } from '../xds/settings-file.js';

export interface StageValidator extends BytesValidator {
  readonly schemaId: string;
  readonly ruleVersions: Readonly<Record<string, string>>;
}

/** Everything needed to send to one target, made once per process and shared by its jobs. */
export interface TargetSender {
  readonly target: Target;
  readonly send: SendTarget;
  readonly settings: ResolvedSettings;
  readonly transport: Transport;
  readonly idCards?: IdCardSource;
  readonly policy: RetryPolicy;
}

export interface Senders {
  get(name: string): Promise<TargetSender>;
  close(): Promise<void>;
}

/**
 * The schema and rule sets are compiled here once, for their versions (stored with every
 * validation record) and so that a broken rule file stops the worker at start, not per job.
 */
export async function openStageValidator(threads: number): Promise<StageValidator> {
  const schema = loadSchema(DEFAULT_SCHEMAS_DIR);
  const rules = createRuleSets({});
  await rules.prepare();
  const validator = await openBytesValidator({}, threads);
  return {
    schemaId: schema.id,
    ruleVersions: rules.versions(),
    validateBytes: (bytes, name) => validator.validateBytes(bytes, name),
    close: () => validator.close(),
  };
}

/** Targets from the built-ins and the settings file; `local` is refused: a service sends to a running simulator or KIH. */
export function createSenders(file: SettingsFile | undefined, env: NodeJS.ProcessEnv): Senders {
  const made = new Map<string, Promise<TargetSender>>();
  const open = async (name: string): Promise<TargetSender> => {
    const target = resolveTarget(name, file, env);
    if (target.embedded) {
      throw new KihError(
        'STORE_ERR_CONFIG',
        `Target "${name}" runs a simulator inside one command; service mode sends to a running one (target "simulator") or to KIH.`
      );
    }
    const transport = createTransport({
      ...(target.timeouts ? { timeouts: target.timeouts } : {}),
      ...(target.tls ? { tls: target.tls } : {}),
    });
    const idCards = await idCardSourceFor(target);
    return {
      target,
      send: {
        name: target.name,
        endpoint: target.endpoint,
        soapVersion: target.soapVersion,
        dgws: target.dgws,
        ...(target.queryEndpoint !== undefined ? { queryEndpoint: target.queryEndpoint } : {}),
      },
      settings: targetMetadataSettings(target, file),
      transport,
      ...(idCards ? { idCards } : {}),
      policy: { ...DEFAULT_RETRY_POLICY, ...target.retry },
    };
  };
  return {
    get(name: string): Promise<TargetSender> {
      let sender = made.get(name);
      if (!sender) {
        sender = open(name);
        // A failed set-up (bad credentials) is not kept: the next job tries again and reports it.
        sender.catch(() => made.delete(name));
        made.set(name, sender);
      }
      return sender;
    },
    async close(): Promise<void> {
      const senders = await Promise.allSettled(made.values());
      made.clear();
      for (const s of senders) {
        if (s.status === 'fulfilled') {
          await s.value.transport.close();
        }
      }
    },
  };
}
