/**
 * A power cut folds what goes away into its own thread: the guests the plan stops and a backend
 * that stops answering are held with cause "power cut" (listed in /alerts), and the chats get ONE
 * message in the power cut's thread listing them, edited as more go away — never one alert each.
 * The restore report then says which came back (a guest it started, once: by its own start line). Whole bot, fake Proxmox and fake upsd, manual clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OWNER } from '../support/app-harness.ts';
import { clockedPowerCut, cutPowerGuestsOnly } from '../support/clocked-powercut.ts';
import { waitFor } from '../support/real-server.ts';

test('backends and guests gone with the power are one message in the power cut thread, and the restore report says which came back', async (t) => {
  // The plan stops the guests and leaves the node up, so Proxmox can still say they are stopped.
  const lab = await clockedPowerCut(t, { powerCut: { shutdownNode: false } });
  const { pve, ups } = lab;
  await cutPowerGuestsOnly(lab);

  const folded = () => lab.rendered().filter((r) => r.kind === 'powercut-folded');
  assert.equal(folded().length, 1, 'both guests in one message');
  const first = folded()[0]!;
  assert.match(first.thread ?? '', /^powercut@\d+\/folded$/);
  assert.equal(first.edit, false);
  assert.match(first.text, /Also down because of the power cut: (docker \(CT 101\), nas \(VM 100\)|nas \(VM 100\), docker \(CT 101\))\./);
  assert.match(
    lab.rendered('console:main', 'es').find((r) => r.kind === 'powercut-folded')?.text ?? '',
    /También sin funcionar por el corte de luz: .*docker \(CT 101\)/,
  );
  // No alert of their own (the UPS's own "on battery" stands), but /alerts lists them with their cause.
  const raisedOneByOne = () =>
    lab.rendered().filter((r) => (r.kind === 'alert' || r.kind === 'group') && /docker|nas|hypervisor/i.test(r.text));
  assert.deepEqual(raisedOneByOne(), []);
  const alerts = (await lab.h.say(OWNER, '/alerts')).texts[0] ?? '';
  assert.match(alerts, /docker \(CT 101\) is not running \(stopped\) — power cut since/);

  // Then Proxmox itself stops answering: the same message is edited, nothing is raised.
  pve.failRoute(/./, 500, 'internal error');
  await lab.poll();
  await lab.poll();
  await lab.poll();
  assert.equal(folded().length, 2);
  const second = folded()[1]!;
  assert.equal(second.edit, true);
  assert.equal(second.thread, first.thread);
  assert.match(
    second.text,
    /docker \(CT 101\).*nas \(VM 100\).*The hypervisor \(Proxmox\)|nas \(VM 100\).*docker \(CT 101\).*The hypervisor/,
  );
  assert.deepEqual(raisedOneByOne(), []);
  await lab.poll();
  assert.equal(folded().length, 2, 'nothing new, nothing posted');

  // Power returns: the restore starts the guests, and its report says what came back.
  pve.failRoute(undefined);
  ups.set('ups', { 'ups.status': 'OL CHRG', 'battery.charge': '60', 'battery.runtime': '1800', 'input.voltage': '230.1' });
  await lab.poll();
  await lab.poll();
  await waitFor(() => lab.rendered().some((r) => r.kind === 'restore'), { what: 'the restore report', timeoutMs: 10_000 });
  const report = lab.rendered().find((r) => r.kind === 'restore')?.text ?? '';
  // The guests the restore started are told once, by the restore's own line; the backend by its folded one.
  const lightLines = (text: string, name: string): string[] => text.split('\n').filter((l) => /[🔴🟢🟠]/u.test(l) && l.includes(name));
  assert.deepEqual(lightLines(report, 'docker (CT 101)'), ['• 🟢 docker (CT 101) did not come back by itself: started it']);
  assert.deepEqual(lightLines(report, 'nas (VM 100)'), ['• 🟢 nas (VM 100) did not come back by itself: started it']);
  assert.match(report, /🟢 The hypervisor \(Proxmox\) is back/);
  const es = lab.rendered('console:main', 'es').find((r) => r.kind === 'restore')?.text ?? '';
  assert.deepEqual(lightLines(es, 'nas (VM 100)'), ['• 🟢 nas (VM 100) no volvió sola: la he arrancado']);
  assert.match(es, /🟢 El hipervisor \(Proxmox\) ha vuelto/);
});
