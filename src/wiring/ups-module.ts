/** The UPS area: NUT client, a 2-second poller, its /status line, alert feed and digest part. */
import { upsDigest, upsStatusSection } from '../handlers/ups/status.ts';
import { upsConditions } from '../services/nut/alerts.ts';
import { NutClient } from '../services/nut/client.ts';
import { createNutPoller } from '../services/nut/poller.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** Builds the UPS module, or undefined when the config has no `nut` section. */
export function upsModule(ctx: WiringContext): FeatureModule | undefined {
  const c = ctx.config.nut;
  if (!c) return undefined;
  const log = ctx.log.child({ backend: 'nut' });
  const client = new NutClient({
    host: c.host,
    port: c.port,
    timeoutMs: Math.max(1000, Math.min(5000, c.pollSeconds * 1000)),
    ...(c.username !== undefined ? { username: c.username, password: c.password ?? '' } : {}),
  });
  const poller = createNutPoller(client, c.ups, ctx.clock, log, c.pollSeconds * 1000, ctx.scheduler);
  return {
    name: 'ups',
    commands: [],
    statusSections: [upsStatusSection(poller)],
    alertFeeds: [{ backend: 'nut', poller, rules: (s) => upsConditions(s) }],
    digestInput: () => upsDigest(poller),
    start() {
      poller.start();
    },
    async stop() {
      await poller.stop();
    },
  };
}
