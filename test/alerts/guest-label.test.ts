/**
 * One display form for a guest everywhere: "docker (CT 101)", "nas (VM 100)" — in a reply, an
 * alert, a button label, the power-cut plan, the restore report, /backups, the digest and the
 * /status backup line, in English and in Spanish (VM and CT are Proxmox's own terms, shown the
 * same in every language).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDigest, mergeDigestInputs } from '../../src/alerts/digest.ts';
import { createAlertRenderer } from '../../src/handlers/alerts/render.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { OWNER } from '../support/app-harness.ts';
import { clockedPowerCut, cutPower, powerBack } from '../support/clocked-powercut.ts';

const DOCKER = 'docker (CT 101)';
const NAS = 'nas (VM 100)';
const labels = (m: OutMessage | undefined): string[] => (m?.actions ?? []).flat().map((a) => a.label);
/** A message's own words: a quoted task log is Proxmox's text ("CT Name: docker"), not ours. */
const prose = (m: OutMessage | undefined): string =>
  m ? toPlainText({ ...m, blocks: m.blocks.filter((b) => b.kind !== 'code' && b.kind !== 'details') }) : '';

test('every surface shows a guest as "name (CT|VM vmid)"', async (t) => {
  const lab = await clockedPowerCut(t);
  const { h, pve } = lab;
  await lab.poll();
  // docker's last backup fails: an alert, /backups, /status and the digest all name it.
  pve.failBackup(101, 'No space left on device');
  pve.runBackupJob();
  await lab.poll();
  await lab.poll();

  const surfaces: Record<string, string> = {};
  const guests = (await h.say(OWNER, '/guests')).replies[0];
  surfaces.reply = guests?.text ?? '';
  surfaces.button = labels(guests?.message).join(' | ');
  const backups = (await h.say(OWNER, '/backups')).replies[0];
  surfaces.backups = prose(backups?.message);
  surfaces.backupButton = labels(backups?.message).join(' | ');
  surfaces.status = (await h.say(OWNER, '/status')).texts[0] ?? '';
  surfaces.alert = prose(lab.rendered().find((r) => r.kind === 'alert' && /Backup of/.test(r.text))?.message);

  const digest = buildDigest(mergeDigestInputs(h.app.modules.map((m) => m.digestInput?.() ?? {})), lab.clock.now(), 1);
  const renderer = (lang: 'en' | 'es') =>
    createAlertRenderer({
      messages: h.app.messages,
      languageOf: () => lang,
      actions: { ack: () => undefined, snooze1h: () => undefined, snooze1d: () => undefined, obvious: () => undefined },
      timezone: 'UTC',
      now: () => lab.clock.now(),
    });
  const [en, es] = [renderer('en'), renderer('es')];
  surfaces.digest = toPlainText((await en({ type: 'notice', notice: { kind: 'digest', digest } }, 'console:main')) as OutMessage);
  surfaces.digestEs = toPlainText((await es({ type: 'notice', notice: { kind: 'digest', digest } }, 'console:main')) as OutMessage);

  // The power cut: the plan names both guests; the NAS does not come back by itself afterwards.
  await cutPower(lab);
  pve.guest(100)!.onboot = false;
  await powerBack(lab);
  const rows = lab.rendered();
  surfaces.plan = rows
    .filter((r) => r.kind === 'powercut')
    .map((r) => r.text)
    .join('\n');
  const restore = rows.find((r) => r.kind === 'restore');
  surfaces.restore = restore?.text ?? '';
  surfaces.restoreEs = lab.rendered('console:main', 'es').find((r) => r.kind === 'restore')?.text ?? '';

  const expected: Record<string, RegExp[]> = {
    reply: [/docker \(CT 101\): running/, /nas \(VM 100\): running/],
    button: [/⏹ Shut down docker \(CT 101\)/, /⏹ Shut down nas \(VM 100\)/],
    backups: [/🔴 docker \(CT 101\): FAILED/, /Why docker \(CT 101\) failed: No space left on device/],
    backupButton: [/Back up docker \(CT 101\) now/],
    status: [/backups: 1 needs attention \(docker \(CT 101\)\)/],
    alert: [/Backup of docker \(CT 101\) failed/],
    digest: [/Backup of docker \(CT 101\) failed/],
    digestEs: [/La copia de docker \(CT 101\) falló/],
    plan: [/docker \(CT 101\).*nas \(VM 100\)/],
    restore: [/nas \(VM 100\) did not come back by itself: started it/, /docker \(CT 101\) is running/],
    restoreEs: [/nas \(VM 100\) no volvió sola/],
  };
  for (const [surface, patterns] of Object.entries(expected))
    for (const p of patterns) assert.match(surfaces[surface] ?? '', p, `${surface}:\n${surfaces[surface]}`);
  // Never the bare name or the bare number where a guest is meant.
  for (const [surface, text] of Object.entries(surfaces)) {
    assert.doesNotMatch(text, /\bGuest 10[01]\b|\bMáquina 10[01]\b/, `${surface} names a guest by number only`);
    for (const [name, label] of [
      ['docker', DOCKER],
      ['nas', NAS],
    ] as const) {
      const bare = text
        .split(label)
        .join('')
        .match(new RegExp(`\\b${name}\\b(?! \\()`));
      assert.equal(bare, null, `${surface} shows "${name}" without its kind and number:\n${text}`);
    }
  }
});
