/** The NAS area: OpenMediaVault and/or md RAID over SSH — pollers, /nas, /status line, alert rules. */
import { storageCheck } from '../alerts/restore-checks.ts';
import { nasCommands } from '../handlers/nas/commands.ts';
import { nasDigest, nasStatusSection } from '../handlers/nas/status.ts';
import { OmvLoginMarks } from '../handlers/nas/store.ts';
import { raidConditions } from '../services/mdadm/alerts.ts';
import type { RaidArray } from '../services/mdadm/raid.ts';
import { MdadmSource, mdadmPoller } from '../services/mdadm/source.ts';
import { omvConditions } from '../services/omv/alerts.ts';
import { OmvClient } from '../services/omv/client.ts';
import { omvPoller, type OmvSnapshot } from '../services/omv/poller.ts';
import type { Poller } from '../services/poller.ts';
import { SshRunner } from '../services/ssh.ts';
import type { AlertFeed, FeatureModule, WiringContext } from './module.ts';

/** Builds the NAS module, or undefined when neither `omv` nor `mdadm` is configured. */
export function nasModule(ctx: WiringContext): FeatureModule | undefined {
  const o = ctx.config.omv;
  const m = ctx.config.mdadm;
  if (!o && !m) return undefined;
  const feeds: (AlertFeed<OmvSnapshot> | AlertFeed<RaidArray[]>)[] = [];
  /** One per backend: its poller stops, then its client closes (OMV logs out). */
  const closers: (() => Promise<void>)[] = [];
  let omv: Poller<OmvSnapshot> | undefined;
  let mdadm: Poller<RaidArray[]> | undefined;

  if (o) {
    const log = ctx.log.child({ backend: 'omv' });
    const client = new OmvClient({
      baseUrl: o.url,
      username: o.username,
      password: o.password,
      fingerprint: o.fingerprint,
      loginMarks: new OmvLoginMarks(ctx.db),
    });
    const poller = omvPoller(client, { intervalMs: o.pollSeconds * 1000, clock: ctx.clock, scheduler: ctx.scheduler, log });
    const rules = { filesystemWarnPercent: o.filesystemWarnPercent, filesystemCritPercent: o.filesystemCritPercent };
    feeds.push({ backend: 'omv', poller, rules: (v: OmvSnapshot) => omvConditions(v, rules) });
    closers.push(async () => {
      await poller.stop();
      await client.close();
    });
    omv = poller;
  }
  if (m) {
    const log = ctx.log.child({ backend: 'mdadm' });
    const ssh = new SshRunner({
      host: m.ssh.host,
      port: m.ssh.port,
      username: m.ssh.username,
      privateKey: m.ssh.privateKey,
      privateKeyPath: m.ssh.privateKeyPath,
      password: m.ssh.password,
      hostKey: m.ssh.hostKey,
      timeoutMs: m.ssh.timeoutSeconds * 1000,
      service: 'mdadm',
    });
    const poller = mdadmPoller(new MdadmSource(ssh, { command: m.command }), {
      intervalMs: m.pollSeconds * 1000,
      clock: ctx.clock,
      scheduler: ctx.scheduler,
      log,
    });
    feeds.push({ backend: 'mdadm', poller, rules: (v: RaidArray[]) => raidConditions(v, { host: m.ssh.host, backend: 'mdadm' }) });
    closers.push(async () => {
      await poller.stop();
      await ssh.close();
    });
    mdadm = poller;
  }

  return {
    name: 'nas',
    commands: nasCommands({
      ...(omv ? { omv } : {}),
      ...(mdadm ? { mdadm, mdadmHost: m?.ssh.host } : {}),
      filesystemWarnPercent: o?.filesystemWarnPercent ?? 85,
      filesystemCritPercent: o?.filesystemCritPercent ?? 95,
    }),
    statusSections: [nasStatusSection(omv, mdadm)],
    alertFeeds: feeds,
    digestInput: () => nasDigest(omv, mdadm),
    ...(omv || mdadm ? { restoreChecks: [storageCheck(omv, mdadm)] } : {}),
    start() {
      omv?.start();
      mdadm?.start();
    },
    async stop() {
      // OMV's logout (bounded) and the SSH close wait side by side.
      await Promise.all(closers.map((close) => close()));
    },
  };
}
