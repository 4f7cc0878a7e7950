/**
 * Demo mode's hypervisor: the fake Proxmox API (plain http on 127.0.0.1) with proxmox1, the
 * `nas` VM and the `docker` container. /simulate backup-fail runs the nightly job with docker failing.
 */
import type { DemoBackend } from './index.ts';
import { startProxmoxFake } from './proxmox.ts';

/** The fake Proxmox VE API, named by proxmoxArea.demo. */
export const proxmoxDemoBackend: DemoBackend = {
  name: 'proxmox',
  async start() {
    // Tasks take a couple of seconds so the demo shows a reply being edited.
    const fake = await startProxmoxFake({ taskDurationMs: 2_500, backupDurationMs: 2_000 });
    return {
      config: {
        proxmox: {
          url: fake.url,
          node: fake.node,
          tokenId: fake.tokenId,
          tokenSecret: fake.tokenSecret,
          pollSeconds: 5,
          expectedRunning: [100, 101],
        },
      },
      simulate(scenario: string): boolean {
        if (scenario !== 'backup-fail') return false;
        fake.failBackup(101, "command 'zstd' failed: exit code 1: No space left on device");
        fake.runBackupJob();
        return true;
      },
      close: () => fake.close(),
    };
  },
};
