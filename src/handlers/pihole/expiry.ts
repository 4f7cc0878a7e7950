import type { DeadlineKind } from '../../core/deadlines.ts';
import { mapResult, type Result } from '../../core/errors.ts';
import type { DomainEntry } from '../../services/pihole/client.ts';
import { PERSON_ALLOW_KIND, TEMP_ALLOW_KIND, toTempAllow, type TempAllow } from './store.ts';
import { TEMP_COMMENT } from './unblock.ts';

/** The Pi-hole calls a temporary allow needs. */
export interface TempAllowBackend {
  remove(domain: string): Promise<Result<boolean>>;
  /** Puts an entry back (it was extended while being removed). */
  add(domain: string): Promise<Result<unknown>>;
  /** The exact allow entries (reconciling an interrupted /unblock). */
  allowed(): Promise<Result<readonly Pick<DomainEntry, 'domain' | 'comment'>[]>>;
}

/**
 * Temporary allow entries as a deadline kind: removed from Pi-hole when their time is up (an
 * entry already gone just ends). An /unblock a crash interrupted counts as applied only when
 * Pi-hole holds the entry with the bot's own comment: a permanent allow someone else added is
 * never taken away. Likewise an interrupted /allow of a held domain: while the entry still has
 * the temporary comment the hold stands (and ends on time); once /allow rewrote it, it goes.
 */
export function tempAllowDeadlines(pihole: TempAllowBackend, onExpired: (e: TempAllow) => void): DeadlineKind {
  return {
    kind: TEMP_ALLOW_KIND,
    service: 'pihole',
    expire: (d) => pihole.remove(d.target),
    reapply: (d) => pihole.add(d.target),
    async reconcile(d) {
      const list = await pihole.allowed();
      return mapResult(list, (entries) =>
        entries.some((e) => e.domain === d.target && (e.comment ?? '').startsWith(TEMP_COMMENT)) ? 'applied' : 'absent',
      );
    },
    expired: (d) => onExpired(toTempAllow(d)),
  };
}

/** What a per-person allow needs: the entry's groups recomputed from the holds still standing. */
export interface PersonAllowBackend {
  sync(domain: string, except?: Pick<TempAllow, 'personId'>): Promise<Result<boolean>>;
  allowed: TempAllowBackend['allowed'];
}

/**
 * Allows for one person's devices as a deadline kind: when one ends, the entry keeps the groups
 * of the others still holding the domain (and goes when nobody does).
 */
export function personAllowDeadlines(pihole: PersonAllowBackend, onExpired: (e: TempAllow) => void): DeadlineKind {
  return {
    kind: PERSON_ALLOW_KIND,
    service: 'pihole',
    expire: (d) => {
      const e = toTempAllow(d);
      return pihole.sync(e.domain, e);
    },
    reapply: (d) => pihole.sync(toTempAllow(d).domain),
    async reconcile(d) {
      const domain = toTempAllow(d).domain;
      const list = await pihole.allowed();
      return mapResult(list, (entries) =>
        entries.some((e) => e.domain === domain && (e.comment ?? '').startsWith(TEMP_COMMENT)) ? 'applied' : 'absent',
      );
    },
    expired: (d) => onExpired(toTempAllow(d)),
  };
}
