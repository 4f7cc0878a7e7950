/**
 * 7. Recovery after outage: the production bundle runs against the fake Bot API behind a
 * cutting proxy (every open socket destroyed, every new connection reset: a WAN that is gone,
 * not a Bot API answering 502). During the outage the UPS (real upsd + dummy-ups when
 * installed) goes on battery, then low, then back on mains (the WAN comes back last), so four
 * alert events queue up, and the owner sends /status. When the line returns: (a) time until
 * the command is answered, (b) time until every queued alert is delivered (the last alert-chat
 * message before /healthz reports an empty outbox). Each outage length runs in its own bot
 * process, all concurrently, so the 10-minute outage costs 10 minutes of wall time in all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram, type FakeTelegram } from '../test/fakes/telegram-api.ts';
import { freePort } from '../test/support/child.ts';
import { startCutProxy } from '../test/support/cut-proxy.ts';
import { MAX_HOLD_MS } from './command.ts';
import { BENCH_TOKEN } from './lib/app.ts';
import { buildBundles } from './lib/bundle.ts';
import { spawnTsx } from './lib/child.ts';
import { elapse, round } from './lib/stats.ts';
import { OB, OB_LB, OL, startUps, type UpsKind } from './lib/ups.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** Outage lengths measured by default (issue 12: 60 s and 10 min). */
export const DEFAULT_OUTAGES_S = [60, 600] as const;
/** The owner who sends a command during the outage, and the chat the alerts are bound to. */
const OWNER = 9301;
const ALERT_CHAT = 9302;
/** How long after the line returns a figure may take before it counts as never (ms). */
const GIVE_UP_MS = 120_000;
/** /healthz sampling interval while waiting for the outbox to empty (the figure's resolution). */
const HEALTH_EVERY_MS = 50;

/** One outage length. */
export interface OutageRun {
  readonly outageS: number;
  /** Line back → the answer to the command sent during the outage reached the Bot API (ms). */
  readonly commandAnsweredMs: number | null;
  /** Line back → the last queued alert message reached the Bot API, with the outbox empty (ms). */
  readonly alertsDeliveredMs: number | null;
  /** Outbox rows pending (per /healthz) just before the line returned. */
  readonly queuedAtReturn: number;
  /** /healthz's Telegram state just before the line returned (should say it is down). */
  readonly telegramStateAtReturn: string | null;
  /** Messages the alert chat got after the line returned, and whether one was the offline summary. */
  readonly alertMessages: number;
  readonly offlineSummary: boolean;
  /** What those messages said (HTML as sent, each cut to 400 characters). */
  readonly alertTexts: readonly string[];
  /** Connections the bot opened while the line was cut (each reset at once): its retry rate. */
  readonly attemptsDuringOutage: number;
  readonly error?: string;
}

/** The recovery section's figures. */
export interface RecoveryResult {
  readonly server: UpsKind;
  readonly runs: readonly OutageRun[];
  /** Worst of both figures over every outage length (null when one is missing). */
  readonly worstMs: number | null;
}

interface Health {
  readonly outbox: { readonly pending: number };
  readonly adapters: Readonly<Record<string, { readonly state: string }>>;
}

async function healthz(port: number): Promise<Health | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    return (await res.json()) as Health;
  } catch {
    return undefined;
  }
}

/** Bot API send calls accepted for `chat` since `mark`. */
const sendsTo = (fake: FakeTelegram, chat: number, mark: number) =>
  fake.calls.filter(
    (c) => c.seq >= mark && c.status === 200 && /^send(message|photo)$/i.test(c.method) && Number(c.params.chat_id) === chat,
  );

/** Sends /status until the answer shows the UPS on mains: polling works and the engine has seen the first state. */
async function settled(fake: FakeTelegram): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const mark = fake.mark();
    fake.sendText(OWNER, OWNER, '/status');
    const c = await fake.waitForCall('sendMessage', (x) => x.status === 200 && Number(x.params.chat_id) === OWNER, 15_000, mark);
    if (/mains/i.test(String(c.params.text ?? ''))) return;
    await elapse(1000);
  }
  throw new Error('/status never showed the UPS on mains');
}

