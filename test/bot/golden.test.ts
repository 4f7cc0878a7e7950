// One neutral OutMessage, rendered for every platform and compared with golden files (Botkube's
// discord_renderer golden test): a change to any renderer shows up as a reviewed diff.
// Regenerate after a deliberate change with UPDATE_GOLDEN=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ConsoleAdapter } from '../../src/bot/console/adapter.ts';
import { renderDiscord } from '../../src/bot/discord/render.ts';
import { inlineKeyboard, renderTelegramHtml } from '../../src/bot/telegram/render.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';

const DIR = join(import.meta.dirname, 'golden');

/** Every kind of block, characters each platform must escape, a footer and two rows of buttons. */
const MESSAGE: OutMessage = {
  title: 'Guests on pve <node>',
  severity: 'warning',
  blocks: [
    { kind: 'text', text: 'Backups & "snapshots" *ran* at 03:00 — one <failed>.' },
    {
      kind: 'fields',
      fields: [
        { label: 'CPU', value: '12 %' },
        { label: 'Memory', value: '7.5 GiB of 16 GiB' },
      ],
    },
    { kind: 'list', items: ['🟢 nas (VM 100)', '🔴 media_server (CT 101)', '⚪ template `base`'] },
    { kind: 'code', text: 'ERROR: vzdump <101> failed: no space left on device' },
  ],
  actions: [
    [
      { label: 'Start media_server', token: 'TOKEN-START', style: 'primary' },
      { label: 'Shut down', token: 'TOKEN-STOP', style: 'danger' },
    ],
    [{ label: 'Refresh', token: 'TOKEN-REFRESH' }],
  ],
  footer: 'as of 2 min ago',
};

function golden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from the golden file (UPDATE_GOLDEN=1 after a deliberate change)`);
}

test('the same OutMessage renders for Telegram, Discord and the console as the golden files say', async () => {
  golden('telegram.html', `${renderTelegramHtml(MESSAGE).join('\n---\n')}\n`);
  golden('telegram-keyboard.json', `${JSON.stringify(inlineKeyboard(MESSAGE.actions), null, 2)}\n`);
  golden('discord.json', `${JSON.stringify(renderDiscord(MESSAGE), null, 2)}\n`);

  const output = new PassThrough();
  let printed = '';
  output.on('data', (d: Buffer) => (printed += d.toString()));
  const console = new ConsoleAdapter({ input: new PassThrough(), output }, {} as Pipeline);
  await console.deliver('main', MESSAGE);
  golden('console.txt', printed);
});
