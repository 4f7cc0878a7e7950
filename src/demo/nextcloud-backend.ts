/** Demo mode's cloud: the fake Nextcloud (status.php, serverinfo, users) on 127.0.0.1; no occ (no SSH in the demo). */
import type { DemoBackend } from './index.ts';
import { startFakeNextcloud } from './nextcloud.ts';

const DEMO_APP_PASSWORD = 'demo-app-password';

export const nextcloudDemoBackend: DemoBackend = {
  name: 'nextcloud',
  async start() {
    const fake = await startFakeNextcloud({ appPassword: DEMO_APP_PASSWORD });
    return {
      config: { nextcloud: { url: fake.url, username: 'admin', appPassword: DEMO_APP_PASSWORD, pollSeconds: 60 } },
      close: () => fake.close(),
    };
  },
};
