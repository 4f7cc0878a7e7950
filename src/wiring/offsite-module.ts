/** The off-site copy check: rclone's last successful sync read over SSH — poller, alert feed, /status line, digest part. */
import { offsiteDigest, offsiteStatusSection } from '../handlers/offsite/status.ts';
import { offsiteConditions } from '../services/offsite/alerts.ts';
import { OFFSITE_BACKEND, offsitePoller, type OffsiteState } from '../services/offsite/source.ts';
import { SshRunner } from '../services/ssh.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** Builds the off-site module, or undefined when the config has no `alerts.offsite` section. */
export function offsiteModule(ctx: WiringContext): FeatureModule | undefined {
  const c = ctx.config.alerts.offsite;
  if (!c) return undefined;
  const log = ctx.log.child({ backend: OFFSITE_BACKEND });
  const ssh = new SshRunner({
    host: c.ssh.host,
    port: c.ssh.port,
    username: c.ssh.username,
    privateKey: c.ssh.privateKey,
    privateKeyPath: c.ssh.privateKeyPath,
    password: c.ssh.password,
    hostKey: c.ssh.hostKey,
    timeoutMs: c.ssh.timeoutSeconds * 1000,
    service: OFFSITE_BACKEND,
  });
  const poller = offsitePoller(ssh, {
    command: c.command,
    intervalMs: c.pollSeconds * 1000,
    clock: ctx.clock,
    scheduler: ctx.scheduler,
    log,
  });
  const rules = { windowHours: c.windowHours };
  return {
    name: 'offsite',
    commands: [],
    statusSections: [offsiteStatusSection(poller, c.windowHours)],
    alertFeeds: [{ backend: OFFSITE_BACKEND, poller, rules: (v: OffsiteState, now: number) => offsiteConditions(v, now, rules) }],
    digestInput: () => offsiteDigest(poller),
    start() {
      poller.start();
    },
    async stop() {
      await poller.stop();
      await ssh.close();
    },
  };
}
