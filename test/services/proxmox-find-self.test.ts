import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findSelf } from '../../src/services/proxmox/power-plan.ts';
import type { Guest, GuestConfig } from '../../src/services/proxmox/types.ts';

/** Guests as the reference homelab has them: the NAS VM, the bot's docker CT, a media CT. */
function guest(vmid: number, type: Guest['type'], name: string): Guest {
  return { vmid, type, node: 'pve', name, status: 'running', cpu: 0, cpus: 1, mem: 0, maxmem: 1, uptime: 1, template: false };
}
const GUESTS = [guest(100, 'qemu', 'nas'), guest(101, 'lxc', 'docker'), guest(102, 'lxc', 'media')];
const CONFIGS = new Map<number, GuestConfig>([
  [100, { name: 'nas', onboot: true, macs: ['BC:24:11:00:00:64'] }],
  [101, { hostname: 'dockerhost', onboot: true, macs: ['BC:24:11:00:00:65'] }],
  [102, { hostname: 'media', onboot: false, macs: ['BC:24:11:00:00:66'] }],
]);

describe('finding the guest the bot runs in', () => {
  test('by a NIC MAC first, whatever the case and whatever the hostname says', () => {
    assert.equal(findSelf(GUESTS, CONFIGS, { hostname: 'media', macs: ['bc:24:11:00:00:65'] })?.vmid, 101);
  });

  test("by a container's configured hostname (domain part ignored) when no MAC matches", () => {
    assert.equal(findSelf(GUESTS, CONFIGS, { hostname: 'DockerHost.lan', macs: ['02:42:AC:11:00:02'] })?.vmid, 101);
  });

  test("by the guest's name as a last resort; a VM's name is not mistaken for a container hostname", () => {
    assert.equal(findSelf(GUESTS, CONFIGS, { hostname: 'nas', macs: [] })?.vmid, 100);
    assert.equal(findSelf(GUESTS, CONFIGS, { hostname: 'docker', macs: [] })?.vmid, 101);
  });

  test('nothing matches (the bot runs outside the node, e.g. on a Raspberry Pi): no guest', () => {
    assert.equal(findSelf(GUESTS, CONFIGS, { hostname: 'raspberrypi', macs: ['DC:A6:32:00:00:01'] }), undefined);
  });
});
