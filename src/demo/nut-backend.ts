/**
 * Demo mode's UPS: the fake upsd with the household's PowerWalker, polled every second, alerts
 * bound to the console, and the power-cut orchestration in dry-run mode so /simulate power-cut
 * shows the whole story without touching anything.
 */
import type { DemoBackend } from './index.ts';
import { DEMO_UPS_STATES, startFakeUpsd } from './nut.ts';

/** The fake upsd and the dry-run power-cut plan, named by upsArea.demo. */
export const nutDemoBackend: DemoBackend = {
  name: 'nut',
  async start() {
    const fake = await startFakeUpsd({ ups: { ups: { description: 'PowerWalker VI 1000 STL' } } });
    return {
      config: {
        nut: { host: fake.host, port: fake.port, ups: 'ups', pollSeconds: 1 },
        alerts: {
          bindings: [{ chat: 'console:main' }],
          debounceSeconds: 2,
          powerCut: {
            enabled: true,
            dryRun: true,
            onBatteryMinutes: 0, // the demo shows the (dry) plan at once
            shutdownOrder: [101, 100],
            shutdownNode: true,
            runsOn: 101,
            restore: { onMainsMinutes: 0 },
          },
        },
      },
      simulate(scenario: string): boolean {
        if (scenario === 'power-cut') fake.set('ups', DEMO_UPS_STATES.powerCut);
        else if (scenario === 'power-back') fake.set('ups', DEMO_UPS_STATES.mains);
        else return false;
        return true;
      },
      close: () => fake.close(),
    };
  },
};
