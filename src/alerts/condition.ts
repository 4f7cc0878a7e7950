import type { MessageKey } from '../core/i18n.ts';
import type { ALERT_SOURCES } from '../core/config-schema.ts';
import type { AlertCause } from './causes.ts';

/** How loud an alert is. `critical` ignores quiet hours and re-notifies. */
export type Severity = 'info' | 'warning' | 'critical';

/** Which family of alerts a condition belongs to (used by routing bindings and /mute). */
export type AlertSource = (typeof ALERT_SOURCES)[number];

/** Severities from quietest to loudest. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** Numeric rank of a severity, for `minSeverity` comparisons. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

/**
 * A fact that currently holds, produced by a pure rule from a snapshot. The engine raises
 * a key after it holds for its debounce and resolves it once it is absent.
 * Texts are message keys plus params, so each chat renders them in its own language.
 */
export interface Condition {
  /** Stable identity, e.g. `ups:ups1:on_battery`. */
  readonly key: string;
  readonly source: AlertSource;
  readonly severity: Severity;
  /** Message key for the one-line summary. */
  readonly summaryKey: MessageKey;
  readonly params: Readonly<Record<string, string | number>>;
  /** The backend whose reachability this condition depends on (suppressed while it is down). */
  readonly dependsOn?: string;
  /** Key of a state that may change while active (rebuild progress): the message is edited. */
  readonly progress?: number;
  /** Command offered as the obvious action, e.g. `{ command: 'start', args: { guest: '101' } }`. */
  readonly action?: { readonly labelKey: MessageKey; readonly command: string; readonly args: Readonly<Record<string, string>> };
  /** Debounce: how long (ms) the condition must hold before it is raised; default from config. */
  readonly holdMs?: number;
  /** How long (ms) it must be absent before it is resolved; default from config. */
  readonly resolveHoldMs?: number;
  /** Message key for the recovery line (e.g. "power is back"); default `<summaryKey>.resolved` when it exists. */
  readonly resolvedKey?: MessageKey;
  /** Monospaced detail shown under the alert (a failed task's log tail); kept short by the rule. */
  readonly log?: string;
  /** What explains it (the rule saw it in the same snapshot): held, not raised, while this is set. */
  readonly heldBy?: AlertCause;
}
