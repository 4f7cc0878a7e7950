import { isIP } from 'node:net';
import type { Translate } from '../../core/i18n.ts';
import type { Action, Block } from '../../core/outmessage.ts';
import type { BlockedQuery, BlockingState, PiholeClient } from '../../services/pihole/client.ts';
import { checkDomain, matchProtected } from '../../services/pihole/domain.ts';
import type { PiholeSnapshot } from '../../services/pihole/poller.ts';
import type { Poller } from '../../services/poller.ts';
import type { Principal } from '../../permissions/access.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { formatAge, readSnapshotOrReply, serviceErrorMessage, serviceErrorReason, snapshotFooter } from '../replies.ts';
import { unblockCommands, type UnblockDeps } from './unblock.ts';

/** What the Pi-hole commands need. */
export interface PiholeCommandDeps extends UnblockDeps {
  readonly client: UnblockDeps['client'] & Pick<PiholeClient, 'setBlocking' | 'blockedQueries'>;
  readonly poller: Poller<PiholeSnapshot>;
  /**
   * The client addresses whose lookups this person may see in /blocked: undefined = all (admins,
   * or while no device registry exists); a set = their own devices only.
   */
  readonly visibleClients?: (p: Principal) => ReadonlySet<string> | undefined;
}

const GROUP = 'pihole';
const PAUSES = ['5m', '30m', '1h'] as const;
const MAX_BLOCKED_LINES = 15;
const UNBLOCK_BUTTONS = 3;

const label = (t: Translate): string => t('pihole.label');

/** "on", "paused, back in 4m", "off"… for a blocking state seen `ageMs` ago. */
export function blockingText(t: Translate, b: BlockingState, ageMs = 0): string {
  if (b.state === 'disabled' && b.timerSec !== null) {
    return t('pihole.state.paused', { left: formatDurationShort(Math.max(1000, b.timerSec * 1000 - ageMs)) });
  }
  return t(`pihole.state.${b.state}`);
}

function num(ctx: CommandContext, n: number): string {
  return n.toLocaleString(ctx.lang);
}

/** Short button label for a domain (Telegram/Discord labels are small). */
function shortDomain(d: string): string {
  return d.length > 32 ? `…${d.slice(-31)}` : d;
}

