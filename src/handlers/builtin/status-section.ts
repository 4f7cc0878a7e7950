import type { Translate } from '../../core/i18n.ts';

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
