import { textMessage, type Action, type Block, type OutMessage } from '../../core/outmessage.ts';
import type { Poller } from '../../services/poller.ts';
import type { TransmissionClient, Torrent } from '../../services/transmission/client.ts';
import type { TransmissionState } from '../../services/transmission/poller.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { formatBytes, readSnapshotOrReply, serviceErrorMessage, serviceErrorReason, snapshotFooter } from '../replies.ts';
import { matchTorrents, shortName, sortForList, torrentItem } from './format.ts';
import type { TorrentStore } from './store.ts';

/** What the download commands need. */
export interface TorrentCommandDeps {
  readonly client: Pick<
    TransmissionClient,
    'list' | 'start' | 'stop' | 'remove' | 'turtle' | 'setTurtle' | 'freeSpace' | 'addMagnet' | 'addUrl' | 'addTorrentFile'
  >;
  readonly poller: Poller<TransmissionState>;
  readonly store: TorrentStore;
  /** Named download folders from the config (name → path). */
  readonly folders: Readonly<Record<string, string>>;
  readonly maxTorrentFileBytes: number;
}

/** The /help group (and area id) of the download commands. */
export const GROUP = 'downloads';
const PAGE_SIZE = 6;
const MAX_CANDIDATES = 5;

/** The service's household name, for error messages. */
export const torrentsLabel = (ctx: CommandContext): string => ctx.t('downloads.label');

const torrentArg = arg.string({ descriptionKey: 'downloads.control.torrent', maxLength: 200, rest: true, autocomplete: 'torrent' });

/**
 * Finds one torrent by hash or name fragment. Several matches → a message with one button
 * per candidate that re-runs `command` for that hash; no match → a message.
 */
async function resolveOne(
  ctx: CommandContext,
  deps: TorrentCommandDeps,
  query: string,
  command: string,
  buttonLabel: (x: Torrent) => string,
  keep: Record<string, string> = {},
): Promise<Torrent | OutMessage> {
  const list = await deps.client.list();
  if (!list.ok) return serviceErrorMessage(ctx.t, list.error, torrentsLabel(ctx));
  const hits = matchTorrents(list.value, query);
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0) {
    const key = /^#?\d+$/.test(query.trim()) ? 'downloads.notFoundNumber' : 'downloads.notFound';
    return { blocks: [{ kind: 'text', text: ctx.t(key, { query: shortName(query, 40) }) }], severity: 'warning' };
  }
  // Each candidate re-runs the same command for that download, with the other arguments kept.
  return {
    blocks: [{ kind: 'text', text: ctx.t('downloads.ambiguous', { query: shortName(query, 40) }) }],
    actions: hits.slice(0, MAX_CANDIDATES).map((x) => [ctx.action(buttonLabel(x), command, { ...keep, torrent: x.hash })]),
  };
}

const isTorrent = (x: Torrent | OutMessage): x is Torrent => 'hash' in x;