/** /pihole, /pihole_pause, /pihole_resume, /blocked, plus /unblock and /allow. */
export function piholeCommands(deps: PiholeCommandDeps): AnyCommand[] {
  const { client, poller } = deps;

  const pauseButtons = (ctx: CommandContext): Action[] =>
    PAUSES.map((d) =>
      ctx.action(ctx.t('pihole.button.pause', { duration: formatDurationShort(parseShort(d)) }), 'pihole_pause', { duration: d }),
    );

  const pihole = defineCommand({
    name: 'pihole',
    group: GROUP,
    summaryKey: 'pihole.status.summary',
    args: {},
    permission: 'pihole.status.read',
    async run(ctx) {
      const read = await readSnapshotOrReply(poller, 30_000, ctx.t, { serviceLabel: label(ctx.t), checkingKey: 'pihole.status.checking' });
      if ('blocks' in read) return read;
      const { snap, value, at } = read;
      const { blocking, summary: s } = value;
      const blocks: Block[] = [
        {
          kind: 'fields',
          fields: [
            { label: ctx.t('pihole.status.blocking'), value: blockingText(ctx.t, blocking, ctx.now() - at) },
            { label: ctx.t('pihole.status.queries'), value: num(ctx, s.queriesTotal) },
            {
              label: ctx.t('pihole.status.blocked'),
              value: ctx.t('pihole.status.blockedValue', { n: num(ctx, s.queriesBlocked), percent: s.percentBlocked.toFixed(1) }),
            },
            {
              label: ctx.t('pihole.status.clients'),
              value: ctx.t('pihole.status.clientsValue', { active: s.clientsActive, total: s.clientsTotal }),
            },
            ...(s.gravityDomains !== null
              ? [
                  {
                    label: ctx.t('pihole.status.blocklist'),
                    value: ctx.t('pihole.status.blocklistValue', { n: num(ctx, s.gravityDomains) }),
                  },
                ]
              : []),
          ],
        },
      ];
      if (value.topBlocked?.length) {
        blocks.push({ kind: 'text', text: ctx.t('pihole.status.topBlocked') });
        blocks.push({
          kind: 'list',
          items: value.topBlocked.map((d) => ctx.t('pihole.status.countItem', { name: d.domain, n: num(ctx, d.count) })),
        });
      }
      if (value.topClients?.length) {
        blocks.push({ kind: 'text', text: ctx.t('pihole.status.topClients') });
        blocks.push({
          kind: 'list',
          items: value.topClients.map((c) => ctx.t('pihole.status.countItem', { name: c.name ?? c.ip, n: num(ctx, c.count) })),
        });
      }
      if (snap.status === 'failed')
        blocks.push({ kind: 'text', text: ctx.t('pihole.status.stale', { reason: serviceErrorReason(ctx.t, snap.error) }) });
      const actions =
        blocking.state === 'disabled'
          ? [[ctx.action(ctx.t('pihole.button.resume'), 'pihole_resume', {}, { style: 'primary' })]]
          : [pauseButtons(ctx)];
      const footer = snapshotFooter(ctx.t, snap, ctx.now());
      return { title: ctx.t('pihole.status.title'), blocks, actions, ...(footer ? { footer } : {}) };
    },
  });

  const pause = defineCommand({
    name: 'pihole_pause',
    group: GROUP,
    summaryKey: 'pihole.pause.summary',
    args: { duration: arg.duration({ descriptionKey: 'pihole.pause.duration', required: false, minMs: 30_000, maxMs: 24 * 3_600_000 }) },
    permission: 'pihole.blocking.pause',
    mutates: true,
    async run(ctx, { duration }) {
      if (duration === undefined) {
        return { blocks: [{ kind: 'text', text: ctx.t('pihole.pause.choose') }], actions: [pauseButtons(ctx)] };
      }
      const r = await client.setBlocking(false, Math.round(duration / 1000));
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, label(ctx.t));
      await poller.refresh(); // so /pihole, /status and the alert rule see the pause at once
      return {
        blocks: [{ kind: 'text', text: ctx.t('pihole.pause.done', { duration: formatDurationShort(duration) }) }],
        severity: 'success',
        actions: [[ctx.action(ctx.t('pihole.button.resume'), 'pihole_resume', {}, { style: 'primary' })]],
      };
    },
  });

  const resume = defineCommand({
    name: 'pihole_resume',
    group: GROUP,
    summaryKey: 'pihole.resume.summary',
    args: {},
    permission: 'pihole.blocking.pause',
    mutates: true,
    async run(ctx) {
      const r = await client.setBlocking(true);
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, label(ctx.t));
      await poller.refresh();
      return { blocks: [{ kind: 'text', text: ctx.t('pihole.resume.done') }], severity: 'success' };
    },
  });

  const blocked = defineCommand({
    name: 'blocked',
    group: GROUP,
    summaryKey: 'pihole.blocked.summary',
    args: { filter: arg.string({ descriptionKey: 'pihole.blocked.filter', required: false, maxLength: 253 }) },
    permission: 'pihole.status.read',
    // Which sites someone's devices looked up is theirs (the household's, for an admin): asked in a group, it goes privately.
    ephemeral: true,
    async run(ctx, { filter }) {
      const visible = deps.visibleClients?.(ctx.principal);
      if (visible?.size === 0) return { blocks: [{ kind: 'text', text: ctx.t('pihole.blocked.noDevices') }] };
      // Only their own devices: ask for more lines so the filter still leaves a useful list.
      const found = await findBlocked(client, filter, visible ? 500 : undefined);
      if (found === 'bad') return { blocks: [{ kind: 'text', text: ctx.t('pihole.blocked.badFilter') }], severity: 'warning' };
      if (!found.ok) return serviceErrorMessage(ctx.t, found.error, label(ctx.t));
      const list = found.value.filter((q) => !visible || visible.has(q.clientIp)).slice(0, MAX_BLOCKED_LINES);
      if (list.length === 0) {
        return { blocks: [{ kind: 'text', text: filter ? ctx.t('pihole.blocked.noneFor', { filter }) : ctx.t('pihole.blocked.none') }] };
      }
      const items = list.map((q) =>
        ctx.t('pihole.blocked.item', { domain: q.domain, client: q.clientName ?? q.clientIp, age: formatAge(ctx.t, ctx.now() - q.at) }),
      );
      const domains = [...new Set(list.map((q) => q.domain))]
        .filter((d) => matchProtected(d, deps.protectedDomains) === undefined)
        .slice(0, UNBLOCK_BUTTONS);
      const actions = domains.map((d) => [
        ctx.action(ctx.t('pihole.button.unblock', { domain: shortDomain(d) }), 'unblock', { domain: d }),
      ]);
      return {
        title: filter ? ctx.t('pihole.blocked.titleFor', { filter }) : ctx.t('pihole.blocked.title'),
        blocks: [
          { kind: 'list', items },
          { kind: 'text', text: ctx.t('pihole.blocked.hint') },
        ],
        ...(actions.length ? { actions } : {}),
      };
    },
  });

  return [pihole, pause, resume, blocked, ...unblockCommands(deps)];
}

/**
 * Decides what a /blocked argument means: an IP is a client address; something with a dot that
 * is a valid domain is a domain (and its subdomains); a plain word is a device name (`tv` also
 * matches `tv.lan`). Whatever finds nothing that way is looked for inside the blocked domain
 * names, so `doubleclick` finds `googleads.g.doubleclick.net`.
 */
async function findBlocked(client: PiholeCommandDeps['client'], filter: string | undefined, wide?: number) {
  const limit = wide ?? 100;
  if (!filter) return client.blockedQueries({ limit: wide ?? MAX_BLOCKED_LINES });
  const f = filter.trim();
  if (isIP(f)) return client.blockedQueries({ clientIp: f, limit });
  if (!/^[\p{L}\p{N}_.-]{1,253}$/u.test(f)) return 'bad' as const;
  const word = f.toLowerCase();
  const d = f.includes('.') ? checkDomain(f) : undefined;
  if (d?.ok) {
    const r = await client.blockedQueries({ domain: `*${d.value}`, limit });
    if (!r.ok) return r;
    const hits = r.value.filter((q: BlockedQuery) => q.domain === d.value || q.domain.endsWith(`.${d.value}`));
    if (hits.length > 0) return { ok: true as const, value: hits };
  }
  const byName = await client.blockedQueries({ clientName: `${word}*`, limit });
  if (!byName.ok) return byName;
  const devices = byName.value.filter(
    (q) => q.clientName !== null && (q.clientName.toLowerCase() === word || q.clientName.toLowerCase().startsWith(`${word}.`)),
  );
  if (devices.length > 0) return { ok: true as const, value: devices };
  // FTL's `*` wildcard: the word anywhere in the domain; re-checked here like the status.
  const inDomain = await client.blockedQueries({ domain: `*${word}*`, limit });
  if (!inDomain.ok) return inDomain;
  return { ok: true as const, value: inDomain.value.filter((q) => q.domain.toLowerCase().includes(word)) };
}

function parseShort(d: string): number {
  return d.endsWith('h') ? Number(d.slice(0, -1)) * 3_600_000 : Number(d.slice(0, -1)) * 60_000;
}
