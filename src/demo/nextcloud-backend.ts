/**
 * Demo mode's cloud: the fake Nextcloud (status.php, serverinfo, users) on 127.0.0.1 and occ
 * over an embedded SSH server (pinned host key), so /cloud-maintenance and /cloud-scan work.
 * occ's maintenance mode is the web fake's: /simulate cloud-maintenance turns both on.
 */
import type { DemoBackend } from './index.ts';
import { startFakeNextcloud } from './nextcloud.ts';
import { playOcc, type OccState } from './ssh-commands.ts';
import { startDemoSshServer } from './ssh-server.ts';

const OCC_PREFIX = 'docker exec -u www-data nextcloud php occ';

const DEMO_APP_PASSWORD = 'demo-app-password';

/** The fake Nextcloud and its occ over SSH, named by cloudArea.demo. */
export const nextcloudDemoBackend: DemoBackend = {
  name: 'nextcloud',
  async start() {
    const fake = await startFakeNextcloud({ appPassword: DEMO_APP_PASSWORD });
    const occ: OccState = { maintenance: false, users: ['admin', 'ana', 'lucia', 'pablo'] };
    const setMaintenance = (on: boolean): void => {
      occ.maintenance = on;
      fake.setMaintenance(on);
    };
    const ssh = await startDemoSshServer((line) => playOcc(line, OCC_PREFIX, occ, setMaintenance));
    return {
      config: {
        nextcloud: {
          url: fake.url,
          username: 'admin',
          appPassword: DEMO_APP_PASSWORD,
          pollSeconds: 60,
          occ: { ssh: ssh.config, command: OCC_PREFIX },
        },
      },
      simulate(scenario: string): boolean {
        if (scenario !== 'cloud-maintenance') return false;
        setMaintenance(true);
        return true;
      },
      close: async () => {
        await ssh.close();
        await fake.close();
      },
    };
  },
};
