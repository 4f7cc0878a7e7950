import type { Logger } from '../core/logger.ts';
import type { Poller } from '../services/poller.ts';
import type { Condition, Severity } from './condition.ts';
import type { AlertService } from './service.ts';

/** How one backend's poller feeds the engine. */
export interface FeedOptions<T> {
  /** Origin name (`nut`, `proxmox`…): owns its alert keys and its reachability alert. */
  readonly backend: string;
  readonly rules: (value: T, now: number) => readonly Condition[];
  /** The backend this one runs on (its outage suppresses ours). */
  readonly dependsOn?: string;
  readonly unreachableSeverity?: Severity;
}

/**
 * Subscribes the engine to a poller: every refresh evaluates the complete condition list, and a
 * failed refresh reports the backend unreachable (its alerts stay as they were). A rule that
 * throws is a bug: it is logged and that refresh is skipped, so nothing resolves by accident.
 */
export function connectFeed<T>(poller: Poller<T>, feed: FeedOptions<T>, service: AlertService, log: Logger, now: () => number): void {
  const common = {
    origin: feed.backend,
    ...(feed.dependsOn ? { dependsOn: feed.dependsOn } : {}),
    ...(feed.unreachableSeverity ? { unreachableSeverity: feed.unreachableSeverity } : {}),
  };
  poller.onRefresh((snap) => {
    if (snap.status === 'never') return;
    if (snap.status === 'failed') {
      const { kind, detail, reason, reasonParams } = snap.error;
      // A named cause reads translated in each chat ("connection refused"), with its values (`where`, `seen`).
      const named = reason ? { reason, ...(reasonParams ? { reasonParams } : {}) } : {};
      service.evaluate({ ...common, reachable: false, conditions: [], detail: `${kind}: ${detail}`, ...named });
      return;
    }
    let conditions: readonly Condition[];
    try {
      conditions = feed.rules(snap.value, now());
    } catch (e) {
      log.error({ err: e, backend: feed.backend }, 'alert rules threw; evaluation skipped');
      return;
    }
    service.evaluate({ ...common, reachable: true, conditions });
  });
}
