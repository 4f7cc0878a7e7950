/** The downloads area: Transmission client, poller, finish notifications, commands. */
import { torrentAddCommands } from '../handlers/downloads/add-commands.ts';
import { torrentCommands, type TorrentCommandDeps } from '../handlers/downloads/commands.ts';
import { TorrentFinishNotifier } from '../handlers/downloads/notifier.ts';
import { TorrentStore } from '../handlers/downloads/store.ts';
import { downloadsStatusSection } from '../handlers/downloads/status.ts';
import { TransmissionClient } from '../services/transmission/client.ts';
import { createTransmissionPoller } from '../services/transmission/poller.ts';
import { snapshotValue } from '../services/poller.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** Builds the downloads module, or undefined when the config has no `transmission` section. */
export function downloadsModule(ctx: WiringContext): FeatureModule | undefined {
  const c = ctx.config.transmission;
  if (!c) return undefined;
  const client = new TransmissionClient({
    baseUrl: c.url,
    username: c.username,
    password: c.password,
    maxTorrentFileBytes: c.maxTorrentFileBytes,
  });
  const poller = createTransmissionPoller(client, {
    intervalMs: c.pollSeconds * 1000,
    clock: ctx.clock,
    scheduler: ctx.scheduler,
    log: ctx.log.child({ backend: 'transmission' }),
  });
  const store = new TorrentStore(ctx.db);
  const notifier = new TorrentFinishNotifier(store, (d, r, k) => ctx.notify(d, r, k), ctx.clock);
  poller.onRefresh(notifier.onRefresh);
  const deps: TorrentCommandDeps = { client, poller, store, folders: c.downloadDirs, maxTorrentFileBytes: c.maxTorrentFileBytes };

  return {
    name: 'downloads',
    commands: [...torrentCommands(deps), ...torrentAddCommands(deps)],
    statusSections: [downloadsStatusSection(poller)],
    // Finishes are personal notices (above), not alerts; the feed reports reachability.
    alertFeeds: [{ backend: 'transmission', poller, rules: () => [] }],
    // Discord autocomplete for the torrent argument, from the cached snapshot.
    completions: { torrent: () => (snapshotValue(poller.snapshot)?.torrents ?? []).map((t) => t.name) },
    start() {
      poller.start();
    },
    async stop() {
      await poller.stop();
      await client.close();
    },
  };
}
