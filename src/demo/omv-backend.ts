/**
 * Demo mode's NAS: the fake OpenMediaVault (plain http on 127.0.0.1) with the RAID 1 `md0` of
 * the two SSDs. /simulate disk-fail drops /dev/sdb out of it; disk-replaced rebuilds it in a minute.
 */
import type { DemoBackend } from './index.ts';
import { startOmvFake } from './omv.ts';

/** The fake OpenMediaVault, named by nasArea.demo. */
export const omvDemoBackend: DemoBackend = {
  name: 'omv',
  async start() {
    const fake = await startOmvFake();
    return {
      config: { omv: { url: fake.url, username: fake.username, password: fake.password, pollSeconds: 5 } },
      simulate(scenario: string): boolean {
        if (scenario === 'disk-fail') fake.degrade('/dev/sdb');
        else if (scenario === 'disk-replaced') fake.startRebuild({ device: '/dev/sdb', percent: 0, durationMs: 60_000 });
        else return false;
        return true;
      },
      close: () => fake.close(),
    };
  },
};
