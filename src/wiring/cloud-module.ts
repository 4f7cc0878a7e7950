/** The cloud area: Nextcloud HTTP client and poller, occ over SSH when configured, commands, alerts. */
import { cloudCheck } from '../alerts/restore-checks.ts';
import type { SshConfig } from '../core/config-schema.ts';
import { cloudCommands } from '../handlers/cloud/commands.ts';
import { cloudStatusSection } from '../handlers/cloud/status.ts';
import { nextcloudConditions } from '../services/nextcloud/alerts.ts';
import { NextcloudClient } from '../services/nextcloud/client.ts';
import { NextcloudOcc } from '../services/nextcloud/occ.ts';
import { createNextcloudPoller } from '../services/nextcloud/poller.ts';
import { SshRunner, type SshOptions } from '../services/ssh.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** SSH settings from the config section (the host key pin is mandatory there). */
export function sshOptionsFrom(c: SshConfig, service: string): SshOptions {
  return {
    host: c.host,
    port: c.port,
    username: c.username,
    hostKey: c.hostKey,
    timeoutMs: c.timeoutSeconds * 1000,
    service,
    ...(c.privateKey !== undefined ? { privateKey: c.privateKey } : {}),
    ...(c.privateKeyPath !== undefined ? { privateKeyPath: c.privateKeyPath } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
  };
}

/** Builds the cloud module, or undefined when the config has no `nextcloud` section. */
export function cloudModule(ctx: WiringContext): FeatureModule | undefined {
  const c = ctx.config.nextcloud;
  if (!c) return undefined;
  const log = ctx.log.child({ backend: 'nextcloud' });
  const client = new NextcloudClient({
    baseUrl: c.url,
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.appPassword !== undefined ? { appPassword: c.appPassword } : {}),
    ...(c.serverinfoToken !== undefined ? { serverinfoToken: c.serverinfoToken } : {}),
    ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}),
    clock: ctx.clock,
  });
  const poller = createNextcloudPoller(client, { intervalMs: c.pollSeconds * 1000, clock: ctx.clock, scheduler: ctx.scheduler, log });
  const ssh = c.occ ? new SshRunner(sshOptionsFrom(c.occ.ssh, 'nextcloud')) : undefined;
  const occ = ssh && c.occ ? new NextcloudOcc({ runner: ssh, commandPrefix: c.occ.command }) : undefined;

  return {
    name: 'cloud',
    commands: cloudCommands({ poller, ...(occ ? { occ } : {}) }),
    restoreChecks: [cloudCheck(poller)],
    statusSections: [cloudStatusSection(poller)],
    alertFeeds: [{ backend: 'nextcloud', poller, rules: (s) => nextcloudConditions(s) }],
    start() {
      poller.start();
    },
    async stop() {
      await poller.stop();
      await ssh?.close();
      await client.close();
    },
  };
}
