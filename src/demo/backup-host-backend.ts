/**
 * Demo mode's backup host over SSH: an embedded SSH server (pinned host key) answering
 * `cat /proc/mdstat` (md RAID watched over SSH) and the off-site check (`stat -c %Y` of rclone's
 * last-success marker, synced 3 h ago). /simulate offsite-stale makes the last sync 30 h old.
 */
import type { DemoBackend } from './index.ts';
import { playBackupHost } from './ssh-commands.ts';
import { startDemoSshServer } from './ssh-server.ts';

const MDSTAT = 'cat /proc/mdstat';
const OFFSITE = 'stat -c %Y /var/log/rclone-last-success';
const HOUR = 3_600_000;

/** The backup host for the offsite area (and the nas area's mdadm check), named by offsiteArea.demo. */
export const backupHostDemoBackend: DemoBackend = {
  name: 'backup-host',
  async start() {
    let lastSyncAt = Date.now() - 3 * HOUR;
    const server = await startDemoSshServer((line) =>
      playBackupHost(line, { mdstatCommand: MDSTAT, offsiteCommand: OFFSITE, lastSyncAt: () => lastSyncAt }),
    );
    return {
      config: {
        mdadm: { ssh: server.config, command: MDSTAT, pollSeconds: 30 },
        alerts: { offsite: { ssh: server.config, command: OFFSITE, windowHours: 26, pollSeconds: 10 } },
      },
      simulate(scenario: string): boolean {
        if (scenario !== 'offsite-stale') return false;
        lastSyncAt = Date.now() - 30 * HOUR;
        return true;
      },
      close: () => server.close(),
    };
  },
};
