import type { ServiceError, ServiceErrorKind } from '../../core/errors.ts';
import type { MessageKey, Translate } from '../../core/i18n.ts';
import type { Poller } from '../../services/poller.ts';
import { serviceErrorReason } from '../replies.ts';

/** How one configured service is doing, as one line of /status. */
export interface StatusLine {
  /** `info`: nothing wrong, something under way (a RAID rebuild). */
  readonly level: 'ok' | 'info' | 'warning' | 'down';
  readonly text: string;
  /** Why it is down: /status says the advice for each kind once, under the list. */
  readonly failure?: ServiceErrorKind;
}

/**
 * The /status line of a service that cannot be read: what went wrong in a few words (the label
 * already names the service; the advice comes once, under the list).
 */
export function downLine(t: Translate, e: ServiceError, viaKey?: MessageKey): StatusLine {
  const problem = t(`builtin.status.down.${e.kind}`, { detail: serviceErrorReason(t, e) });
  return { level: 'down', text: viaKey ? t('builtin.status.via', { problem, via: t(viaKey) }) : problem, failure: e.kind };
}

/** A service's contribution to /status; reads cached state when fresh (never slow). */
export interface StatusSection {
  readonly id: string;
  /** Message key of the service's household name ("Hypervisor", "Ad blocker"). */
  readonly labelKey: MessageKey;
  read(t: Translate, now: number): Promise<StatusLine>;
}

/** What a one-poller /status line needs besides the poller. */
export interface PollerSectionSpec<T> {
  readonly id: string;
  readonly labelKey: MessageKey;
  /** Message key shown before the first poll has answered ("checking…"). */
  readonly checkingKey: MessageKey;
  /** Message key of what actually failed, when it is not the service itself (the check over SSH). */
  readonly errorLabelKey?: MessageKey;
  /** The line from the latest good value; `at` is when it was read. */
  line(value: T, t: Translate, now: number, at: number): StatusLine;
}

/**
 * A /status section over one poller's settled snapshot: "checking…" before the first answer,
 * the translated error after a failure (down), else the area's own line.
 */
export function pollerStatusSection<T>(poller: Pick<Poller<T>, 'settled'>, spec: PollerSectionSpec<T>): StatusSection {
  return {
    id: spec.id,
    labelKey: spec.labelKey,
    async read(t, now) {
      const s = await poller.settled();
      if (s.status === 'never') return { level: 'warning', text: t(spec.checkingKey) };
      if (s.status === 'failed') return downLine(t, s.error, spec.errorLabelKey);
      return spec.line(s.value, t, now, s.at);
    },
  };
}
