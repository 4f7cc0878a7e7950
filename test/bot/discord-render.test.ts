/**
 * Pure parts of the Discord adapter: OutMessage rendering within Discord's limits (checked
 * with the fake Discord's own validator, also as a property over arbitrary messages) and the
 * registry → slash command mapping.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { completionSource, durationSuggestions, optionsToRaw, slashCommand, slashCommands } from '../../src/bot/discord/commands.ts';
import {
  CONTENT_LIMIT,
  DESCRIPTION_LIMIT,
  escapeMd,
  renderDiscord,
  SEVERITY_COLOUR,
  type DiscordPayload,
} from '../../src/bot/discord/render.ts';
import type { Block, OutMessage } from '../../src/core/outmessage.ts';
import { arg } from '../../src/handlers/args.ts';
import { defineCommand } from '../../src/handlers/command.ts';
import { isEmptyMessage, validateMessage } from '../fakes/discord-validate.ts';
import { testKey } from '../support/test-keys.ts';

const embedChars = (p: DiscordPayload): number =>
  (p.embeds ?? []).reduce(
    (a, e) =>
      a +
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.fields ?? []).reduce((s, f) => s + f.name.length + f.value.length, 0),
    0,
  );

/** Asserts Discord would accept every page. */
function assertValid(pages: DiscordPayload[]): void {
  for (const p of pages) {
    const e = validateMessage(p as Record<string, unknown>);
    assert.ok(e.empty, JSON.stringify(e.tree));
    assert.ok(!isEmptyMessage(p as Record<string, unknown>, p.files?.length ?? 0), 'not empty');
    assert.ok(embedChars(p) <= 6000, `embed total ${embedChars(p)}`);
  }
}

describe('escapeMd', () => {
  test('escapes inline markers anywhere and block markers at line starts, in linear time', () => {
    const cases: [string, string][] = [
      ['a*b_c~d`e|f[g]h\\i', 'a\\*b\\_c\\~d\\`e\\|f\\[g\\]h\\\\i'],
      ['# title', '\\# title'],
      ['- item', '\\- item'],
      ['-# small', '\\-# small'],
      ['1. one', '\\1. one'],
      ['> quote', '\\> quote'],
      ['a - b # c > d', 'a - b # c > d'],
    ];
    for (const [input, expected] of cases) assert.equal(escapeMd(input), expected, input);
    const t0 = performance.now();
    escapeMd('x_'.repeat(100_000));
    assert.ok(performance.now() - t0 < 500, 'fast on long text');
  });
});