/** /torrents, /pausetorrent, /resumetorrent, /removetorrent, /turtle, /freespace. */
export function torrentCommands(deps: TorrentCommandDeps): AnyCommand[] {
  const { client, poller } = deps;

  const torrents = defineCommand({
    name: 'torrents',
    group: GROUP,
    summaryKey: 'downloads.list.summary',
    args: { page: arg.integer({ descriptionKey: 'downloads.list.page', required: false, min: 1, max: 1000 }) },
    permission: 'downloads.status.read',
    async run(ctx, { page }) {
      const read = await readSnapshotOrReply(poller, 5_000, ctx.t, { serviceLabel: torrentsLabel(ctx), checkingKey: 'downloads.checking' });
      if ('blocks' in read) return read;
      const { snap, value } = read;
      const sorted = sortForList(value.torrents);
      const blocks: Block[] = [];
      // Transmission not answering now: the last list it gave, said to be old (the footer says how old).
      if (snap.status === 'failed')
        blocks.push({ kind: 'text', text: ctx.t('downloads.list.stale', { reason: serviceErrorReason(ctx.t, snap.error) }) });
      if (value.altSpeedEnabled) blocks.push({ kind: 'text', text: ctx.t('downloads.list.turtleOn') });
      if (sorted.length === 0) {
        blocks.push({ kind: 'text', text: ctx.t('downloads.list.empty') });
        return { title: ctx.t('downloads.list.title'), blocks };
      }
      const pages = Math.ceil(sorted.length / PAGE_SIZE);
      const current = Math.min(page ?? 1, pages);
      const first = (current - 1) * PAGE_SIZE;
      const shown = sorted.slice(first, first + PAGE_SIZE);
      // Numbered by Transmission's id: the number /pausetorrent, /resumetorrent and /removetorrent accept.
      blocks.push({ kind: 'list', items: shown.map((x) => torrentItem(ctx.t, x, x.id)) });
      if (pages > 1) blocks.push({ kind: 'text', text: ctx.t('downloads.list.pageOf', { page: current, pages }) });
      const actions: Action[][] = shown.map((x) => [
        x.status === 'stopped'
          ? ctx.action(ctx.t('downloads.button.resume', { n: x.id }), 'resumetorrent', { torrent: x.hash })
          : ctx.action(ctx.t('downloads.button.pause', { n: x.id }), 'pausetorrent', { torrent: x.hash }),
        ctx.action(ctx.t('downloads.button.remove', { n: x.id }), 'removetorrent', { torrent: x.hash }, { style: 'danger' }),
      ]);
      const nav: Action[] = [];
      if (current > 1) nav.push(ctx.action(ctx.t('downloads.list.prev'), 'torrents', { page: String(current - 1) }));
      if (current < pages) nav.push(ctx.action(ctx.t('downloads.list.next'), 'torrents', { page: String(current + 1) }));
      if (nav.length) actions.push(nav);
      const footer = snapshotFooter(ctx.t, snap, ctx.now());
      return { title: ctx.t('downloads.list.title'), blocks, actions, ...(footer ? { footer } : {}) };
    },
  });

  const control = (name: 'pausetorrent' | 'resumetorrent', pause: boolean): AnyCommand =>
    defineCommand({
      name,
      group: GROUP,
      summaryKey: pause ? 'downloads.pause.summary' : 'downloads.resume.summary',
      args: { torrent: torrentArg },
      permission: 'downloads.torrent.control',
      mutates: true,
      async run(ctx, { torrent }) {
        const found = await resolveOne(ctx, deps, torrent, name, (x) => `${pause ? '⏸' : '▶'} ${shortName(x.name, 40)}`);
        if (!isTorrent(found)) return found;
        // Pausing a paused download or resuming a running one changes nothing: say so, not "done".
        if (pause === (found.status === 'stopped')) {
          ctx.noChange();
          return textMessage(ctx.t(pause ? 'downloads.alreadyPaused' : 'downloads.alreadyRunning', { name: shortName(found.name) }));
        }
        const r = pause ? await client.stop([found.hash]) : await client.start([found.hash]);
        if (!r.ok) return serviceErrorMessage(ctx.t, r.error, torrentsLabel(ctx));
        await poller.refresh();
        return {
          blocks: [{ kind: 'text', text: ctx.t(pause ? 'downloads.paused' : 'downloads.resumed', { name: shortName(found.name) }) }],
          severity: 'success',
        };
      },
    });

  const remove = defineCommand({
    name: 'removetorrent',
    group: GROUP,
    summaryKey: 'downloads.remove.summary',
    args: {
      torrent: arg.string({ descriptionKey: 'downloads.control.torrent', maxLength: 200, autocomplete: 'torrent' }),
      data: arg.choice(['keep', 'delete'] as const, { descriptionKey: 'downloads.remove.data', required: false }),
    },
    permission: 'downloads.torrent.remove',
    mutates: true,
    // Deleting downloaded files cannot be undone: the pipeline asks first.
    destructive: (a) => a.data === 'delete',
    confirmKey: 'downloads.remove.confirmDelete',
    // Which download, by its real name, before "delete its files?" is asked.
    async preflight(ctx, { torrent, data }) {
      const found = await resolveOne(ctx, deps, torrent, 'removetorrent', (x) => `🗑 ${shortName(x.name, 40)}`, data ? { data } : {});
      return isTorrent(found) ? { confirmParams: { name: shortName(found.name) } } : found;
    },
    async run(ctx, { torrent, data }) {
      const found = await resolveOne(ctx, deps, torrent, 'removetorrent', (x) => `🗑 ${shortName(x.name, 40)}`, data ? { data } : {});
      if (!isTorrent(found)) return found;
      if (data === undefined) {
        return {
          blocks: [{ kind: 'text', text: ctx.t('downloads.remove.ask', { name: shortName(found.name) }) }],
          actions: [
            [
              ctx.action(ctx.t('downloads.remove.keepButton'), 'removetorrent', { torrent: found.hash, data: 'keep' }),
              ctx.action(
                ctx.t('downloads.remove.deleteButton'),
                'removetorrent',
                { torrent: found.hash, data: 'delete' },
                { style: 'danger' },
              ),
            ],
          ],
        };
      }
      const r = await client.remove([found.hash], data === 'delete');
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, torrentsLabel(ctx));
      deps.store.forget(found.hash);
      await poller.refresh();
      return {
        blocks: [
          { kind: 'text', text: ctx.t(data === 'delete' ? 'downloads.removedData' : 'downloads.removed', { name: shortName(found.name) }) },
        ],
        severity: 'success',
      };
    },
  });

  const turtle = defineCommand({
    name: 'turtle',
    group: GROUP,
    summaryKey: 'downloads.turtle.summary',
    args: { state: arg.choice(['on', 'off'] as const, { descriptionKey: 'downloads.turtle.state', required: false }) },
    permission: 'downloads.speed.set',
    mutates: (a) => a.state !== undefined, // without on/off it shows the state
    async run(ctx, { state }) {
      if (state !== undefined) {
        const r = await client.setTurtle(state === 'on');
        if (!r.ok) return serviceErrorMessage(ctx.t, r.error, torrentsLabel(ctx));
        await poller.refresh();
        return {
          blocks: [{ kind: 'text', text: ctx.t(state === 'on' ? 'downloads.turtle.isOn' : 'downloads.turtle.isOff') }],
          severity: 'success',
        };
      }
      const cur = await client.turtle();
      if (!cur.ok) return serviceErrorMessage(ctx.t, cur.error, torrentsLabel(ctx));
      const toggle = cur.value
        ? ctx.action(ctx.t('downloads.turtle.turnOff'), 'turtle', { state: 'off' })
        : ctx.action(ctx.t('downloads.turtle.turnOn'), 'turtle', { state: 'on' });
      return {
        blocks: [{ kind: 'text', text: ctx.t(cur.value ? 'downloads.turtle.isOn' : 'downloads.turtle.isOff') }],
        actions: [[toggle]],
      };
    },
  });

  const freespace = defineCommand({
    name: 'freespace',
    group: GROUP,
    summaryKey: 'downloads.space.summary',
    args: {},
    permission: 'downloads.status.read',
    async run(ctx) {
      const named = Object.entries(deps.folders);
      const targets: [string, string | undefined][] = named.length > 0 ? named : [[ctx.t('downloads.add.defaultFolder'), undefined]];
      const fields: { label: string; value: string }[] = [];
      for (const [label, path] of targets) {
        const r = await client.freeSpace(path);
        if (!r.ok) return serviceErrorMessage(ctx.t, r.error, torrentsLabel(ctx));
        const { freeBytes, totalBytes } = r.value;
        fields.push({
          label,
          value:
            totalBytes !== undefined
              ? ctx.t('downloads.space.valueOf', { free: formatBytes(freeBytes), total: formatBytes(totalBytes) })
              : ctx.t('downloads.space.value', { free: formatBytes(freeBytes) }),
        });
      }
      return { title: ctx.t('downloads.space.title'), blocks: [{ kind: 'fields', fields }] };
    },
  });

  return [torrents, control('pausetorrent', true), control('resumetorrent', false), remove, turtle, freespace];
}
