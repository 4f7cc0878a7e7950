import { changeWithDeadline } from '../../core/deadlines.ts';
import type { Translate } from '../../core/i18n.ts';
import type { Block, OutMessage } from '../../core/outmessage.ts';
import type { PiholeClient } from '../../services/pihole/client.ts';
import { checkDomain, matchProtected, type DomainCheck } from '../../services/pihole/domain.ts';
import type { Principal } from '../../permissions/access.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import { chatKey } from '../pipeline.ts';
import { notRecordedMessage, serviceErrorMessage } from '../replies.ts';
import type { TempAllowStore } from './store.ts';

/** What /unblock, /allow and the re-block button need. */
export interface UnblockDeps {
  readonly client: Pick<PiholeClient, 'addDomain' | 'removeDomain'>;
  readonly store: TempAllowStore;
  /** Default and longest temporary unblock (config pihole.unblock, in ms). */
  readonly unblock: { readonly defaultMs: number; readonly maxMs: number };
  /** Domains nobody may self-serve (config pihole.protectedDomains). */
  readonly protectedDomains: readonly string[];
  /** Called after a change so /pihole and alerts catch up. */
  readonly changed?: () => void;
}

const GROUP = 'pihole';
/** Marks entries the bot added, so people looking at the Pi-hole UI know where they came from. */
export const TEMP_COMMENT = 'chat bot: temporary allow';
export const PERMANENT_COMMENT = 'chat bot: allowed';

const label = (t: Translate): string => t('pihole.label');
const warn = (text: string): OutMessage => ({ blocks: [{ kind: 'text', text }], severity: 'warning' });
const isAdmin = (p: Principal | undefined): boolean => p?.role === 'owner' || p?.role === 'admin';

/** The user-facing explanation of a refused domain argument. */
export function domainProblem(t: Translate, input: string, c: Extract<DomainCheck, { ok: false }>): string {
  const value = input.trim().slice(0, 80);
  if (c.reason === 'protected') return t('pihole.domain.protected', { domain: value, entry: c.protectedBy ?? '' });
  return t(`pihole.domain.${c.reason}`, { domain: value });
}

