// What the stage jobs need from the process: the validator (opened with openValidator) and a target session per target.
import { openTargetSession } from '../submission/target-session.js';
import type { TargetSession } from '../submission/target-session.js';
import type { Validator } from '../validation/validator.js';
import type { Settings } from '../config/load-config.js';
import { NO_LOG } from '../core/log.js';
import type { Logger } from '../core/log.js';
import type { ServiceMetrics } from './metrics.js';

/** The validator the stage jobs use: its versions are stored with every validation record. */
export type StageValidator = Validator;

/** Everything needed to send to one target, made once per process and shared by its jobs. */
export type TargetSender = TargetSession;

export interface Senders {
  get(name: string): Promise<TargetSender>;
  close(): Promise<void>;
}

export interface SendersOptions {
  /** STS requests are logged here (info, or warn when refused). */
  readonly log?: Logger;
  readonly metrics?: ServiceMetrics;
}

/** Target sessions from the checked settings, opened on first use and shared by every job of the process. */
export function createSenders(settings: Settings, options: SendersOptions = {}): Senders {
  const log = options.log ?? NO_LOG;
  const made = new Map<string, Promise<TargetSender>>();
  // `local` has no peer here, so the session refuses it: a service sends to a running simulator or to KIH.
  const open = async (name: string): Promise<TargetSender> => {
    // An unknown name is CONFIG_ERR_INVALID, which ends the job at once instead of retrying it.
    const target = settings.target(name);
    return openTargetSession(target, settings.metadataFor(target), {
      onStsExchange: (e) => {
        const outcome = e.ok ? 'ok' : 'failed';
        options.metrics?.stsExchanges.inc({ target: name, reason: e.reason, outcome });
        options.metrics?.stageSeconds.observe({ stage: 'sts' }, e.durationMs / 1000);
        const fields = { target: name, reason: e.reason, outcome, durationMs: e.durationMs };
        if (e.ok) {
          log.info(fields, 'ID card from the STS');
        } else {
          // The submission records the refusal too; this line is for operators watching the STS.
          log.warn({ ...fields, err: e.error }, 'the STS gave no ID card');
        }
      },
    });
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
          await s.value.close();
        }
      }
    },
  };
}
