import type { Translate } from '../../core/i18n.ts';
import type { Poller } from '../../services/poller.ts';
import { serviceErrorText } from '../replies.ts';

/** How one configured service is doing, as one line of /status. */
export interface StatusLine {
  readonly level: 'ok' | 'warning' | 'down';
  readonly text: string;
}

/** A service's contribution to /status; reads cached state when fresh (never slow). */
export interface StatusSection {
  readonly id: string;
  /** Message key of the service's household name ("Hypervisor", "Ad blocker"). */
  readonly labelKey: string;
  read(t: Translate, now: number): Promise<StatusLine>;
}

/** What a one-poller /status line needs besides the poller. */
export interface PollerSectionSpec<T> {
  readonly id: string;
  readonly labelKey: string;
  /** Message key shown before the first poll has answered ("checking…"). */
  readonly checkingKey: string;
  /** Message key naming the service in the error line (default `labelKey`). */
  readonly errorLabelKey?: string;
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
      if (s.status === 'failed')
        return {
          level: 'down',
          text: serviceErrorText(t, s.error, t(spec.errorLabelKey ?? spec.labelKey)),
        };
      return spec.line(s.value, t, now, s.at);
    },
  };
}
