/**
 * The whole bot with the fake Proxmox and the fake upsd on one ManualClock, a real power-cut
 * plan (handed to Proxmox: startup orders, then the node shutdown) and its restore. Polls only
 * on demand, so each test decides when the bot looks; outbox payloads are rendered as the chat
 * would see them.
 */
import type { TestContext } from 'node:test';
import type { ManualClock } from '../../src/core/clock.ts';
import { startFakeUpsd, type FakeUpsd } from '../../src/demo/nut.ts';
import type { ProxmoxFake } from '../../src/demo/proxmox.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import type { Language } from '../../src/core/i18n.ts';
import type { OutboxPayload } from '../../src/alerts/payload.ts';
import { createAlertRenderer } from '../../src/handlers/alerts/render.ts';
import { startTestApp, type TestApp } from './app-harness.ts';
import { clockedProxmox, guestAlertConfig } from './guest-alerts.ts';
import { waitFor } from './real-server.ts';

/** A lab on battery or on mains, and the bot watching it. */
export interface PowerCutLab {
  readonly clock: ManualClock;
  readonly pve: ProxmoxFake;
  readonly ups: FakeUpsd;
  h: TestApp;
  readonly config: Record<string, unknown>;
  readonly dir?: string;
  /** Every alert feed polls once (UPS and Proxmox), then the power-cut run in flight (if any) settles. */
  poll(advanceMs?: number): Promise<void>;
  /** The outbox rows of one chat, rendered in `lang` with every button labelled. */
  rendered(
    destination?: string,
    lang?: Language,
  ): { id: number; thread: string | null; edit: boolean; kind: string; text: string; message: OutMessage }[];
}

/** Starts the lab: docker (CT 101) then nas (VM 100) then the node, the bot outside the node. */
export async function clockedPowerCut(
  t: TestContext,
  o: {
    bindings?: readonly Record<string, unknown>[];
    powerCut?: Record<string, unknown>;
    dir?: string;
    /** Further top-level config (a Telegram fake, chat permissions). */
    extra?: Record<string, unknown>;
  } = {},
): Promise<PowerCutLab> {
  const { clock, pve } = await clockedProxmox();
  const ups = await startFakeUpsd();
  const base = guestAlertConfig(pve);
  const config = {
    ...base,
    ...o.extra,
    nut: { host: ups.host, port: ups.port, ups: 'ups', pollSeconds: 3600 },
    alerts: {
      ...(base.alerts as Record<string, unknown>),
      ...(o.bindings ? { bindings: o.bindings } : {}),
      powerCut: {
        enabled: true,
        dryRun: false,
        onBatteryMinutes: 1,
        shutdownOrder: [101, 100],
        shutdownNode: true,
        runsOn: 'outside',
        restore: { onMainsMinutes: 1, guestTimeoutSeconds: 60 },
        ...o.powerCut,
      },
    },
  };
  const lab: PowerCutLab = {
    clock,
    pve,
    ups,
    h: await startTestApp(config, { clock, ...(o.dir ? { dir: o.dir } : {}) }),
    config,
    ...(o.dir ? { dir: o.dir } : {}),
    async poll(advanceMs = 2 * 60_000) {
      clock.advance(advanceMs);
      await Promise.all(lab.h.app.modules.flatMap((m) => m.alertFeeds ?? []).map((f) => f.poller.refresh()));
    },
    rendered(destination = 'console:main', lang = 'en') {
      const render = createAlertRenderer({
        messages: lab.h.app.messages,
        languageOf: () => lang,
        actions: { ack: () => 'tk', snooze1h: () => 'tk', snooze1d: () => 'tk', obvious: () => 'tk' },
        timezone: 'UTC',
        now: () => clock.now(),
      });
      const rows = lab.h.app.db
        .prepare('SELECT id, thread, edit, payload FROM alert_outbox WHERE destination = ? ORDER BY id')
        .all(destination) as { id: number; thread: string | null; edit: number; payload: string }[];
      return rows.map((r) => {
        const payload = JSON.parse(r.payload) as OutboxPayload;
        const message = render(payload, destination) as OutMessage;
        const kind = payload.type === 'notice' ? payload.notice.kind : payload.type;
        return { id: r.id, thread: r.thread, edit: r.edit === 1, kind, text: toPlainText(message), message };
      });
    },
  };
  t.after(async () => {
    await lab.h.close();
    await pve.close();
    await ups.close();
  });
  return lab;
}

/** On battery long enough: the plan is handed to Proxmox, which powers the node off. */
export async function cutPower(lab: PowerCutLab): Promise<void> {
  lab.ups.set('ups', { 'ups.status': 'OB DISCHRG', 'battery.charge': '80', 'battery.runtime': '2400', 'input.voltage': '0' });
  await lab.poll();
  await lab.poll();
  await waitFor(() => lab.pve.off, { what: 'the node powered off by the handed-over plan', timeoutMs: 10_000 });
}

/** On battery long enough with a plan that leaves the node up: the guests stop and are folded into the power cut. */
export async function cutPowerGuestsOnly(lab: PowerCutLab): Promise<void> {
  await lab.poll();
  lab.ups.set('ups', { 'ups.status': 'OB DISCHRG', 'battery.charge': '80', 'battery.runtime': '2400', 'input.voltage': '0' });
  await lab.poll();
  await lab.poll();
  await waitFor(() => lab.pve.guest(100)?.status === 'stopped' && lab.pve.guest(101)?.status === 'stopped', {
    what: 'the plan stopped the guests',
  });
  await lab.poll();
  await lab.poll();
}

/** Mains returns and the node boots: after the restore delay, the restore report is queued. */
export async function powerBack(lab: PowerCutLab): Promise<void> {
  lab.ups.set('ups', { 'ups.status': 'OL CHRG', 'battery.charge': '60', 'battery.runtime': '1800', 'input.voltage': '230.1' });
  lab.pve.powerOn();
  await lab.poll();
  await lab.poll();
  await waitFor(() => lab.rendered().some((r) => r.kind === 'restore'), { what: 'the restore report', timeoutMs: 10_000 });
}
