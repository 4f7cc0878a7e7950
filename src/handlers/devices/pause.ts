/**
 * Cutting a device's internet on the router, and giving it back on time.
 *
 * Mechanism: one bot-managed firewall address list (`chatops-paused`) and one forward-chain
 * reject rule for it, placed first. RouterOS 7 kid-control was not used: its profiles are
 * weekly schedules per child (help.mikrotik.com Kid Control: `mon…sun` windows, devices by
 * MAC from ARP) with no timed per-device pause, and its limits are skipped by FastTrack. An
 * address-list entry may carry a `timeout` (help.mikrotik.com Address-lists), so the router
 * itself lifts a pause even if the bot is down when it ends.
 *
 * A timed pause is a deadline (core/deadlines.ts): recorded as an intent before the router is
 * told, confirmed after, ended by the one deadline worker on time (also after a restart), and
 * reconciled at start after a crash (kept when the router has the entry, dropped when not).
 * A block has no end: its row is written before the router is told. `repair()` (each lease
 * refresh) puts back what the router lost (a router reboot drops timed entries) and removes
 * entries of the bot's list that nothing wants any more. Every router change of this feature
 * runs one at a time, so a repair never sees a command half done.
 */
import { changeWithDeadline, type Deadline, type DeadlineKind, type DeadlineStore, type GuardedChange } from '../../core/deadlines.ts';
import type { Clock } from '../../core/clock.ts';
import { ok, type Result, type ServiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { AuditLog } from '../../permissions/audit.ts';
import type { RouterOsClient } from '../../services/routeros/client.ts';
import { PAUSE_KIND, type DeviceBlock, type DevicePause, type DeviceStore, type DeviceTimedPause } from './store.ts';

/** The address list the bot owns on the router. */
export const PAUSE_LIST = 'chatops-paused';
const COMMENT = 'chat bot: paused device';
const RULE_COMMENT = 'chat bot: devices paused from chat have no internet';
/** Who the audit log names for the router changes the repair makes by itself (putting back what a reboot lost, removing leftovers). */
export const DEVICE_REPAIR = 'system:device-repair';

type Router = Pick<RouterOsClient, 'addressListEntries' | 'addAddressListEntry' | 'removeAddressListEntry' | 'ensureRejectRule'>;

const toPause = (d: Deadline): DeviceTimedPause => ({
  mac: d.target,
  kind: 'pause',
  until: d.dueAt,
  address: d.data.address ?? '',
  chat: d.chat,
  setBy: d.requestedBy,
});

/** Pauses, blocks and resumes devices on the router; the pause deadlines' kind. */
export class DevicePauses {
  private queue: Promise<unknown> = Promise.resolve();
  private failing = false;

  constructor(
    private readonly router: Router,
    private readonly store: DeviceStore,
    private readonly deadlines: DeadlineStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Where the repair's own router changes are audited (intent first); the bot's wiring always gives it. */
    private readonly audit?: AuditLog,
  ) {}

  /** A device's pause or block (a block outranks a pause). */
  get(mac: string): DevicePause | undefined {
    const block = this.store.block(mac);
    if (block) return block;
    const d = this.deadlines.get(PAUSE_KIND, mac);
    return d ? toPause(d) : undefined;
  }

  /** Every timed pause (soonest end first), then every block. */
  all(): DevicePause[] {
    const blocks = this.store.blocks();
    const blocked = new Set(blocks.map((b) => b.mac));
    return [
      ...this.deadlines
        .list(PAUSE_KIND)
        .filter((d) => !blocked.has(d.target))
        .map(toPause),
      ...blocks,
    ];
  }

  /** Pauses a device until `until`: the deadline is on disk before the router refuses it. */
  pause(p: Omit<DeviceTimedPause, 'kind'>): Promise<GuardedChange<void, ServiceError>> {
    return this.serial(() => {
      const now = this.clock.now();
      return changeWithDeadline(
        () =>
          this.deadlines.intend(
            { kind: PAUSE_KIND, target: p.mac, dueAt: p.until, chat: p.chat, requestedBy: p.setBy, data: { address: p.address } },
            now,
          ),
        () => this.cutOff(p.mac, p.address, (p.until - now) / 1000),
      );
    });
  }

  /** Blocks a device until lifted (a timed pause it had becomes this block). */
  block(b: Omit<DeviceBlock, 'kind' | 'until'>): Promise<Result<void>> {
    return this.serial(async () => {
      this.store.putBlock(b, this.clock.now()); // intent first: a crash from here on is completed by repair()
      const r = await this.cutOff(b.mac, b.address, undefined);
      if (!r.ok) {
        this.store.removeBlock(b.mac); // not blocked; an entry half written is removed by repair()
        return r;
      }
      this.deadlines.remove(PAUSE_KIND, b.mac);
      return ok(undefined);
    });
  }

  /** Gives a device its internet back now; false when it was neither paused nor blocked. */
  resume(mac: string): Promise<Result<boolean>> {
    return this.serial(async () => {
      const p = this.get(mac);
      if (!p) return ok(false);
      const removed = await this.removeEntries(p.address);
      if (!removed.ok) return removed;
      this.store.removeBlock(mac);
      this.deadlines.remove(PAUSE_KIND, mac);
      return ok(true);
    });
  }

  /** The deadline kind that ends timed pauses; `onEnded` tells the chat that asked. */
  deadlineKind(onEnded: (p: DeviceTimedPause) => void): DeadlineKind {
    return {
      kind: PAUSE_KIND,
      service: 'router', // the router's address list, as /pausenet's permission (router.device.*) files it
      // A block that replaced the pause keeps the entry; otherwise the address gets its internet back.
      expire: (d) =>
        this.serial(() => (this.store.block(d.target) ? Promise.resolve(ok(undefined)) : this.removeEntries(toPause(d).address))),
      reconcile: (d) =>
        this.serial(async () => {
          const entries = await this.router.addressListEntries(PAUSE_LIST);
          if (!entries.ok) return entries;
          return ok(entries.value.some((e) => e.address === toPause(d).address) ? ('applied' as const) : ('absent' as const));
        }),
      reapply: (d) => this.serial(() => this.cutOff(d.target, toPause(d).address, (d.dueAt - this.clock.now()) / 1000)),
      expired: (d) => {
        this.log.info({ mac: d.target }, 'device pause ended');
        onEnded(toPause(d));
      },
    };
  }

  /**
   * Makes the router match what is recorded: a confirmed pause or a block whose entry is
   * missing is put back; an entry of the bot's list nothing wants is removed. Pauses that are
   * due and intents a crash left are the deadline worker's.
   */
  async repair(): Promise<void> {
    const r = await this.repairPass();
    if (r.ok && this.failing) this.log.info('device pauses match the router again');
    else if (!r.ok && !this.failing)
      this.log.warn({ error: r.error }, 'device pauses could not be checked on the router; trying at each lease refresh');
    this.failing = !r.ok;
  }

  private repairPass(): Promise<Result<void>> {
    return this.serial(async () => {
      const now = this.clock.now();
      const entries = await this.router.addressListEntries(PAUSE_LIST);
      if (!entries.ok) return entries;
      const pauses = this.deadlines.list(PAUSE_KIND);
      const wanted = new Set([...pauses.map((d) => toPause(d).address), ...this.store.blocks().map((b) => b.address)]);
      for (const e of entries.value) {
        if (!e.comment?.startsWith(COMMENT) || wanted.has(e.address)) continue;
        const r = await this.audited({ address: e.address, change: 'remove' }, () => this.router.removeAddressListEntry(e.id));
        if (!r.ok) return r;
      }
      const have = new Set(entries.value.map((e) => e.address));
      const missing: { address: string; seconds: number | undefined; mac: string }[] = [
        ...pauses
          .filter((d) => d.phase === 'active' && d.dueAt > now && !this.store.block(d.target))
          .map((d) => ({ address: toPause(d).address, seconds: (d.dueAt - now) / 1000, mac: d.target })),
        ...this.store.blocks().map((b) => ({ address: b.address, seconds: undefined, mac: b.mac })),
      ].filter((m) => !have.has(m.address));
      for (const m of missing) {
        this.log.warn({ mac: m.mac }, 'device pause missing on the router; putting it back');
        const r = await this.audited({ mac: m.mac, address: m.address, change: 'put-back' }, () =>
          this.cutOff(m.mac, m.address, m.seconds),
        );
        if (!r.ok) return r;
      }
      return ok(undefined);
    });
  }

  /** One router change of the repair, audited as `system:device-repair`: 'started' before the call, its result after. */
  private async audited<T>(args: Record<string, string>, change: () => Promise<Result<T>>): Promise<Result<T>> {
    const id = this.audit?.record({
      at: this.clock.now(),
      identity: DEVICE_REPAIR,
      chat: DEVICE_REPAIR,
      command: 'repair',
      args,
      result: 'started',
      service: 'router',
    });
    const r = await change();
    if (id !== undefined) this.audit!.complete(id, r.ok ? 'ok' : 'error', r.ok ? undefined : r.error.detail);
    return r;
  }

  /** The reject rule in place, then exactly one entry for the address (timed, or not). */
  private async cutOff(mac: string, address: string, seconds: number | undefined): Promise<Result<void>> {
    const rule = await this.router.ensureRejectRule(PAUSE_LIST, RULE_COMMENT);
    if (!rule.ok) return rule;
    const gone = await this.removeEntries(address);
    if (!gone.ok) return gone;
    const added = await this.router.addAddressListEntry({
      list: PAUSE_LIST,
      address,
      comment: `${COMMENT} ${mac}`,
      ...(seconds !== undefined ? { timeoutSeconds: Math.max(1, seconds) } : {}),
    });
    return added.ok ? ok(undefined) : added;
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

  /** One router change of this feature at a time. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
