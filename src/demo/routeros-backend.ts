/** Demo mode's router: the RouterOS fake (plain http on 127.0.0.1) with the admin demo user. */
import type { DemoBackend } from './index.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake } from './routeros.ts';

export const routerDemoBackend: DemoBackend = {
  name: 'router',
  async start() {
    const fake = await startRouterOsFake();
    const admin = FAKE_ROUTER_USERS[0]!;
    return {
      config: { router: { url: fake.url, username: admin.name, password: admin.password, pollSeconds: 30 } },
      close: () => fake.close(),
    };
  },
};
