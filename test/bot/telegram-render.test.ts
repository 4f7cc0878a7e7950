import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeHtml, inlineKeyboard, renderTelegramHtml, TELEGRAM_TEXT_LIMIT } from '../../src/bot/telegram/render.ts';

const visible = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('Telegram rendering', () => {
  test('a warning or critical message without a title opens with its icon on the first line, not alone above it', () => {
    const text = { kind: 'text', text: 'UPS on battery' } as const;
    assert.deepEqual(renderTelegramHtml({ severity: 'warning', blocks: [text] }), ['⚠️ UPS on battery']);
    assert.deepEqual(renderTelegramHtml({ severity: 'critical', blocks: [text] }), ['🚨 UPS on battery']);
    assert.deepEqual(renderTelegramHtml({ severity: 'info', blocks: [text] }), ['UPS on battery']);
  });

  test('escapes user and backend text', () => {
    assert.equal(escapeHtml('<b>&"x"</b>'), '&lt;b&gt;&amp;"x"&lt;/b&gt;');
    const [page] = renderTelegramHtml({ title: 'VM <nas>', blocks: [{ kind: 'fields', fields: [{ label: 'a&b', value: '<script>' }] }] });
    assert.equal(page, '<b>VM &lt;nas&gt;</b>\n<b>a&amp;b</b>: &lt;script&gt;');
  });

  test('a copyable field value is <code>, so one tap copies it', () => {
    const [page] = renderTelegramHtml({ blocks: [{ kind: 'fields', fields: [{ label: 'Password', value: 'a<b', copy: true }] }] });
    assert.equal(page, '<b>Password</b>: <code>a&lt;b</code>');
  });

  test('a details block is one expandable quote, summary first, cut to fit one message', () => {
    const [page] = renderTelegramHtml({
      title: 'Backup failed',
      blocks: [{ kind: 'details', summary: 'Task log', text: 'ERROR: <x>\nTASK ERROR' }],
    });
    assert.equal(page, '<b>Backup failed</b>\n<blockquote expandable><b>Task log</b>\nERROR: &lt;x&gt;\nTASK ERROR</blockquote>');
    const pages = renderTelegramHtml({ blocks: [{ kind: 'details', summary: 'Task log', text: 'y'.repeat(10_000) }] });
    assert.equal(pages.length, 1);
    assert.ok(visible(pages[0]!).length <= TELEGRAM_TEXT_LIMIT);
  });

  test('splits long replies into pages within 4096 visible characters, keeping every character', () => {
    const items = Array.from({ length: 400 }, (_, i) => `torrent number ${i} <with> & symbols`);
    const pages = renderTelegramHtml({ title: 'Torrents', blocks: [{ kind: 'list', items }] });
    assert.ok(pages.length > 1);
    for (const p of pages) assert.ok([...visible(p)].length <= TELEGRAM_TEXT_LIMIT);
    const all = pages.map(visible).join('\n');
    for (const i of items) assert.ok(all.includes(i));
  });

  test('a single huge block is chunked too', () => {
    const text = 'x'.repeat(10_000);
    const pages = renderTelegramHtml({ blocks: [{ kind: 'code', text }] });
    assert.ok(pages.length >= 3);
    assert.equal(pages.map(visible).join('').replace(/\n/g, ''), text);
  });

  test('length is counted in characters as Telegram counts them: an emoji is one, not two UTF-16 units', () => {
    // 3,000 emoji are 6,000 UTF-16 units but 3,000 characters: one page, not two.
    assert.deepEqual(renderTelegramHtml({ blocks: [{ kind: 'text', text: '😀'.repeat(3000) }] }), ['😀'.repeat(3000)]);
    // 2,047 + the newline + 2,048 characters is exactly the limit: one page.
    const text = (n: number) => ({ kind: 'text' as const, text: '🟢'.repeat(n) });
    assert.equal(renderTelegramHtml({ blocks: [text(2047), text(2048)] }).length, 1);
    // One character more overflows to a second page.
    assert.equal(renderTelegramHtml({ blocks: [text(2047), text(2049)] }).length, 2);
  });

  test('a warning or alarm without a title carries its icon on the first line', () => {
    assert.deepEqual(renderTelegramHtml({ severity: 'warning', blocks: [{ kind: 'text', text: 'UPS on battery' }] }), [
      '⚠️ UPS on battery',
    ]);
    assert.deepEqual(renderTelegramHtml({ severity: 'critical', blocks: [] }), ['🚨']);
    assert.deepEqual(renderTelegramHtml({ title: 'Disk <sda>', severity: 'critical', blocks: [{ kind: 'text', text: 'failed' }] }), [
      '🚨 <b>Disk &lt;sda&gt;</b>\nfailed',
    ]);
  });

  test('buttons become callback_data a:<token>', () => {
    const kb = inlineKeyboard([[{ label: 'Start', token: 'tok1' }], [{ label: 'Stop', token: 'tok2', style: 'danger' }]]);
    assert.deepEqual(kb, { inline_keyboard: [[{ text: 'Start', callback_data: 'a:tok1' }], [{ text: 'Stop', callback_data: 'a:tok2' }]] });
    assert.equal(inlineKeyboard([]), undefined);
  });
});

test('a block list rendered before gives the same pages again, unless what else the pages depend on changed', () => {
  const blocks = [
    { kind: 'text' as const, text: 'Disks <ok> & RAID' },
    { kind: 'list' as const, items: ['sda', 'sdb'] },
  ];
  const first = renderTelegramHtml({ title: 'NAS', severity: 'warning', blocks });
  assert.equal(renderTelegramHtml({ title: 'NAS', severity: 'warning', blocks }), first, 'kept: the same pages, not rendered again');
  assert.throws(() => (first as string[]).push('x'), 'the kept pages cannot be changed by a caller');
  // Each input the pages depend on gives its own rendering, equal to a fresh one.
  const fresh = (m: Parameters<typeof renderTelegramHtml>[0], limit?: number) =>
    renderTelegramHtml({ ...m, blocks: blocks.map((b) => ({ ...b })) }, limit);
  for (const [m, limit] of [
    [{ title: 'Disks', severity: 'warning', blocks }, undefined],
    [{ title: 'NAS', severity: 'critical', blocks }, undefined],
    [{ title: 'NAS', severity: 'warning', footer: 'now', blocks }, undefined],
    [{ title: 'NAS', severity: 'warning', blocks }, 12],
  ] as const) {
    assert.deepEqual(renderTelegramHtml(m, limit), fresh(m, limit));
  }
});

test('a keyboard is built once per list of action rows, and equals a fresh one', () => {
  const rows = [[{ label: 'NAS', token: 'tok-nas' }], [{ label: 'Router', token: 'tok-router' }]];
  const first = inlineKeyboard(rows);
  assert.equal(inlineKeyboard(rows), first);
  assert.deepEqual(inlineKeyboard(rows.map((r) => [...r])), first);
  assert.deepEqual(first, {
    inline_keyboard: [[{ text: 'NAS', callback_data: 'a:tok-nas' }], [{ text: 'Router', callback_data: 'a:tok-router' }]],
  });
});
