/**
 * Starts the whole bot in-process (real composition root, real pipeline, real SQLite file)
 * and talks to it through the pipeline as any identity, recording every reply.
 * Backends are whatever the config points at (fakes from src/demo or real servers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startApp, type App } from '../../src/app.ts';
import { ManualClock, type Clock } from '../../src/core/clock.ts';
import { validateConfig } from '../../src/core/config.ts';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { typedInput, type Input, type ReplySink } from '../../src/handlers/pipeline.ts';
import type { ChatRef } from '../../src/permissions/access.ts';
import type { Role } from '../../src/permissions/roles.ts';
import type { FeatureModule, HouseholdSeed } from '../../src/wiring/module.ts';
import { startDemoHomelab } from '../../src/demo/index.ts';
import { AREAS, demoBackendsOf } from '../../src/wiring/areas.ts';
import { demoHousehold } from '../../src/demo/household.ts';

export interface Reply {
  readonly message: OutMessage;
  readonly text: string;
  /** Later edits of this message, in order. */
  readonly edits: OutMessage[];
}

export interface Conversation {
  readonly replies: Reply[];
  /** Replies plus origin updates, as plain text. */
  readonly texts: string[];
  readonly originUpdates: OutMessage[];
}

export interface TestApp {
  readonly app: App;
  readonly dir: string;
  readonly clock: Clock;
  /** Sends a line (`/cmd args` or plain text) as `identity` in `chat` (default: that identity's private chat). */
  say(identity: string, line: string, chat?: ChatRef): Promise<Conversation>;
  /** Presses a button token as `identity`. */
  press(identity: string, token: string, chat?: ChatRef): Promise<Conversation>;
  /** Sends an arbitrary input (`languageCode`: the platform's language of the sender, e.g. `es`). */
  send(identity: string, input: Input, chat?: ChatRef, languageCode?: string): Promise<Conversation>;
  /** Creates a person with a role (bypassing invites) and returns their identity. */
  person(role: Role, identity?: string): string;
  close(): Promise<void>;
}

export const OWNER = 'telegram:1000';

/** Finds the token of the first button whose label matches. */
export function buttonToken(m: OutMessage | undefined, label: RegExp): string {
  const a = m?.actions?.flat().find((x) => label.test(x.label));
  if (!a) throw new Error(`no button matching ${label} in ${JSON.stringify(m?.actions?.flat().map((x) => x.label))}`);
  return a.token;
}

/** Starts an app with an extra config (merged over a minimal one) on a temp database. */
export async function startTestApp(
  extra: Record<string, unknown> = {},
  opts: {
    clock?: Clock;
    log?: Logger;
    dir?: string;
    extraModules?: FeatureModule[];
    simulate?: (scenario: string) => boolean;
    household?: HouseholdSeed;
    /** Warm up after start (the program does; off by default so tests stay cold). */
    warmUp?: boolean;
  } = {},
): Promise<TestApp> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'homelab-test-'));
  const parsed = validateConfig({
    database: join(dir, 'bot.db'),
    health: { port: 0 },
    permissions: { owners: [OWNER] },
    ...extra,
  });
  if (!parsed.ok) throw new Error(`test config invalid: ${JSON.stringify(parsed.problems)}`);
  const clock = opts.clock ?? new ManualClock(Date.now());
  const app = await startApp({
    config: { ...parsed.config, health: { ...parsed.config.health, host: '127.0.0.1', port: 0 } },
    log: opts.log ?? silentLogger(),
    clock,
    // Timers (menu retries) fire when the test moves the clock, never on their own.
    ...(clock instanceof ManualClock ? { scheduler: clock } : {}),
    strictMessages: true,
    ...(opts.extraModules ? { extraModules: opts.extraModules } : {}),
    ...(opts.simulate ? { simulate: opts.simulate } : {}),
    ...(opts.household ? { household: opts.household } : {}),
    ...(opts.warmUp ? { warmUp: true } : {}),
    console: { input: new PassThrough(), output: new PassThrough() },
  });
  let n = 0;
  const send = async (identity: string, input: Input, chat?: ChatRef, languageCode?: string): Promise<Conversation> => {
    const conv: Conversation = { replies: [], texts: [], originUpdates: [] };
    const sink: ReplySink = {
      send: async (message) => {
        const reply: Reply = { message, text: toPlainText(message), edits: [] };
        conv.replies.push(reply);
        conv.texts.push(reply.text);
        return { edit: async (m) => void reply.edits.push(m) };
      },
      updateOrigin: async (m) => {
        conv.originUpdates.push(m);
      },
    };
    const id = identity.split(':')[1] ?? identity;
    await app.pipeline.handle(
      {
        chat: chat ?? { platform: identity.split(':')[0] as ChatRef['platform'], id, kind: 'private' },
        user: { identity, displayName: `user ${id}`, ...(languageCode ? { languageCode } : {}) },
        input,
      },
      sink,
    );
    return conv;
  };
  return {
    app,
    dir,
    clock,
    send,
    say: (identity, line, chat) => {
      // The adapters' own reading of a typed line (parseCommandLine), so tests type what users type.
      return send(identity, typedInput(line), chat);
    },
    press: (identity, token, chat) => send(identity, { kind: 'action', token }, chat),
    person(role, identity) {
      const who = identity ?? `telegram:${2000 + ++n}`;
      app.permissions.people.enroll(who, `${role} ${n}`, role);
      return who;
    },
    async close() {
      await app.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The whole bot against every simulated backend of demo mode, with its household; close() stops both. */
export async function startDemoTestApp(
  extra: Record<string, unknown> = {},
  opts: { clock?: Clock; log?: Logger; warmUp?: boolean } = {},
): Promise<TestApp & { readonly labConfig: Readonly<Record<string, unknown>> }> {
  const lab = await startDemoHomelab(await demoBackendsOf(AREAS));
  try {
    const h = await startTestApp({ ...lab.config, ...extra }, { ...opts, simulate: (s) => lab.simulate(s), household: demoHousehold() });
    return {
      ...h,
      labConfig: lab.config,
      async close() {
        await h.close();
        await lab.close();
      },
    };
  } catch (e) {
    await lab.close();
    throw e;
  }
}
