/** Autocomplete sources (Discord) come from cached state: guests, torrents, permissions. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemoTestApp, type TestApp } from '../support/app-harness.ts';

let h: TestApp;
before(async () => {
  h = await startDemoTestApp();
});
after(async () => {
  await h?.close();
});

const source = (name: string) => {
  const provider = h.app.modules.find((m) => m.completions?.[name])?.completions?.[name];
  assert.ok(provider, `no completion source ${name}`);
  return provider;
};

test('torrent and guest names come from the pollers once they have refreshed', async () => {
  await h.say('telegram:1000', '/torrents');
  await h.say('telegram:1000', '/guests');
  const torrents = await source('torrent')();
  assert.ok(torrents.length > 0 && torrents.every((n) => typeof n === 'string' && n.length > 0));
  assert.ok((await source('guest')()).includes('nas'));
});

test('permission names come from the known permissions', async () => {
  const perms = await source('permission')();
  assert.ok(perms.includes('router.guest.qr'));
  assert.ok(perms.includes('proxmox.guest.power') || perms.some((p) => p.startsWith('proxmox.')));
});
