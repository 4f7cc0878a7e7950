/** Demo mode's router: the RouterOS fake (plain http on 127.0.0.1) with the admin demo user. */
import type { DemoBackend } from './index.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake } from './routeros.ts';

/** The fake RouterOS REST API, named by routerArea.demo. */
export const routerDemoBackend: DemoBackend = {
  name: 'router',
  async start() {
    const fake = await startRouterOsFake();
    const admin = FAKE_ROUTER_USERS[0]!;
    let joined = 0;
    return {
      config: { router: { url: fake.url, username: admin.name, password: admin.password, pollSeconds: 30 } },
      /** `new-device`: a Raspberry Pi (a real IEEE OUI, so the vendor shows) joins the home network. */
      simulate(scenario: string): boolean {
        if (scenario !== 'new-device') return false;
        const n = ++joined;
        fake.addLease({
          address: `192.168.1.${100 + n}`,
          mac: `DC:A6:32:00:00:${n.toString(16).padStart(2, '0').toUpperCase()}`,
          hostName: `raspberrypi-${n}`,
          server: 'dhcp-lan',
        });
        return true;
      },
      close: () => fake.close(),
    };
  },
};
