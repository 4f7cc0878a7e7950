/**
 * Cutting a device's internet on the router, and giving it back on time.
 *
 * Mechanism: one bot-managed firewall address list (`chatops-paused`) and one forward-chain
 * reject rule for it, placed first. RouterOS 7 kid-control was not used: its profiles are
 * weekly schedules per child (help.mikrotik.com Kid Control: `mon…sun` windows, devices by
 * MAC from ARP) with no timed per-device pause, and its limits are skipped by FastTrack. An
 * address-list entry may carry a `timeout` (help.mikrotik.com Address-lists), so the router
 * itself lifts a pause even if the bot is down when it ends; the bot still records the pause
 * in SQLite first (intent before action) and reconciles at start and on every tick: a pause
 * whose entry vanished (router reboot drops timed entries) is put back, one that ended is
 * removed and announced, an entry the bot no longer wants goes.
 */
import type { Clock } from '../../core/clock.ts';
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { PeriodicCheck } from '../../core/periodic.ts';
import type { RouterOsClient } from '../../services/routeros/client.ts';
import type { DevicePause, DeviceStore } from './store.ts';

/** The address list the bot owns on the router. */
export const PAUSE_LIST = 'chatops-paused';
const COMMENT = 'chat bot: paused device';
const RULE_COMMENT = 'chat bot: devices paused from chat have no internet';
const RETRY_MS = 60_000;

type Router = Pick<RouterOsClient, 'addressListEntries' | 'addAddressListEntry' | 'removeAddressListEntry' | 'ensureRejectRule'>;

/** Pauses, blocks and resumes devices; reconciles the router with the stored intent. */
export class DevicePauses {
  private readonly periodic: PeriodicCheck;
  private retryAt = 0;
  private failing = false;

  constructor(
    private readonly router: Router,
    private readonly store: DeviceStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Told when a timed pause ended by itself (the bot says so in the chat that asked). */
    private readonly onEnded: (p: DevicePause) => void,
    tickMs = 1000,
  ) {
    this.periodic = new PeriodicCheck(() => this.reconcile(), tickMs);
  }

  /** Starts reconciling (once at once, for pauses that ended while the bot was down). */
  start(): void {
    this.periodic.start();
  }

  /** Stops; waits for a pass in flight. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One reconcile pass now; concurrent calls share it. */
  check(): Promise<void> {
    return this.periodic.check();
  }

  /** Cuts a device off until `until` (a pause) or until lifted (a block, `until` undefined). */
  async cut(p: DevicePause): Promise<Result<void>> {
    const now = this.clock.now();
    this.store.putPause(p, now); // intent first: a crash from here on is repaired by reconcile()
    const rule = await this.router.ensureRejectRule(PAUSE_LIST, RULE_COMMENT);
    if (!rule.ok) return rule;
    const entries = await this.router.addressListEntries(PAUSE_LIST);
    if (!entries.ok) return entries;
    for (const e of entries.value.filter((x) => x.address === p.address)) {
      const r = await this.router.removeAddressListEntry(e.id);
      if (!r.ok) return r;
    }
    const added = await this.router.addAddressListEntry({
      list: PAUSE_LIST,
      address: p.address,
      comment: `${COMMENT} ${p.mac}`,
      ...(p.until !== undefined ? { timeoutSeconds: (p.until - now) / 1000 } : {}),
    });
    return added.ok ? ok(undefined) : added;
  }

  /** Gives a device its internet back now; false when it was not paused. */
  async resume(mac: string): Promise<Result<boolean>> {
    const p = this.store.pause(mac);
    if (!p) return ok(false);
    const removed = await this.removeEntries(p.address);
    if (!removed.ok) return removed;
    this.store.removePause(mac);
    return ok(true);
  }

  private async removeEntries(address: string): Promise<Result<void>> {
    const entries = await this.router.addressListEntries(PAUSE_LIST);
    if (!entries.ok) return entries;
    for (const e of entries.value.filter((x) => x.address === address)) {
      const r = await this.router.removeAddressListEntry(e.id);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  private async reconcile(): Promise<void> {
    const now = this.clock.now();
    if (now < this.retryAt) return;
    const r = await this.pass(now);
    if (r.ok) {
      if (this.failing) this.log.info('device pauses reconciled with the router again');
      this.failing = false;
      this.retryAt = 0;
      return;
    }
    if (!this.failing) this.log.warn({ error: r.error }, 'device pauses could not be reconciled; retrying every minute');
    this.failing = true;
    this.retryAt = now + RETRY_MS;
  }

  private async pass(now: number): Promise<Result<void>> {
    const pauses = this.store.pauses();
    const entries = await this.router.addressListEntries(PAUSE_LIST);
    if (!entries.ok) return entries;
    const wanted = new Map<string, DevicePause>();
    for (const p of pauses) {
      if (p.until !== undefined && p.until <= now) {
        const gone = await this.removeEntries(p.address);
        if (!gone.ok) return gone;
        // Extended meanwhile: the new deadline stands and the next pass puts the entry back.
        if (this.store.removePause(p.mac, p.until)) {
          this.log.info({ mac: p.mac }, 'device pause ended');
          this.onEnded(p);
        }
        continue;
      }
      wanted.set(p.address, p);
    }
    for (const e of entries.value) {
      if (!e.comment?.startsWith(COMMENT) || wanted.has(e.address)) continue;
      const r = await this.router.removeAddressListEntry(e.id); // resumed while the router was unreachable
      if (!r.ok) return r;
    }
    for (const p of wanted.values()) {
      if (entries.value.some((e) => e.address === p.address)) continue;
      // Lost on the router (a reboot drops timed entries) or never written (crash after the intent).
      this.log.warn({ mac: p.mac }, 'device pause missing on the router; putting it back');
      const r = await this.cut(p);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }
}

/** The address a device can be cut off by, or a refusal when the router never leased it one. */
export function pauseAddress(ip: string | undefined, service = 'router'): Result<string> {
  return ip ? ok(ip) : err(serviceError(service, 'rejected', 'the router has no address for this device'));
}
