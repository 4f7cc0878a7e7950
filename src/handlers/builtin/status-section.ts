import type { ServiceError, ServiceErrorKind } from '../../core/errors.ts';
import type { MessageKey, Translate } from '../../core/i18n.ts';
import type { Poller, Snapshot } from '../../services/poller.ts';
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
  /**
   * The same line as `read`, without waiting, when it can be told now; undefined when only `read`
   * can (before the first poll has answered). Lets a settled /status run without an await.
   */
  peek?(t: Translate, now: number): StatusLine | undefined;
}

/** What a one-poller /status line needs besides the poller. */
export interface PollerSectionSpec<T> {
  readonly id: string;
  readonly labelKey: MessageKey;
  /** Message key shown before the first poll has answered ("checking…"). */
  readonly checkingKey: MessageKey;
  /** Message key of what actually failed, when it is not the service itself (the check over SSH). */
  readonly errorLabelKey?: MessageKey;
  /**
   * The line from the latest good value; `at` is when it was read. The line is kept for the
   * snapshot and language until `until` (epoch ms) when it says so; every line of a `timeless`
   * spec is kept until the snapshot changes; any other line is made again on every /status.
   */
  line(value: T, t: Translate, now: number, at: number): StatusLine & { readonly until?: number };
  /** The line depends on the snapshot and the language only, never on the time it is read. */
  readonly timeless?: boolean;
}

/** One language's last line of a section: for which snapshot, and until when it holds. */
interface KeptLine<S> {
  readonly snap: S;
  readonly line: StatusLine;
  readonly until: number;
}

/**
 * A /status section over one poller's settled snapshot: "checking…" before the first answer,
 * the translated error after a failure (down), else the area's own line. The line is made once
 * per snapshot and language while it holds (see `PollerSectionSpec.line`), not per /status.
 */
export function pollerStatusSection<T>(poller: Pick<Poller<T>, 'settled' | 'snapshot'>, spec: PollerSectionSpec<T>): StatusSection {
  const kept = new WeakMap<Translate, KeptLine<Snapshot<T>>>();
  const lineOf = (s: Snapshot<T>, t: Translate, now: number): StatusLine => {
    const k = kept.get(t);
    if (k && k.snap === s && now < k.until) return k.line;
    let line: StatusLine;
    let until = Number.POSITIVE_INFINITY; // "checking…" and an error depend on the snapshot only
    if (s.status === 'never') line = { level: 'warning', text: t(spec.checkingKey) };
    else if (s.status === 'failed') line = downLine(t, s.error, spec.errorLabelKey);
    else {
      const { until: holds, ...own } = spec.line(s.value, t, now, s.at);
      line = own;
      until = spec.timeless ? Number.POSITIVE_INFINITY : (holds ?? now);
    }
    kept.set(t, { snap: s, line, until });
    return line;
  };
  return {
    id: spec.id,
    labelKey: spec.labelKey,
    async read(t, now) {
      return lineOf(await poller.settled(), t, now);
    },
    peek(t, now) {
      const s = poller.snapshot;
      return s.status === 'never' ? undefined : lineOf(s, t, now);
    },
  };
}
