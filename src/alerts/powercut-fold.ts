/**
 * Folding into the power cut: backends and guests that go away while the power is out are held
 * with cause "power cut" (holds.ts) instead of raised one by one. This tells the chats about
 * them in the power cut's own thread — one message ("Also down because of the power cut: nas
 * (VM 100), Pi-hole") that later ones edit as more go away, so a burst of backends going down is
 * one message, not one each — and gives the restore report a line for each: back, or still down.
 */
import type { FoldedItem, PowerCutStore } from './powercut-journal.ts';
import { recheckAction, startAction, type RestoreLine } from './restore.ts';
import type { AlertService } from './service.ts';
import type { AlertView } from './types.ts';

/** The power-cut thread's "also down" message, as stored in the outbox. */
export interface PowerCutFolded {
  readonly items: readonly FoldedItem[];
}

/** The outbox thread of an outage's "also down" message (beside the power cut's own `powercut@<start>`). */
export const foldThread = (startedAt: number): string => `powercut@${startedAt}/folded`;

const itemOf = (a: AlertView): FoldedItem => {
  if (typeof a.params.guest === 'string')
    return { key: a.key, guest: a.params.guest, ...(typeof a.params.vmid === 'number' ? { vmid: a.params.vmid } : {}) };
  if (typeof a.params.backend === 'string') return { key: a.key, backend: a.params.backend };
  return { key: a.key, backend: a.origin };
};

/** Watches what the power cut holds and keeps the thread's message and the journal up to date. */
export class PowerCutFold {
  constructor(
    private readonly service: Pick<AlertService, 'held' | 'notify' | 'store'>,
    private readonly journal: PowerCutStore,
  ) {}

  /** After each evaluation: anything newly held by the power cut joins the outage's list and its message. */
  check(): void {
    const outage = this.journal.open() ?? this.journal.owed();
    if (!outage) return;
    const known = this.journal.folded(outage.id);
    const seen = new Set(known.map((i) => i.key));
    const fresh = this.service
      .held()
      .filter((a) => a.heldBy?.kind === 'powercut' && !seen.has(a.key))
      .map(itemOf);
    if (fresh.length === 0) return;
    const items = [...known, ...fresh];
    this.journal.fold(outage.id, items);
    const thread = foldThread(outage.startedAt);
    // The first one is a new message; the rest edit it (pending edits are superseded, so a burst is one).
    this.service.notify(
      { kind: 'powercut-folded', folded: { items } },
      { source: 'ups', severity: 'critical', id: `${thread}:${items.length}`, thread, edit: known.length > 0 },
    );
  }

  /**
   * For the restore report: each item folded into outage `id`, back (green) or still down (red);
   * a guest still down carries its Start button, a backend its Check again (built per chat role when rendered).
   */
  restoreLines(id: number): RestoreLine[] {
    return this.journal.folded(id).map((i): RestoreLine => {
      const r = this.service.store.record(i.key);
      const down = r !== undefined && (r.state === 'pending' || (r.state === 'raised' && r.absentSince === undefined));
      // `backend` is named in each chat's language by the renderer; a guest's form is the same in every one.
      const params: RestoreLine['params'] =
        i.guest !== undefined
          ? { what: i.guest, guest: i.guest, ...(i.vmid !== undefined ? { vmid: i.vmid } : {}) }
          : { what: i.backend ?? i.key, backend: i.backend ?? i.key };
      if (!down) return { light: 'green', key: 'alerts.restore.foldedBack', params };
      return {
        light: 'red',
        key: 'alerts.restore.foldedDown',
        params,
        ...(i.vmid !== undefined
          ? { action: startAction(i.vmid) }
          : i.guest === undefined
            ? { action: recheckAction(i.backend ?? i.key) }
            : {}),
      };
    });
  }
}
