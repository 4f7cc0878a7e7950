/** The "did you mean" helper behind config key typos and unknown permissions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearest } from '../../src/core/suggest.ts';

const PERMISSIONS = ['proxmox.guest.power', 'proxmox.backup.run', 'pihole.domain.allow', 'alerts.mute.set', 'router.guest.qr'];

test('nearest: typos, missing prefixes and plurals find the intended name; nonsense finds nothing', () => {
  const table: [string, readonly string[], string | undefined][] = [
    ['ownerId', ['token', 'apiRoot', 'ownerIds'], 'ownerIds'],
    ['telegarm', ['telegram', 'discord', 'proxmox'], 'telegram'],
    ['guests.power', PERMISSIONS, 'proxmox.guest.power'],
    ['pihole.domain.alow', PERMISSIONS, 'pihole.domain.allow'],
    ['mutes.set', PERMISSIONS, 'alerts.mute.set'],
    ['coffee.machine.brew', PERMISSIONS, undefined],
  ];
  for (const [word, candidates, expected] of table) assert.equal(nearest(word, candidates), expected, word);
});
