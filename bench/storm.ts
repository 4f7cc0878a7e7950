/**
 * 4. Alert storm: 500 condition changes in 10 s across 5 sources, driven through the real
 * alert engine, outbox and Telegram adapter (a bench-only FeatureModule whose pollers feed
 * the engine like any service's), with the fake enforcing Telegram's flood limits. Counts
 * messages, time to drain, changes missing from what the chats received, and 429s.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AlertSource, Condition } from '../src/alerts/condition.ts';
import { systemClock } from '../src/core/clock.ts';
import type { MessageKey } from '../src/core/i18n.ts';
import { silentLogger } from '../src/core/logger.ts';
import { Poller } from '../src/services/poller.ts';
import type { FeatureModule } from '../src/wiring/module.ts';
import { startFakeTelegram, type RecordedCall } from '../test/fakes/telegram-api.ts';
import { MAX_HOLD_MS } from './command.ts';
import { BENCH_TOKEN, startBenchApp } from './lib/app.ts';
import { elapse, round } from './lib/stats.ts';

const SOURCES: readonly AlertSource[] = ['raid', 'backup', 'disk', 'storage', 'guest'];
const STEPS = 100;
const STEP_MS = 100;
/** A private chat (≈1 message/s) and a group (20 messages/min). */
const CHATS = [9200, -9201];
const DRAIN_TIMEOUT_MS = 240_000;

export interface StormResult {
  readonly changes: number;
  /** How long generating the changes took (10 s nominal). */
  readonly stormMs: number;
  readonly events: number;
  readonly chats: number;
  /** New messages plus edits the fake accepted for the bound chats. */
  readonly messages: number;
  readonly edits: number;
  /** From the first change until every outbox row was delivered (null: not drained in time). */
  readonly drainMs: number | null;
  /** Last message per chat after the first change, ms (the group's 20/min limit dominates). */
  readonly drainByChatMs: Record<string, number | null>;
  readonly messagesByChat: Record<string, number>;
  /** (change, chat) pairs whose text never reached the chat. */
  readonly lost: number;
  readonly http429: number;
  /** 429s that ended in an undelivered row or an error log instead of a retry. */
  readonly unhandled429: number;
  readonly outbox: Record<string, number>;
}

/** Message keys of the backend-unreachable alert: a free-text param makes each change identifiable. */
const KEYS = { summary: 'alerts.backend.unreachable', resolved: 'alerts.backend.unreachable.resolved' } as const;

/** Text that identifies one condition in a rendered alert (the param is unique per change). */
const label = (src: string, i: number): string => `${src}/${i}/`;

/** The bench module: 5 sources whose active keys the bench sets, polled every 50 ms. */
function stormModule(active: Map<AlertSource, Set<number>>, keys: { summary: MessageKey; resolved: MessageKey }): FeatureModule {
  const log = silentLogger();
  const feeds = SOURCES.map((src) => {
    const poller = new Poller<number[]>(
      `storm-${src}`,
      async () => ({ ok: true, value: [...(active.get(src) ?? [])] }),
      50,
      systemClock,
      log,
    );
    const rules = (value: number[]): Condition[] =>
      value.map((i) => ({
        key: `storm:${src}:${i}`,
        source: src,
        severity: 'warning',
        summaryKey: keys.summary,
        resolvedKey: keys.resolved,
        params: { backend: label(src, i) },
        holdMs: 0,
        resolveHoldMs: 0,
      }));
    return { backend: `storm-${src}`, labelKey: 'alerts.label', poller, rules };
  });
  return {
    name: 'bench-storm',
    commands: [],
    alertFeeds: feeds,
    start: () => feeds.forEach((f) => f.poller.start()),
    stop: async () => void (await Promise.all(feeds.map((f) => f.poller.stop()))),
  };
}

