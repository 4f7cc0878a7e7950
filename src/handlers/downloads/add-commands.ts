import type { Result, ServiceError } from '../../core/errors.ts';
import type { Translate } from '../../core/i18n.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { AddedTorrent } from '../../services/transmission/client.ts';
import {
  inspectTorrentFile,
  parseMagnet,
  validateTorrentUrl,
  type MagnetProblem,
  type TorrentFileProblem,
  type UrlProblem,
} from '../../services/transmission/validate.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { chatAddress } from '../../core/chat-address.ts';
import { formatBytes, serviceErrorMessage } from '../replies.ts';
import { GROUP, torrentsLabel, type TorrentCommandDeps } from './commands.ts';
import { shortName } from './format.ts';

/** A plain message that is only a magnet link or a link to a .torrent file. */
export function claimTorrentLink(text: string): Record<string, string> | undefined {
  const s = text.trim();
  if (/\s/.test(s)) return undefined;
  if (/^magnet:\?/i.test(s)) return { link: s };
  if (/^https?:\/\/\S+\.torrent(\?\S*)?$/i.test(s)) return { link: s };
  return undefined;
}

type FolderChoice = { ok: true; dir: string | undefined; label: string } | { ok: false; reply: OutMessage };

/** The folder's directory, or undefined when no folder has that name. */
function folderDir(deps: TorrentCommandDeps, folder: string): string | undefined {
  // Own keys only: `constructor` or `__proto__` must not resolve through the prototype.
  const dir = Object.hasOwn(deps.folders, folder) ? deps.folders[folder] : undefined;
  return typeof dir === 'string' ? dir : undefined;
}

/** The refusal of a folder that does not exist, naming the ones that do; undefined when it exists (or none is named). */
function unknownFolder(t: Translate, deps: TorrentCommandDeps, folder: string | undefined): OutMessage | undefined {
  if (folder === undefined || folderDir(deps, folder) !== undefined) return undefined;
  const names = Object.keys(deps.folders);
  const folders = names.length ? names.join(', ') : t('downloads.add.defaultFolder');
  return {
    blocks: [{ kind: 'text', text: t('downloads.add.unknownFolder', { folder: shortName(folder, 30), folders }) }],
    severity: 'warning',
  };
}

/** The folder to download into: the one named, the only one configured, or ask with buttons. */
function chooseFolder(
  ctx: CommandContext,
  deps: TorrentCommandDeps,
  folder: string | undefined,
  ask: (name: string) => OutMessage,
): FolderChoice {
  const names = Object.keys(deps.folders);
  if (folder !== undefined) {
    const dir = folderDir(deps, folder);
    if (dir === undefined) return { ok: false, reply: unknownFolder(ctx.t, deps, folder)! };
    return { ok: true, dir, label: folder };
  }
  // An approved run never asks again: its buttons would belong to the requester, who may not add (a loop).
  if (names.length === 0 || ctx.approvedBy) return { ok: true, dir: undefined, label: ctx.t('downloads.add.defaultFolder') };
  if (names.length === 1) return { ok: true, dir: deps.folders[names[0]!], label: names[0]! };
  return { ok: false, reply: ask('') };
}

/** Records the adder (for the finish notification) and builds the reply. */
async function addedReply(
  ctx: CommandContext,
  deps: TorrentCommandDeps,
  r: Result<AddedTorrent, ServiceError>,
  folderLabel: string,
): Promise<OutMessage> {
  if (!r.ok) return serviceErrorMessage(ctx.t, r.error, torrentsLabel(ctx));
  const { hash, name, duplicate } = r.value;
  deps.store.recordAdded({ hash, name, chat: chatAddress(ctx.chat), addedBy: ctx.principal.identity }, ctx.now());
  await deps.poller.refresh(); // /torrents right after shows it
  const text = duplicate
    ? ctx.t('downloads.add.duplicate', { name: shortName(name) })
    : `${ctx.t('downloads.add.added', { name: shortName(name), folder: folderLabel })} ${ctx.t('downloads.add.notify')}`;
  return { blocks: [{ kind: 'text', text }], severity: duplicate ? 'info' : 'success' };
}

