/**
 * Shared setup for the Discord end-to-end tests: the fake Discord on 127.0.0.1, the whole bot
 * started by the composition root with a `discord` section pointing at it, and a test-only
 * module whose commands exercise options, autocomplete, deferral, ephemeral replies, images,
 * confirmations and long replies.
 */
import QRCode from 'qrcode';
import type { DMessage } from '../fakes/discord.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { arg } from '../../src/handlers/args.ts';
import { defineCommand } from '../../src/handlers/command.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import type { Logger } from '../../src/core/logger.ts';

export const TOKEN = 'fake-discord-token-0123456789abcdef';
export const OWNER_ID = '300000000000000001';
export const OWNER = { id: OWNER_ID, username: 'owner' };
export const STRANGER = { id: '399999999999999999', username: 'stranger' };

/** A gate a command waits on, so a test can observe the deferral before the reply. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Builds the probe module; `slow` holds /probe-slow until the test opens it. */
export function probeModule(slow: { wait: Promise<void> }): FeatureModule {
  const perm = 'bot.help.read' as const;
  const common = { group: 'bot', summaryKey: 'builtin.help.summary' as const, permission: perm };
  return {
    name: 'probe',
    completions: { guest: () => ['nas', 'docker', 'nextcloud'] },
    commands: [
      defineCommand({
        ...common,
        name: 'probe-args',
        args: {
          count: arg.integer({ descriptionKey: 'builtin.help.summary', min: 1, max: 10 }),
          guest: arg.string({ descriptionKey: 'builtin.help.summary', autocomplete: 'guest' }),
          mode: arg.choice(['fast', 'slow'] as const, { descriptionKey: 'builtin.help.summary', required: false }),
          for: arg.duration({ descriptionKey: 'builtin.help.summary', required: false, maxMs: 86_400_000 }),
        },
        async run(_ctx, a) {
          return {
            title: 'Args',
            severity: 'success',
            blocks: [{ kind: 'text', text: `count=${a.count} guest=${a.guest} mode=${a.mode ?? '-'} for=${a.for ?? '-'}` }],
          };
        },
      }),
      defineCommand({
        ...common,
        name: 'probe-slow',
        args: {},
        async run() {
          await slow.wait;
          return { blocks: [{ kind: 'text', text: 'slow done' }] };
        },
      }),
      defineCommand({
        ...common,
        name: 'probe-secret',
        args: {},
        ephemeral: true,
        async run() {
          return { title: 'Guest WiFi', blocks: [{ kind: 'code', text: 'password: hunter2' }] };
        },
      }),
      defineCommand({
        ...common,
        name: 'probe-qr',
        args: {},
        async run() {
          const png = await QRCode.toBuffer('WIFI:T:WPA;S:guest;P:hunter2;;');
          return {
            title: 'QR',
            blocks: [{ kind: 'text', text: 'scan me' }],
            image: { pngBase64: png.toString('base64'), filename: 'wifi.png' },
          };
        },
      }),
      defineCommand({
        ...common,
        name: 'probe-danger',
        args: {},
        destructive: true,
        mutates: true,
        async run() {
          return { severity: 'success', blocks: [{ kind: 'text', text: 'danger done' }] };
        },
      }),
      defineCommand({
        ...common,
        name: 'probe-long',
        args: {},
        async run() {
          const items = Array.from({ length: 400 }, (_, i) => `line ${i} with *stars* and _underscores_ to fill the page`);
          return { title: 'Long', blocks: [{ kind: 'list', items }], footer: 'end of list' };
        },
      }),
      // Requestable, with a permission family members lack: they get "Ask an admin".
      defineCommand({
        group: 'bot',
        summaryKey: 'builtin.help.summary',
        permission: 'pihole.domain.allow',
        name: 'probe-ask',
        args: { domain: arg.string({ descriptionKey: 'builtin.help.summary', pattern: /^[a-z0-9.-]+$/ }) },
        requestable: true,
        mutates: true,
        async run(_ctx, { domain }) {
          return { severity: 'success', blocks: [{ kind: 'text', text: `allowed ${domain}` }] };
        },
      }),
      defineCommand({
        ...common,
        name: 'probe-quiet',
        args: {},
        async run() {
          return undefined;
        },
      }),
    ],
  };
}

/** Everything the user sees of a message: content, embed titles, descriptions, fields, footers. */
export function visible(m: DMessage | undefined): string {
  if (!m) return '';
  const parts = [m.content];
  for (const e of m.embeds as {
    title?: string;
    description?: string;
    fields?: { name: string; value: string }[];
    footer?: { text: string };
  }[]) {
    parts.push(e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text ?? '');
  }
  return parts.filter(Boolean).join('\n');
}

/** Starts the fake and the bot pointed at it. */
export async function startDiscordApp(
  o: { fake?: FakeDiscord; slow?: { wait: Promise<void> }; dir?: string; log?: Logger } = {},
): Promise<{ fake: FakeDiscord; h: TestApp }> {
  const fake = o.fake ?? (await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1000 }));
  const h = await startTestApp(
    { discord: { token: TOKEN, apiRoot: fake.api, guildId: fake.guildId, ownerIds: [OWNER_ID] } },
    {
      extraModules: [probeModule(o.slow ?? { wait: Promise.resolve() })],
      ...(o.dir ? { dir: o.dir } : {}),
      ...(o.log ? { log: o.log } : {}),
    },
  );
  return { fake, h };
}