/** Runs the storm; a reason string when the alert engine is not wired into the app. */
export async function benchStorm(log: (s: string) => void): Promise<StormResult | string> {
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 1000, rateLimit: true });
  const active = new Map<AlertSource, Set<number>>(SOURCES.map((s) => [s, new Set<number>()]));
  const texts = new Map<number, string[]>(CHATS.map((c) => [c, []]));
  const lastAt = new Map<number, number>();
  let messages = 0;
  let edits = 0;
  const off = fake.onCall((c: RecordedCall) => {
    const chat = Number(c.params.chat_id);
    if (c.status !== 200 || !texts.has(chat)) return;
    if (/^send(message|photo)$/i.test(c.method)) messages++;
    else if (/^edit/i.test(c.method)) edits++;
    else return;
    lastAt.set(chat, c.doneAt);
    texts.get(chat)!.push(String(c.params.text ?? c.params.caption ?? ''));
  });
  try {
    const bench = await startBenchApp(
      { alerts: { bindings: CHATS.map((id) => ({ chat: `telegram:${id}` })) }, telegram: { token: BENCH_TOKEN, apiRoot: fake.apiRoot } },
      { extraModules: [stormModule(active, KEYS)] },
    );
    const db = new Database(join(bench.dir, 'bot.db'), { readonly: true, fileMustExist: true });
    try {
      const hasOutbox = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_outbox'").get() !== undefined;
      if (!hasOutbox) return 'the alert outbox is not in the app yet (no alert_outbox table)';
      await fake.waitForPoll(10_000);
      const t0 = performance.now();
      let changes = 0;
      for (let step = 0; step < STEPS; step++) {
        for (const src of SOURCES) {
          // First half: a new key appears per source and step; second half: they go away in order.
          if (step < STEPS / 2) active.get(src)!.add(step);
          else active.get(src)!.delete(step - STEPS / 2);
          changes++;
        }
        await elapse(STEP_MS);
      }
      const stormMs = round(performance.now() - t0, 0);
      const counts = (): Record<string, number> =>
        Object.fromEntries(
          (db.prepare('SELECT status, COUNT(*) AS n FROM alert_outbox GROUP BY status').all() as { status: string; n: number }[]).map(
            (r) => [r.status, r.n],
          ),
        );
      let drainMs: number | null = null;
      // Let the last polls run, then wait (bounded) until nothing is left to deliver.
      await elapse(500);
      for (let waited = 0; waited < DRAIN_TIMEOUT_MS; waited += 250) {
        const c = counts();
        if ((c.pending ?? 0) === 0 && (c.held ?? 0) === 0) {
          drainMs = round(performance.now() - t0, 0);
          break;
        }
        await elapse(250);
      }
      const outbox = counts();
      if (Object.keys(outbox).length === 0) return 'no alert events: the alert feeds are not subscribed to the engine in the app yet';
      const events = db
        .prepare("SELECT COUNT(*) FROM alert_outbox WHERE destination = ? AND dedup_key NOT LIKE 'summary:%'")
        .pluck()
        .get(`telegram:${CHATS[0]}`) as number;
      // Every raise and every resolve must have reached every chat, alone or inside a grouped message.
      const t = bench.app.messages.forLanguage('en');
      let lost = 0;
      for (const chat of CHATS) {
        const all = texts.get(chat)!.join('\n');
        for (const src of SOURCES) {
          for (let i = 0; i < STEPS / 2; i++) {
            for (const key of [KEYS.summary, KEYS.resolved]) if (!all.includes(t(key, { backend: label(src, i) }))) lost++;
          }
        }
      }
      const stats = fake.stats();
      const http429 = stats.byStatus[429] ?? 0;
      const undelivered429 = db
        .prepare(
          "SELECT COUNT(*) FROM alert_outbox WHERE status IN ('dead', 'pending') AND (last_error LIKE '%429%' OR last_error LIKE '%Too Many%')",
        )
        .pluck()
        .get() as number;
      const logged429 = bench.logs.filter((l) => Number(l.level) >= 50 && /429|Too Many/.test(JSON.stringify(l))).length;
      log(`  ${changes} changes → ${messages} messages + ${edits} edits, drained in ${drainMs ?? 'n/a'} ms, lost ${lost}, 429s ${http429}`);
      const drainByChatMs = Object.fromEntries(
        CHATS.map((c) => [c < 0 ? `group ${c}` : `private ${c}`, lastAt.has(c) ? round(lastAt.get(c)! - t0, 0) : null]),
      );
      const messagesByChat = Object.fromEntries(CHATS.map((c) => [c < 0 ? `group ${c}` : `private ${c}`, texts.get(c)!.length]));
      return {
        drainByChatMs,
        messagesByChat,
        changes,
        stormMs,
        events,
        chats: CHATS.length,
        messages,
        edits,
        drainMs,
        lost,
        http429,
        unhandled429: undelivered429 + logged429,
        outbox,
      };
    } finally {
      db.close();
      await bench.close();
    }
  } finally {
    off();
    await fake.close();
  }
}
