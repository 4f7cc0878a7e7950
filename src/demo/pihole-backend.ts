/** Demo mode's ad blocker: the fake Pi-hole v6 (plain http on 127.0.0.1) with a day of queries. */
import type { DemoBackend } from './index.ts';
import { startFakePihole } from './pihole.ts';

const DEMO_PASSWORD = 'demo-pihole';

/** The fake Pi-hole v6, named by piholeArea.demo. */
export const piholeDemoBackend: DemoBackend = {
  name: 'pihole',
  async start() {
    const fake = await startFakePihole({ password: DEMO_PASSWORD });
    return {
      config: { pihole: { url: fake.url, password: DEMO_PASSWORD, pollSeconds: 30, protectedDomains: ['doubleclick.net'] } },
      close: () => fake.close(),
    };
  },
};
