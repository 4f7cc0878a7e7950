/**
 * Who the audit names for a power cut's hypervisor changes: a run a person started with
 * `/powercut yes` is recorded under that person (in the chat they ran it in), step by step,
 * like any command of theirs; a run the UPS started stays `system:power-cut`. Whole bot, fake
 * Proxmox and fake upsd, manual clock, the plan handed over to Proxmox.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POWER_CUT } from '../../src/wiring/audited-power.ts';
import { clockedPowerCut, cutPower, type PowerCutLab } from '../support/clocked-powercut.ts';
import { waitFor } from '../support/real-server.ts';

const PLAN = [
  'PUT /nodes/proxmox1/lxc/101/config startup=order=2',
  'PUT /nodes/proxmox1/qemu/100/config startup=order=1',
  'POST /nodes/proxmox1/status command=shutdown',
];

/** The power cut's hypervisor rows once every call has its result: who, where, what, result. */
async function powerRows(lab: PowerCutLab): Promise<[string, string, string, string][]> {
  const rows = () =>
    lab.h.app.db
      .prepare("SELECT identity, chat, command, args, result FROM audit_log WHERE command IN ('power-plan', 'shutdown') ORDER BY id")
      .all() as { identity: string; chat: string; command: string; args: string; result: string }[];
  await waitFor(() => rows().length === PLAN.length && rows().every((r) => r.result !== 'started'), {
    what: 'every call of the plan recorded with its result',
  });
  return rows().map((r) => [r.identity, r.chat, (JSON.parse(r.args) as { call: string }).call, r.result]);
}

test('a power cut a person starts with /powercut yes is recorded under that person, each call with its result', async (t) => {
  const lab = await clockedPowerCut(t);
  await lab.poll();
  const admin = lab.h.person('admin', 'telegram:4242');
  const reply = await lab.h.say(admin, '/powercut yes');
  assert.match(reply.texts.join('\n'), /Shutdown started/);
  await waitFor(() => lab.pve.off, { what: 'the node powered off by the handed-over plan' });
  assert.deepEqual(
    await powerRows(lab),
    PLAN.map((call) => [admin, 'telegram:4242', call, 'ok']),
  );
  const byPerson = (await lab.h.say(admin, `/audit person ${admin}`)).replies[0]?.message.blocks;
  assert.match(
    JSON.stringify(byPerson),
    /\/power-plan call=POST \/nodes\/proxmox1\/status command=shutdown/,
    'their /audit lists the steps',
  );
});

test('a power cut the UPS starts stays recorded as system:power-cut', async (t) => {
  const lab = await clockedPowerCut(t);
  await cutPower(lab);
  assert.deepEqual(
    await powerRows(lab),
    PLAN.map((call) => [POWER_CUT, POWER_CUT, call, 'ok']),
  );
});