describe('renderDiscord', () => {
  test('a copyable field value is inline code, a backtick inside it kept literal', () => {
    const [p] = renderDiscord({ blocks: [{ kind: 'fields', fields: [{ label: 'Password', value: 'pa`ss', copy: true }] }] });
    assert.equal(p!.embeds![0]!.fields![0]!.value, '`` pa`ss ``');
  });

  test('an embed with severity colour, icon title, inline fields and footer', () => {
    const [p] = renderDiscord({
      title: 'Power cut',
      severity: 'critical',
      blocks: [
        { kind: 'text', text: 'on *battery*' },
        { kind: 'fields', fields: [{ label: 'Battery', value: '87 %' }] },
      ],
      footer: 'as of 1 min ago',
    });
    const e = p!.embeds![0]!;
    assert.equal(e.color, SEVERITY_COLOUR.critical);
    assert.equal(e.title, '🚨 Power cut');
    assert.equal(e.description, 'on \\*battery\\*');
    assert.deepEqual(e.fields, [{ name: 'Battery', value: '87 %', inline: true }]);
    assert.deepEqual(e.footer, { text: 'as of 1 min ago' });
  });

  test('buttons carry the action token as custom_id, in rows of at most 5', () => {
    const row = Array.from({ length: 7 }, (_, i) => ({
      label: `B${i}`,
      token: `tok${i}`,
      style: i === 0 ? ('danger' as const) : undefined,
    }));
    const [p] = renderDiscord({ blocks: [{ kind: 'text', text: 'x' }], actions: [row] });
    const buttons = p!.components![0]!.components;
    assert.equal(buttons.length, 5);
    assert.deepEqual(buttons[0], { type: 2, style: 4, label: 'B0', custom_id: 'a:tok0' });
    assert.equal(buttons[1]?.style, 2);
  });

  test('an image is attached to the first message and shown in its embed', () => {
    const pages = renderDiscord({
      blocks: [{ kind: 'text', text: 'scan' }],
      image: { pngBase64: Buffer.from('png').toString('base64'), filename: 'qr.png' },
    });
    assert.equal(pages[0]?.files?.[0]?.name, 'qr.png');
    assert.deepEqual(pages[0]?.embeds?.[0]?.image, { url: 'attachment://qr.png' });
    assert.equal(renderDiscord({ blocks: [], image: { pngBase64: '', filename: 'qr.png' } }, { files: false })[0]?.files, undefined);
  });

  test('long text is split into descriptions of at most 4096 and messages within 6000', () => {
    const text = Array.from({ length: 600 }, (_, i) => `line ${i} `.repeat(5)).join('\n');
    const pages = renderDiscord(
      { title: 'Log', blocks: [{ kind: 'text', text }], actions: [[{ label: 'More', token: 't' }]] },
      { maxMessages: 20 },
    );
    assert.ok(pages.length > 1);
    for (const p of pages) for (const e of p.embeds ?? []) assert.ok((e.description?.length ?? 0) <= DESCRIPTION_LIMIT);
    assert.ok(pages.at(-1)?.components, 'buttons on the last message');
    assert.ok(!pages[0]?.components || pages.length === 1);
    assertValid(pages);
  });

  test('beyond maxMessages the rest is cut with a note', () => {
    const text = 'x'.repeat(60_000);
    const pages = renderDiscord({ blocks: [{ kind: 'text', text }] }, { maxMessages: 2 });
    assert.equal(pages.length, 2);
    assert.match(pages[1]!.embeds!.at(-1)!.description!, /… \[\+\d+\]$/);
    assertValid(pages);
  });

  test('many fields spread over embeds of at most 25', () => {
    const fields = Array.from({ length: 60 }, (_, i) => ({ label: `disk${i}`, value: 'ok' }));
    const pages = renderDiscord({ blocks: [{ kind: 'fields', fields }] });
    const counts = pages.flatMap((p) => p.embeds ?? []).map((e) => e.fields?.length ?? 0);
    assert.ok(counts.every((n) => n <= 25));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      60,
    );
    assertValid(pages);
  });

  test('a long code block is fenced piece by piece', () => {
    const code = Array.from({ length: 400 }, (_, i) => `${i} \`\`\` log line`).join('\n');
    const pages = renderDiscord({ blocks: [{ kind: 'code', text: code }] }, { maxMessages: 10 });
    for (const e of pages.flatMap((p) => p.embeds ?? [])) {
      assert.equal(((e.description ?? '').match(/```/g) ?? []).length % 2, 0, 'balanced fences');
    }
  });

  test('plain-text mode (no Embed Links) stays within 2000 characters per message', () => {
    const items = Array.from({ length: 300 }, (_, i) => `guest_${i} is **up**`);
    const pages = renderDiscord(
      { title: 'Guests', severity: 'info', blocks: [{ kind: 'list', items }], footer: 'cached' },
      { embeds: false, maxMessages: 20 },
    );
    assert.ok(pages.length > 1);
    for (const p of pages) {
      assert.equal(p.embeds, undefined);
      assert.ok((p.content ?? '').length <= CONTENT_LIMIT);
    }
    assert.match(pages[0]!.content!, /^\*\*ℹ️ Guests\*\*\n• guest\\_0 is \\\*\\\*up\\\*\\\*/);
    assert.match(pages.at(-1)!.content!, /-# cached$/);
  });

  test('property: any message renders into pages Discord accepts', () => {
    const str = fc.string({ maxLength: 3000 });
    const block: fc.Arbitrary<Block> = fc.oneof(
      fc.record({ kind: fc.constant('text' as const), text: str }),
      fc.record({ kind: fc.constant('code' as const), text: str }),
      fc.record({ kind: fc.constant('list' as const), items: fc.array(fc.string({ maxLength: 300 }), { maxLength: 40 }) }),
      fc.record({
        kind: fc.constant('fields' as const),
        fields: fc.array(fc.record({ label: fc.string({ maxLength: 300 }), value: fc.string({ maxLength: 1500 }) }), { maxLength: 40 }),
      }),
    );
    const message: fc.Arbitrary<OutMessage> = fc.record(
      {
        title: fc.string({ maxLength: 400 }),
        severity: fc.constantFrom('info' as const, 'success' as const, 'warning' as const, 'critical' as const),
        blocks: fc.array(block, { maxLength: 6 }),
        footer: fc.string({ maxLength: 3000 }),
        actions: fc.array(
          fc.array(fc.record({ label: fc.string({ minLength: 1, maxLength: 120 }), token: fc.uuid() }), { minLength: 1, maxLength: 7 }),
          { maxLength: 7 },
        ),
      },
      { requiredKeys: ['blocks'] },
    );
    fc.assert(
      fc.property(message, fc.boolean(), (m, embeds) => {
        assertValid(renderDiscord(m, { embeds }));
      }),
      { numRuns: 150 },
    );
  });
});

describe('slash commands from the registry', () => {
  const describeKey = (key: string, lang?: string): string =>
    lang === 'es' ? `es:${key}` : key === 'long' ? 'd'.repeat(150) : `en:${key}`;
  const cmd = defineCommand({
    name: 'snooze',
    group: 'alerts',
    summaryKey: testKey('long'),
    permission: 'alerts.mute.create',
    args: {
      key: arg.string({ descriptionKey: testKey('k'), required: false, autocomplete: 'alert' }),
      for: arg.duration({ descriptionKey: testKey('f'), minMs: 60_000, maxMs: 86_400_000 }),
      count: arg.integer({ descriptionKey: testKey('c'), min: 1, max: 5 }),
      pick: arg.choice(
        Array.from({ length: 30 }, (_, i) => `c${i}`),
        { descriptionKey: testKey('p'), required: false },
      ),
    },
    run: async () => undefined,
  });

  test('options: required first, ranges, autocomplete, long choice lists, Spanish localisations', () => {
    const s = slashCommand(cmd, describeKey);
    assert.equal(s.description.length, 100);
    assert.deepEqual(s.description_localizations, { 'es-ES': 'es:long', 'es-419': 'es:long' });
    const opts = s.options as {
      name: string;
      type: number;
      required: boolean;
      autocomplete?: boolean;
      min_value?: number;
      max_value?: number;
      choices?: unknown[];
    }[];
    assert.deepEqual(
      opts.map((o) => o.name),
      ['for', 'count', 'key', 'pick'],
    );
    assert.equal(opts[0]?.autocomplete, true);
    assert.deepEqual([opts[1]?.type, opts[1]?.min_value, opts[1]?.max_value], [4, 1, 5]);
    assert.equal(opts[2]?.autocomplete, true);
    assert.equal(opts[3]?.choices, undefined, 'more than 25 choices become autocomplete');
    assert.equal(opts[3]?.autocomplete, true);
    assert.equal(completionSource(cmd.args.key), 'alert');
  });

  test('hidden commands are not registered', () => {
    const hidden = defineCommand({ ...cmd, name: 'hidden-one', hidden: true });
    assert.deepEqual(
      slashCommands([cmd, hidden], describeKey).map((c) => c.name),
      ['snooze'],
    );
  });

  test('received options become the raw strings the pipeline parses, subcommands flattened', () => {
    assert.deepEqual(
      optionsToRaw([
        { name: 'count', value: 3 },
        { name: 'key', value: 'ups:ups1' },
      ]),
      { count: '3', key: 'ups:ups1' },
    );
    assert.deepEqual(optionsToRaw([{ name: 'sub', options: [{ name: 'x', value: true }] }]), { x: 'true' });
  });

  test('duration suggestions stay within the argument range and match what is typed', () => {
    const all = durationSuggestions(cmd.args.for, '');
    assert.ok(all.includes('15m') && all.includes('1d') && !all.includes('7d'));
    assert.deepEqual(durationSuggestions(cmd.args.for, '90m'), ['1h30m']);
    assert.deepEqual(durationSuggestions(cmd.args.for, '4'), ['4m', '4h'], 'a bare number means minutes');
  });
});

describe('details blocks on Discord', () => {
  test('the log is a spoiler under its bold summary, valid and within limits', () => {
    const m: OutMessage = {
      title: 'Backup failed',
      blocks: [{ kind: 'details', summary: 'Task log', text: `ERROR: ||x|| \`\`\`\n${'z'.repeat(9_000)}` }],
    };
    const pages = renderDiscord(m);
    assert.equal(pages.length, 1);
    const d = pages[0]!.embeds?.[0]?.description ?? '';
    assert.match(d, /^\*\*Task log\*\*\n\|\|```\nERROR: /);
    assert.match(d, /```\|\|$/);
    assert.equal(d.match(/\|\|/g)?.length, 2, 'a || inside the log does not end the spoiler early');
    assertValid(pages);
  });
});