/** One outage of `outageS` seconds against its own bot process, fake, line and UPS. */
async function measureOutage(outageS: number, bot: string, log: (s: string) => void): Promise<OutageRun & { server: UpsKind }> {
  const ups = await startUps(OL);
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 5000 });
  const line = await startCutProxy(fake.apiRoot);
  const healthPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bench-recovery-'));
  const config = {
    database: join(dir, 'bot.db'),
    log: { level: 'warn', pretty: false },
    health: { host: '127.0.0.1', port: healthPort },
    telegram: { token: BENCH_TOKEN, apiRoot: line.url, ownerIds: [OWNER] },
    nut: { host: ups.host, port: ups.port, ups: ups.ups },
    alerts: { bindings: [{ chat: `telegram:${ALERT_CHAT}` }] },
  };
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config, null, 2));
  const child = spawnTsx(bot, ['--config', join(dir, 'config.yaml')], ROOT, { inspect: false });
  const empty = { outageS, commandAnsweredMs: null, alertsDeliveredMs: null, queuedAtReturn: 0, telegramStateAtReturn: null };
  const base = { ...empty, alertMessages: 0, offlineSummary: false, alertTexts: [], attemptsDuringOutage: 0, server: ups.kind };
  try {
    await fake
      .waitForCall('getUpdates', () => true, 30_000)
      .catch(() => {
        throw new Error(`the bot did not poll: ${child.output().slice(-400)}`);
      });
    await settled(fake);

    const cutAt = performance.now();
    const refusedBefore = line.refused;
    line.setMode('cut');
    // The power goes early in the outage, the battery runs low, the owner asks, the power
    // returns; all of it waits for the line.
    const phase = Math.min(5000, (outageS * 1000) / 6);
    const steps: (Record<string, string> | 'ask')[] = [OB, OB_LB, 'ask', OL];
    for (const [i, step] of steps.entries()) {
      await elapse(Math.max(0, cutAt + (i + 1) * phase - performance.now()));
      if (step === 'ask') fake.sendText(OWNER, OWNER, '/status');
      else ups.set(step);
    }
    await elapse(Math.max(0, cutAt + outageS * 1000 - performance.now()));
    const before = await healthz(healthPort);
    const attemptsDuringOutage = line.refused - refusedBefore;

    const mark = fake.mark();
    line.setMode('pass');
    const backAt = performance.now();
    const answered = fake
      .waitForCall('sendMessage', (c) => c.status === 200 && Number(c.params.chat_id) === OWNER, GIVE_UP_MS, mark)
      .then((c) => round(c.at - backAt, 0))
      .catch(() => null);
    // The outbox is empty once /healthz says so; the figure is the last alert message before that.
    let alertsDeliveredMs: number | null = null;
    for (let waited = 0; waited < GIVE_UP_MS; waited += HEALTH_EVERY_MS) {
      const sent = sendsTo(fake, ALERT_CHAT, mark);
      const h = sent.length > 0 ? await healthz(healthPort) : undefined;
      if (h && h.outbox.pending === 0) {
        alertsDeliveredMs = round(sent.at(-1)!.at - backAt, 0);
        break;
      }
      await elapse(HEALTH_EVERY_MS);
    }
    const alerts = sendsTo(fake, ALERT_CHAT, mark);
    const texts = alerts.map((c) => String(c.params.text ?? c.params.caption ?? ''));
    const run: OutageRun & { server: UpsKind } = {
      ...base,
      commandAnsweredMs: await answered,
      alertsDeliveredMs,
      queuedAtReturn: before?.outbox.pending ?? 0,
      telegramStateAtReturn: before?.adapters.telegram?.state ?? null,
      alertMessages: alerts.length,
      offlineSummary: texts.some((t) => /offline/i.test(t)),
      alertTexts: texts.map((t) => t.slice(0, 400)),
      attemptsDuringOutage,
      ...((before?.outbox.pending ?? 0) === 0 ? { error: 'no alert was queued during the outage' } : {}),
    };
    log(
      `  ${outageS} s outage: command answered ${run.commandAnsweredMs ?? 'never'} ms, alerts delivered ${run.alertsDeliveredMs ?? 'never'} ms after the line returned (${run.queuedAtReturn} queued, ${run.alertMessages} message(s)${run.offlineSummary ? ', offline summary' : ''}; ${attemptsDuringOutage} connections tried during the outage)`,
    );
    return run;
  } catch (e) {
    log(`  ${outageS} s outage failed: ${(e as Error).message}`);
    return { ...base, error: (e as Error).message.split('\n')[0]! };
  } finally {
    await child.stop();
    await line.close();
    await fake.close();
    await ups.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every outage length concurrently (one bot process each). */
export async function benchRecovery(log: (s: string) => void, outagesS: readonly number[] = DEFAULT_OUTAGES_S): Promise<RecoveryResult> {
  const { bot } = buildBundles(ROOT);
  log(`  outages of ${outagesS.join(', ')} s, concurrently`);
  const runs = await Promise.all(outagesS.map((s) => measureOutage(s, bot, log)));
  const figures = runs.flatMap((r) => [r.commandAnsweredMs, r.alertsDeliveredMs]);
  return {
    server: runs[0]!.server,
    runs: runs.map(({ server: _, ...r }) => r),
    worstMs: figures.some((f) => f === null) ? null : Math.max(...(figures as number[])),
  };
}
