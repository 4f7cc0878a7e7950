/**
 * Per-person unblocks with Pi-hole v6 groups (groups.yaml, clients.yaml, domains.yaml): each
 * person who unblocks something gets a group `chatops-person-<id>`; their devices' client
 * entries join it (and stay in Default, so the blocklists still apply to them); an allow entry
 * applies to the groups of everyone currently holding it — Default (0) when it holds for
 * everyone. Pi-hole keeps one entry per domain and list, so the entry's group set is always
 * recomputed from the stored holds: whoever's hold ends, the others' stay.
 *
 * Clients are identified by IP: Pi-hole prefers IP recognition ("MAC address recognition only
 * works for devices at most one networking hop away", clients.yaml), and guest-network devices
 * reach it through the router.
 */
import { err, ok, type Result } from '../../core/errors.ts';
import type { PiholeClient } from '../../services/pihole/client.ts';
import type { TempAllow, TempAllowStore } from './store.ts';

/** Marks entries the bot added, so people looking at the Pi-hole UI know where they came from. */
export const TEMP_COMMENT = 'chat bot: temporary allow';
const DEFAULT_GROUP = 0;

/** A device to enrol, as the device registry knows it. */
export interface ScopedDevice {
  readonly ip: string | undefined;
  readonly label: string;
}

type Client = Pick<PiholeClient, 'ensureGroup' | 'clientEntry' | 'putClient' | 'putDomain' | 'removeDomain'>;

/** Keeps Pi-hole's groups, clients and allow entries in step with the stored holds. */
export class ScopedAllows {
  constructor(
    private readonly client: Client,
    private readonly store: TempAllowStore,
  ) {}

  /** The group of one person's devices (created when missing). */
  groupOf(personId: number): Promise<Result<number>> {
    return this.client.ensureGroup(`chatops-person-${personId}`, 'chat bot: devices of one household member');
  }

  /** Puts a person's devices into their group (keeping every group they were in). */
  async enrol(personId: number, devices: readonly ScopedDevice[]): Promise<Result<number>> {
    const group = await this.groupOf(personId);
    if (!group.ok) return group;
    for (const d of devices) {
      if (!d.ip) continue;
      const have = await this.client.clientEntry(d.ip);
      if (!have.ok) return have;
      const groups = new Set([...(have.value?.groups ?? [DEFAULT_GROUP]), DEFAULT_GROUP, group.value]);
      if (have.value && [...groups].every((g) => have.value!.groups.includes(g))) continue;
      const r = await this.client.putClient(d.ip, [...groups], have.value?.comment ?? `chat bot: ${d.label}`);
      if (!r.ok) return r;
    }
    return ok(group.value);
  }

  /**
   * Makes the domain's allow entry apply to exactly the current holders (without `except`),
   * or removes it when nobody holds it any more. Returns whether an entry remains.
   */
  async sync(domain: string, except?: Pick<TempAllow, 'personId'>): Promise<Result<boolean>> {
    const holds = this.store.holds(domain).filter((h) => !except || (h.personId ?? 0) !== (except.personId ?? 0));
    if (holds.length === 0) {
      const r = await this.client.removeDomain('allow', 'exact', domain);
      return r.ok ? ok(false) : r;
    }
    const groups = new Set<number>();
    for (const h of holds) {
      if (h.personId === undefined) {
        groups.add(DEFAULT_GROUP);
        continue;
      }
      const g = await this.groupOf(h.personId);
      if (!g.ok) return g;
      groups.add(g.value);
    }
    const until = Math.max(...holds.map((h) => h.expiresAt));
    const r = await this.client.putDomain('allow', 'exact', domain, [...groups], `${TEMP_COMMENT} until ${new Date(until).toISOString()}`);
    return r.ok ? ok(true) : err(r.error);
  }
}
