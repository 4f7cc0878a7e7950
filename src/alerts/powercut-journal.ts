/**
 * The power-cut journal (owner of table `power_cuts`): one row per outage with its start, end,
 * lowest battery charge and runtime, and what was handed to the hypervisor. A restart reads it
 * to know that the bot was stopped by its own plan and that a restore report is owed.
 */
import type { Db } from '../core/db.ts';
import type { PowerCutJournal, PowerSignal } from './powercut.ts';

/** What was handed over, as stored. */
export interface HandoverSummary {
  readonly sequence: readonly (readonly string[])[];
  readonly node?: string;
  readonly self?: string;
  readonly vmids: readonly number[];
  /** A dry run: nothing was stopped, the restore only checks. */
  readonly dryRun?: boolean;
}

/** One thing folded into a power cut: a guest by its display form, or a backend by its id (named in each chat's language). */
export interface FoldedItem {
  readonly key: string;
  readonly guest?: string;
  /** A guest's number, so a restore report can offer to start it (absent in rows from before). */
  readonly vmid?: number;
  readonly backend?: string;
}

/** One outage as recorded. */
export interface Outage {
  readonly id: number;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly lowestCharge?: number;
  readonly lowestRuntimeSeconds?: number;
  readonly state: 'on-battery' | 'cancelled' | 'handed-over' | 'restored';
  readonly handedOverAt?: number;
  readonly summary?: HandoverSummary;
  /** When the restore sent Wake-on-LAN to the node (recorded before the packet left). */
  readonly wakeSentAt?: number;
}

interface Row {
  id: number;
  started_at: number;
  ended_at: number | null;
  lowest_charge: number | null;
  lowest_runtime: number | null;
  state: Outage['state'];
  handed_over_at: number | null;
  summary: string | null;
  wake_sent_at: number | null;
}

/** SQLite-backed journal. */
export class PowerCutStore implements PowerCutJournal {
  constructor(private readonly db: Db) {}

  outageStarted(at: number): void {
    if (this.open()) return;
    this.db.prepare("INSERT INTO power_cuts (started_at, state) VALUES (?, 'on-battery')").run(at);
  }

  reading(s: PowerSignal): void {
    const o = this.open();
    if (!o) return;
    const min = (a: number | undefined, b: number | undefined): number | null =>
      a === undefined ? (b ?? null) : b === undefined ? a : Math.min(a, b);
    this.db
      .prepare('UPDATE power_cuts SET lowest_charge = ?, lowest_runtime = ? WHERE id = ?')
      .run(min(o.lowestCharge, s.charge), min(o.lowestRuntimeSeconds, s.runtimeSeconds), o.id);
  }

  handedOver(at: number, summary: HandoverSummary): void {
    const o = this.open();
    if (!o) this.outageStarted(at);
    this.db
      .prepare("UPDATE power_cuts SET state = 'handed-over', handed_over_at = ?, summary = ? WHERE id = ?")
      .run(at, JSON.stringify(summary), this.open()!.id);
  }

  cancelled(at: number): void {
    const o = this.open();
    if (o?.state === 'on-battery') this.db.prepare("UPDATE power_cuts SET state = 'cancelled', ended_at = ? WHERE id = ?").run(at, o.id);
  }

  /** Mains is back: the outage of a handed-over run ends here (its restore follows). */
  mainsBack(at: number): void {
    this.db.prepare("UPDATE power_cuts SET ended_at = ? WHERE ended_at IS NULL AND state = 'handed-over'").run(at);
    this.db.prepare("UPDATE power_cuts SET state = 'cancelled', ended_at = ? WHERE ended_at IS NULL AND state = 'on-battery'").run(at);
  }

  /** The outage whose plan was handed over and whose restore report is still owed. */
  owed(): Outage | undefined {
    const r = this.db.prepare("SELECT * FROM power_cuts WHERE state = 'handed-over' ORDER BY id DESC LIMIT 1").get() as Row | undefined;
    return r ? toOutage(r) : undefined;
  }

  /**
   * The restore is about to wake the node: recorded first, so a restart never sends a second
   * packet. A crash between this record and the packet leaves the node off: the report then
   * says so in red after the boot time, with "Wake again" (a second packet would be harmless to
   * a running machine, but the rule stays one automatic wake per outage).
   */
  wakeSent(id: number, at: number): void {
    this.db.prepare('UPDATE power_cuts SET wake_sent_at = ? WHERE id = ?').run(at, id);
  }

  /** Marks the restore report as sent. */
  restored(id: number, at: number): void {
    this.db
      .prepare("UPDATE power_cuts SET state = 'restored', restored_at = ?, ended_at = COALESCE(ended_at, ?) WHERE id = ?")
      .run(at, at, id);
  }

  /** What was folded into outage `id` so far (powercut-fold.ts). */
  folded(id: number): FoldedItem[] {
    const raw = this.db.prepare('SELECT folded FROM power_cuts WHERE id = ?').pluck().get(id) as string | null | undefined;
    return raw ? (JSON.parse(raw) as FoldedItem[]) : [];
  }

  /** Records the whole list folded into outage `id`. */
  fold(id: number, items: readonly FoldedItem[]): void {
    this.db.prepare('UPDATE power_cuts SET folded = ? WHERE id = ?').run(JSON.stringify(items), id);
  }

  /** The outage in progress (on battery or handed over, not ended). */
  open(): Outage | undefined {
    const r = this.db
      .prepare("SELECT * FROM power_cuts WHERE ended_at IS NULL AND state IN ('on-battery', 'handed-over') ORDER BY id DESC LIMIT 1")
      .get() as Row | undefined;
    return r ? toOutage(r) : undefined;
  }
}

function toOutage(r: Row): Outage {
  return {
    id: r.id,
    startedAt: r.started_at,
    state: r.state,
    ...(r.ended_at !== null ? { endedAt: r.ended_at } : {}),
    ...(r.lowest_charge !== null ? { lowestCharge: r.lowest_charge } : {}),
    ...(r.lowest_runtime !== null ? { lowestRuntimeSeconds: r.lowest_runtime } : {}),
    ...(r.handed_over_at !== null ? { handedOverAt: r.handed_over_at } : {}),
    ...(r.summary ? { summary: JSON.parse(r.summary) as HandoverSummary } : {}),
    ...(r.wake_sent_at !== null ? { wakeSentAt: r.wake_sent_at } : {}),
  };
}
