/**
 * The set-up of the UPS alert journeys through Telegram: a fake upsd polled every 0.2 s, the fake
 * Bot API and the whole bot on the system clock, all closed when the test ends.
 */
import type { TestContext } from 'node:test';
import { systemClock } from '../../src/core/clock.ts';
import { startFakeUpsd } from '../../src/demo/nut.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-api.ts';
import { startTestApp, type TestApp } from './app-harness.ts';

/** The bot's token in these journeys (never a real one). */
const UPS_TELEGRAM_TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

/**
 * Starts upsd, the fake Bot API and the bot with `ownerId` as Telegram owner; `sections` gives the
 * rest of the config (alerts, permissions) and may first shape the fake (forum topics). Resolves
 * once the bot polls.
 */
export async function startUpsOnTelegram(t: TestContext, ownerId: number, sections: (tg: FakeTelegram) => Record<string, unknown>) {
  const ups = await startFakeUpsd();
  const tg = await startFakeTelegram({ token: UPS_TELEGRAM_TOKEN, maxHoldMs: 300 });
  const app: { h?: TestApp } = {};
  t.after(async () => {
    await app.h?.close();
    await tg.close();
    await ups.close();
  });
  const h = (app.h = await startTestApp(
    {
      telegram: { token: UPS_TELEGRAM_TOKEN, apiRoot: tg.apiRoot, ownerIds: [ownerId] },
      nut: { host: ups.host, port: ups.port, ups: 'ups', pollSeconds: 0.2 },
      ...sections(tg),
    },
    { clock: systemClock },
  ));
  await tg.waitForPoll();
  return { ups, tg, h };
}
