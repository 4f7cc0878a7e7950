/**
 * The restore report's lines for what a power cut folded: a guest still down carries the button
 * that starts it (one recorded before the guest's number was kept has none), a backend still down
 * its [Check again], and anything back is green without a button.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/core/db.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { PowerCutFold } from '../../src/alerts/powercut-fold.ts';
import { PowerCutStore } from '../../src/alerts/powercut-journal.ts';
import type { AlertService } from '../../src/alerts/service.ts';

test('a folded guest still down gets a Start button, a backend Check again; an old guest row and anything back get none', () => {
  const journal = new PowerCutStore(openDatabase(':memory:', alertMigrations));
  journal.outageStarted(1_000);
  const id = journal.open()!.id;
  journal.fold(id, [
    { key: 'guest:pve:100:stopped', guest: 'nas (VM 100)', vmid: 100 },
    { key: 'guest:pve:101:stopped', guest: 'docker (CT 101)', vmid: 101 },
    { key: 'guest:pve:102:stopped', guest: 'old (CT 102)' },
    { key: 'backend:pihole:down', backend: 'pihole' },
  ]);
  const states: Record<string, string> = {
    'guest:pve:100:stopped': 'pending',
    'guest:pve:102:stopped': 'pending',
    'backend:pihole:down': 'raised',
  };
  const store = { record: (key: string) => (states[key] ? { state: states[key] } : undefined) };
  const fold = new PowerCutFold({ store } as unknown as Pick<AlertService, 'held' | 'notify' | 'store'>, journal);
  assert.deepEqual(fold.restoreLines(id), [
    {
      light: 'red',
      key: 'alerts.restore.foldedDown',
      params: { what: 'nas (VM 100)', guest: 'nas (VM 100)', vmid: 100 },
      action: { labelKey: 'alerts.restore.startButton', command: 'poweron', args: { guest: '100' } },
    },
    { light: 'green', key: 'alerts.restore.foldedBack', params: { what: 'docker (CT 101)', guest: 'docker (CT 101)', vmid: 101 } },
    { light: 'red', key: 'alerts.restore.foldedDown', params: { what: 'old (CT 102)', guest: 'old (CT 102)' } },
    {
      light: 'red',
      key: 'alerts.restore.foldedDown',
      params: { what: 'pihole', backend: 'pihole' },
      action: { labelKey: 'alerts.restore.recheckButton', command: 'alert-recheck', args: { backend: 'pihole' } },
    },
  ]);
});
