/**
 * 2. Alert latency: the UPS changes state in a NUT server (real upsd + dummy-ups when
 * installed, else the protocol fake) → the alert message arrives at the fake Telegram chat.
 * 20 flips OL → OB → OL …, default poll interval, one chat bound. A fresh bot (new database)
 * every 4 flips: flap damping (3 raises an hour) would otherwise — rightly — hold the alert.
 */
import { performance } from 'node:perf_hooks';
import { startFakeTelegram, type FakeTelegram, type RecordedCall } from '../test/fakes/telegram-api.ts';
import { MAX_HOLD_MS } from './command.ts';
import { BENCH_TOKEN, startBenchApp } from './lib/app.ts';
import { startNutProbe } from './lib/nut-probe.ts';
import { burstStarts, nutCountingProxy } from './lib/proxy.ts';
import { elapse, summarize, within, type LatencySummary } from './lib/stats.ts';
import { OB, OL, startUps, type UpsKind } from './lib/ups.ts';

const FLIPS = 20;
const FLIPS_PER_BOT = 4;
const CHAT = 9100;
export interface AlertResult extends LatencySummary {
  readonly server: UpsKind;
  readonly pollSeconds: number;
  /** From writing the new state (dummy-ups .dev file / fake) rather than from upsd reporting it. */
  readonly fromWrite: LatencySummary;
  readonly flips: number;
  readonly lost: number;
}

/** The next bot message in CHAT after `since` (event-driven, bounded). */
function nextMessage(fake: FakeTelegram, since: number, timeoutMs: number): Promise<number> {
  return within(
    new Promise<number>((resolve) => {
      const off = fake.onCall((c: RecordedCall) => {
        if (c.seq >= since && c.status === 200 && /^send(message|photo)$/i.test(c.method) && Number(c.params.chat_id) === CHAT) {
          off();
          resolve(performance.now());
        }
      });
    }),
    timeoutMs,
    'alert message',
  );
}

/** Runs the alert-latency benchmark; a reason string when it cannot run yet. */
export async function benchAlert(log: (s: string) => void): Promise<AlertResult | string> {
  const ups = await startUps();
  const proxy = await nutCountingProxy(ups.host, ups.port);
  const probe = await startNutProbe(ups.host, ups.port, ups.ups);
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 500, rateLimit: true });
  const fromChange: number[] = [];
  const fromWrite: number[] = [];
  let lost = 0;
  let pollSeconds = 0;
  let state: 'OL' | 'OB' = 'OL';
  try {
    for (let group = 0; group < FLIPS / FLIPS_PER_BOT; group++) {
      const started = performance.now();
      const bench = await startBenchApp({
        nut: { host: '127.0.0.1', port: proxy.port, ups: ups.ups },
        alerts: { bindings: [{ chat: `telegram:${CHAT}` }] },
        telegram: { token: BENCH_TOKEN, apiRoot: fake.apiRoot },
      });
      try {
        pollSeconds = bench.config.nut?.pollSeconds ?? 0;
        if (!bench.app.modules.some((m) => m.alertFeeds?.some((f) => f.backend === 'nut'))) {
          return 'no NUT alert feed in the app yet (src/wiring/ups.ts)';
        }
        // Two polls seen: the first evaluation (on mains, nothing to say) is done.
        for (let i = 0; i < 100 && burstStarts(proxy.hits, started, performance.now(), 200).length < 2; i++) await elapse(100);
        for (let f = 0; f < FLIPS_PER_BOT; f++) {
          // A random phase against the poll timer, so latencies sample the whole interval.
          await elapse(Math.random() * pollSeconds * 1000);
          const from = state === 'OL' ? 'OL' : OB['ups.status'];
          state = state === 'OL' ? 'OB' : 'OL';
          const mark = fake.mark();
          const arrived = nextMessage(fake, mark, 15_000);
          const written = performance.now();
          ups.set(state === 'OB' ? OB : OL);
          try {
            const changed = await probe.waitForChange(from, 10_000);
            const at = await arrived;
            fromChange.push(at - changed.at);
            fromWrite.push(at - written);
          } catch (e) {
            lost++;
            log(`  flip ${group * FLIPS_PER_BOT + f + 1} (${from} → ${state}): ${(e as Error).message}`);
            if (lost >= 3 && fromChange.length === 0)
              return `no alert message arrived for ${lost} flips (alert engine not wired into the app?)`;
          }
        }
      } finally {
        await bench.close();
      }
      // Each group starts on mains; the engine of the next bot must see OL first.
      if (state === 'OB') {
        ups.set(OL);
        await probe.waitForChange(OB['ups.status'], 10_000).catch(() => undefined);
        state = 'OL';
      }
    }
  } finally {
    probe.close();
    await fake.close();
    await proxy.close();
    await ups.close();
  }
  const s = summarize(fromChange);
  log(`  ${ups.kind}: p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms over ${s.n} flips (poll ${pollSeconds} s)${lost ? `, ${lost} lost` : ''}`);
  return { ...s, server: ups.kind, pollSeconds, fromWrite: summarize(fromWrite), flips: FLIPS, lost };
}