/** /unblock (temporary, family self-service), /allow (permanent, admin or approved), hidden pihole-reblock. */
export function unblockCommands(deps: UnblockDeps): AnyCommand[] {
  const { client, store } = deps;

  const unblock = defineCommand({
    name: 'unblock',
    group: GROUP,
    summaryKey: 'pihole.unblock.summary',
    args: {
      domain: arg.string({ descriptionKey: 'pihole.unblock.domain', required: false, maxLength: 2048 }),
      duration: arg.duration({ descriptionKey: 'pihole.unblock.duration', required: false, minMs: 60_000, maxMs: 30 * 86_400_000 }),
    },
    permission: 'pihole.domain.allow-temporary',
    mutates: true,
    async run(ctx, { domain, duration }) {
      const { t } = ctx;
      if (domain === undefined) {
        const now = ctx.now();
        const held = store.all();
        if (held.length === 0) return { blocks: [{ kind: 'text', text: t('pihole.unblock.usage') }] };
        const items = held.map((e) =>
          t('pihole.unblock.heldItem', { domain: e.display, left: formatDurationShort(Math.max(1000, e.expiresAt - now)) }),
        );
        return { title: t('pihole.unblock.heldTitle'), blocks: [{ kind: 'list', items }] };
      }
      const c = checkDomain(domain, { protectedDomains: deps.protectedDomains });
      if (!c.ok) return warn(domainProblem(t, domain, c));
      const asked = duration ?? deps.unblock.defaultMs;
      const capped = asked > deps.unblock.maxMs;
      const span = Math.min(asked, deps.unblock.maxMs);
      const now = ctx.now();
      const held = store.get(c.value);
      const expiresAt = Math.max(held?.expiresAt ?? 0, now + span);
      const entry = { domain: c.value, display: c.display, expiresAt, chat: chatKey(ctx.chat), requestedBy: ctx.principal.identity };
      // The expiry is on disk before the allow exists: a crash or a full disk never leaves it allowed for good.
      const change = await changeWithDeadline(
        () => store.intend(entry, now),
        () => client.addDomain('allow', 'exact', c.value, `${TEMP_COMMENT} until ${new Date(now + span).toISOString()}`),
        // Allowed for good already (someone added it in Pi-hole): nothing to take away later.
        (add, previous) => add.created || previous !== undefined,
      );
      if (change.status === 'not-recorded') return notRecordedMessage(t);
      if (change.status === 'failed') return serviceErrorMessage(t, change.error, label(t));
      if (!change.kept) return { blocks: [{ kind: 'text', text: t('pihole.unblock.alreadyAllowed', { domain: c.display }) }] };
      deps.changed?.();
      const blocks: Block[] = [];
      if (c.fromUrl) blocks.push({ kind: 'text', text: t('pihole.unblock.fromUrl', { domain: c.display }) });
      blocks.push({
        kind: 'text',
        text: t(held ? 'pihole.unblock.extended' : 'pihole.unblock.done', {
          domain: c.display,
          duration: formatDurationShort(expiresAt - now),
        }),
      });
      if (capped) blocks.push({ kind: 'text', text: t('pihole.unblock.capped', { max: formatDurationShort(deps.unblock.maxMs) }) });
      blocks.push({ kind: 'text', text: t('pihole.unblock.cacheHint') });
      return {
        severity: 'success',
        blocks,
        actions: [
          [
            ctx.action(t('pihole.button.keep'), 'allow', { domain: c.value }),
            ctx.action(t('pihole.button.reblock'), 'pihole-reblock', { domain: c.value }, { style: 'danger' }),
          ],
        ],
      };
    },
  });

  const allow = defineCommand({
    name: 'allow',
    group: GROUP,
    summaryKey: 'pihole.allow.summary',
    args: {
      domain: arg.string({ descriptionKey: 'pihole.allow.domain', maxLength: 2048 }),
      kind: arg.choice(['exact', 'regex'] as const, { descriptionKey: 'pihole.allow.kind', required: false }),
    },
    permission: 'pihole.domain.allow',
    requestable: true,
    mutates: true,
    async run(ctx, { domain, kind }) {
      const { t } = ctx;
      const regex = kind === 'regex';
      // Patterns can open far more than one site: only an admin may use them; an approval does not lift it.
      if (regex && !isAdmin(ctx.principal)) return warn(t('pihole.allow.regexAdminOnly'));
      const c = checkDomain(domain, { regex });
      if (!c.ok) return warn(domainProblem(t, domain, c));
      const add = await client.addDomain('allow', c.kind, c.value, PERMANENT_COMMENT);
      if (!add.ok) return serviceErrorMessage(t, add.error, label(t));
      // It stays now: the expiry worker must not take it away.
      const wasTemporary = c.kind === 'exact' && store.remove(c.value);
      deps.changed?.();
      const blocks: Block[] = [
        { kind: 'text', text: t(add.value.created || wasTemporary ? 'pihole.allow.done' : 'pihole.allow.already', { domain: c.display }) },
      ];
      const hit = c.kind === 'exact' ? matchProtected(c.value, deps.protectedDomains) : undefined;
      if (hit) blocks.push({ kind: 'text', text: t('pihole.allow.protectedNote', { entry: hit }) });
      return { severity: 'success', blocks };
    },
  });

  const reblock = defineCommand({
    name: 'pihole-reblock',
    group: GROUP,
    summaryKey: 'pihole.reblock.summary',
    args: { domain: arg.string({ descriptionKey: 'pihole.unblock.domain', maxLength: 253 }) },
    permission: 'pihole.domain.allow-temporary',
    hidden: true,
    buttonOnly: true,
    mutates: true,
    async run(ctx, { domain }) {
      const { t } = ctx;
      // Only the bot's own temporary entries: this button must not remove a permanent allow.
      const held = store.get(domain);
      if (!held) return { blocks: [{ kind: 'text', text: t('pihole.reblock.notHeld') }] };
      const r = await client.removeDomain('allow', 'exact', held.domain);
      if (!r.ok) return serviceErrorMessage(t, r.error, label(t));
      store.remove(held.domain);
      deps.changed?.();
      return { severity: 'success', blocks: [{ kind: 'text', text: t('pihole.reblock.done', { domain: held.display }) }] };
    },
  });

  return [unblock, allow, reblock];
}