/** /addtorrent (also claimed from plain magnet/.torrent links) and the document-driven add. */
export function torrentAddCommands(deps: TorrentCommandDeps): AnyCommand[] {
  const folderArg = arg.string({ descriptionKey: 'downloads.add.folder', required: false, maxLength: 40 });

  const addtorrent = defineCommand({
    name: 'addtorrent',
    group: GROUP,
    summaryKey: 'downloads.add.summary',
    args: { link: arg.string({ descriptionKey: 'downloads.add.link', maxLength: 8192 }), folder: folderArg },
    permission: 'downloads.torrent.add',
    mutates: true,
    requestable: true,
    // The folder is chosen before an admin is asked, so the approver sees it and the approved run adds at once.
    requestChoices: (raw) =>
      raw.folder || Object.keys(deps.folders).length < 2
        ? undefined
        : Object.keys(deps.folders).map((f) => ({ label: f, raw: { ...raw, folder: f } })),
    // A folder that does not exist is refused before an admin is asked (the approved run would only fail).
    refuseRequest: (t, { folder }) => unknownFolder(t, deps, folder),
    fromText: claimTorrentLink,
    async run(ctx, { link, folder }) {
      const badLink = (reason: MagnetProblem | UrlProblem): OutMessage => ({
        blocks: [{ kind: 'text', text: ctx.t(`downloads.add.bad.${reason}`) }],
        severity: 'warning',
      });
      const isMagnet = /^magnet:/i.test(link);
      let display: string;
      if (isMagnet) {
        const m = parseMagnet(link);
        if (!m.ok) return badLink(m.error);
        display = m.value.displayName ?? m.value.infoHash;
      } else {
        const u = validateTorrentUrl(link);
        if (!u.ok) return badLink(u.error);
        display = safeDecode(new URL(u.value).pathname.split('/').pop() ?? '') || u.value;
      }
      const choice = chooseFolder(ctx, deps, folder, () => ({
        blocks: [{ kind: 'text', text: ctx.t('downloads.add.chooseFolder', { name: shortName(display, 50) }) }],
        actions: Object.keys(deps.folders).map((f) => [ctx.action(f, 'addtorrent', { link, folder: f })]),
      }));
      if (!choice.ok) return choice.reply;
      const opts = choice.dir !== undefined ? { downloadDir: choice.dir } : {};
      const r = isMagnet ? await deps.client.addMagnet(link, opts) : await deps.client.addUrl(link, opts);
      return addedReply(ctx, deps, r, choice.label);
    },
  });

  const addtorrentfile = defineCommand({
    name: 'addtorrentfile',
    group: GROUP,
    summaryKey: 'downloads.file.summary',
    args: {
      upload: arg.string({ descriptionKey: 'downloads.file.upload', required: false, maxLength: 32, pattern: /^[0-9a-f]+$/ }),
      folder: folderArg,
    },
    permission: 'downloads.torrent.add',
    mutates: true,
    hidden: true,
    buttonOnly: true,
    acceptsDocument: (fileName) => /\.torrent$/i.test(fileName),
    async run(ctx, { upload, folder }) {
      const max = deps.maxTorrentFileBytes;
      const bad = (reason: TorrentFileProblem): OutMessage => ({
        blocks: [{ kind: 'text', text: ctx.t(`downloads.file.bad.${reason}`, { max: formatBytes(max) }) }],
        severity: 'warning',
      });
      let bytes: Buffer;
      if (upload !== undefined) {
        const parked = deps.store.takePending(upload, ctx.principal.identity, ctx.now());
        if (!parked) return { blocks: [{ kind: 'text', text: ctx.t('downloads.file.expired') }], severity: 'warning' };
        bytes = parked.bytes;
      } else if (ctx.attachment) {
        // Refuse big files before downloading them from the chat platform.
        if (ctx.attachment.size > max) return bad('too-large');
        bytes = await ctx.attachment.download();
      } else {
        return { blocks: [{ kind: 'text', text: ctx.t('downloads.file.expired') }], severity: 'warning' };
      }
      const info = inspectTorrentFile(bytes, { maxBytes: max });
      if (!info.ok) return bad(info.error);
      const choice = chooseFolder(ctx, deps, folder, () => {
        const id = deps.store.savePending(
          ctx.attachment?.fileName ?? `${info.value.name}.torrent`,
          bytes,
          ctx.principal.identity,
          ctx.now(),
        );
        return {
          blocks: [{ kind: 'text', text: ctx.t('downloads.add.chooseFolder', { name: shortName(info.value.name, 50) }) }],
          actions: Object.keys(deps.folders).map((f) => [ctx.action(f, 'addtorrentfile', { upload: id, folder: f })]),
        };
      });
      if (!choice.ok) return choice.reply;
      const r = await deps.client.addTorrentFile(bytes, choice.dir !== undefined ? { downloadDir: choice.dir } : {});
      return addedReply(ctx, deps, r, choice.label);
    },
  });

  return [addtorrent, addtorrentfile];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
