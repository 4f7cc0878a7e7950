import { changeWithDeadline } from '../../core/deadlines.ts';
import type { Translate } from '../../core/i18n.ts';
import type { Action, Block, OutMessage } from '../../core/outmessage.ts';
import type { PiholeClient } from '../../services/pihole/client.ts';
import { checkDomain, matchProtected, type DomainCheck } from '../../services/pihole/domain.ts';
import type { Principal } from '../../permissions/access.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { chatAddress } from '../../core/chat-address.ts';
import { notRecordedMessage, serviceErrorMessage } from '../replies.ts';
import { TEMP_COMMENT, type ScopedAllows, type ScopedDevice } from './scope.ts';
import type { TempAllow, TempAllowStore } from './store.ts';

/** What /unblock, /allow and the re-block button need. */
export interface UnblockDeps {
  readonly client: Pick<PiholeClient, 'addDomain' | 'removeDomain' | 'domainEntry' | 'putDomain'>;
  readonly store: TempAllowStore;
  /** Default and longest temporary unblock (config pihole.unblock, in ms). */
  readonly unblock: { readonly defaultMs: number; readonly maxMs: number };
  /** Domains nobody may self-serve (config pihole.protectedDomains). */
  readonly protectedDomains: readonly string[];
  /** Called after a change so /pihole and alerts catch up. */
  readonly changed?: () => void;
  /**
   * Per-person unblocks (issue 17): a family member's /unblock holds for their own devices only.
   * Absent, or while the household has no device registry, every unblock is for everyone.
   */
  readonly scoped?: {
    readonly allows: ScopedAllows;
    /** The devices a person owns. */
    devicesOf(personId: number): ScopedDevice[];
    /** True once the router's devices are known (then a person without devices gets none). */
    registryInUse(): boolean;
  };
}

const GROUP = 'pihole';
export { TEMP_COMMENT } from './scope.ts';
/** The Pi-hole comment on a permanent allow made from chat (a temporary one carries TEMP_COMMENT). */
const PERMANENT_COMMENT = 'chat bot: allowed';

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

  const durationArg = arg.duration({ descriptionKey: 'pihole.unblock.duration', required: false, minMs: 60_000, maxMs: 30 * 86_400_000 });

  /** One unblock: for the asker's devices (family, once devices are known) or for everyone. */
  async function unblockRun(ctx: CommandContext, domain: string, duration: number | undefined, forEveryone: boolean): Promise<OutMessage> {
    const { t } = ctx;
    const c = checkDomain(domain, { protectedDomains: deps.protectedDomains });
    if (!c.ok) return warn(domainProblem(t, domain, c));
    const asked = duration ?? deps.unblock.defaultMs;
    const capped = asked > deps.unblock.maxMs;
    const span = Math.min(asked, deps.unblock.maxMs);
    const now = ctx.now();
    const scoped = deps.scoped;
    const everyone = forEveryone || !scoped?.registryInUse() || isAdmin(ctx.principal) || isAdmin(ctx.approvedBy);
    const personId = everyone ? undefined : ctx.principal.personId;
    const askEveryone = (): Action =>
      ctx.action(
        t('pihole.unblock.askEveryone'),
        'approval-request',
        {
          command: 'unblock-everyone',
          // The span that will run (default or capped), so the approver sees exactly what runs.
          args: JSON.stringify({ domain: c.value, duration: `${Math.round(span / 60_000)}m` }),
        },
        { oneShot: true },
      );
    const holds = store.holds(c.value);
    const held = holds.find((h) => h.personId === personId);
    if (personId !== undefined && holds.some((h) => h.personId === undefined))
      return { blocks: [{ kind: 'text', text: t('pihole.unblock.heldForEveryone', { domain: c.display }) }] };
    const expiresAt = Math.max(held?.expiresAt ?? 0, now + span);
    const entry: TempAllow = {
      domain: c.value,
      display: c.display,
      expiresAt,
      chat: chatAddress(ctx.chat),
      requestedBy: ctx.principal.identity,
      ...(personId !== undefined ? { personId } : {}),
    };
    let change;
    if (personId === undefined && holds.every((h) => h.personId === undefined)) {
      // The expiry is on disk before the allow exists: a crash or a full disk never leaves it allowed for good.
      change = await changeWithDeadline(
        () => store.intend(entry, now),
        () => client.addDomain('allow', 'exact', c.value, `${TEMP_COMMENT} until ${new Date(now + span).toISOString()}`),
        // Allowed for good already (someone added it in Pi-hole): nothing to take away later.
        (add, previous) => add.created || previous !== undefined,
      );
    } else {
      if (personId !== undefined) {
        const devices = scoped!.devicesOf(personId);
        if (devices.length === 0)
          return { blocks: [{ kind: 'text', text: t('pihole.unblock.noDevices') }], severity: 'warning', actions: [[askEveryone()]] };
        if (holds.length === 0) {
          const existing = await client.domainEntry('allow', 'exact', c.value);
          if (!existing.ok) return serviceErrorMessage(t, existing.error, label(t));
          if (existing.value) {
            ctx.noChange();
            return { blocks: [{ kind: 'text', text: t('pihole.unblock.alreadyAllowed', { domain: c.display }) }] };
          }
        }
        const enrolled = await scoped!.allows.enrol(personId, devices);
        if (!enrolled.ok) return serviceErrorMessage(t, enrolled.error, label(t));
      }
      // Intent first; the entry's groups then cover everyone holding it, this hold included.
      change = await changeWithDeadline(
        () => store.intend(entry, now),
        () => scoped!.allows.sync(c.value),
      );
    }
    if (change.status === 'not-recorded') return notRecordedMessage(t);
    if (change.status === 'failed') return serviceErrorMessage(t, change.error, label(t));
    if (!change.kept) {
      ctx.noChange();
      return { blocks: [{ kind: 'text', text: t('pihole.unblock.alreadyAllowed', { domain: c.display }) }] };
    }
    deps.changed?.();
    const blocks: Block[] = [];
    if (c.fromUrl) blocks.push({ kind: 'text', text: t('pihole.unblock.fromUrl', { domain: c.display }) });
    const key =
      personId === undefined
        ? held
          ? 'pihole.unblock.extended'
          : 'pihole.unblock.done'
        : held
          ? 'pihole.unblock.extendedMine'
          : 'pihole.unblock.doneMine';
    blocks.push({ kind: 'text', text: t(key, { domain: c.display, duration: formatDurationShort(expiresAt - now) }) });
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
        ...(personId !== undefined ? [[askEveryone()]] : []),
      ],
    };
  }

  const unblock = defineCommand({
    name: 'unblock',
    group: GROUP,
    summaryKey: 'pihole.unblock.summary',
    args: {
      domain: arg.string({ descriptionKey: 'pihole.unblock.domain', required: false, maxLength: 2048 }),
      duration: durationArg,
    },
    permission: 'pihole.domain.allow-temporary',
    mutates: (a) => a.domain !== undefined, // without a site it lists the unblocked ones
    async run(ctx, { domain, duration }) {
      const { t } = ctx;
      if (domain === undefined) {
        const now = ctx.now();
        // Family see their own holds and the household's; admins see all.
        const held = store.all().filter((e) => isAdmin(ctx.principal) || e.personId === undefined || e.personId === ctx.principal.personId);
        if (held.length === 0) return { blocks: [{ kind: 'text', text: t('pihole.unblock.usage') }] };
        const items = held.map((e) =>
          t(e.personId === undefined ? 'pihole.unblock.heldItem' : 'pihole.unblock.heldItemFor', {
            domain: e.display,
            left: formatDurationShort(Math.max(1000, e.expiresAt - now)),
          }),
        );
        return { title: t('pihole.unblock.heldTitle'), blocks: [{ kind: 'list', items }] };
      }
      return unblockRun(ctx, domain, duration, false);
    },
  });

  const unblockEveryone = defineCommand({
    name: 'unblock-everyone',
    group: GROUP,
    summaryKey: 'pihole.unblock.everyoneSummary',
    args: { domain: arg.string({ descriptionKey: 'pihole.unblock.domain', maxLength: 2048 }), duration: durationArg },
    permission: 'pihole.domain.allow-everyone',
    requestable: true,
    hidden: true,
    mutates: true,
    run: (ctx, { domain, duration }) => unblockRun(ctx, domain, duration, true),
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
      const holds = c.kind === 'exact' ? store.holds(c.value) : [];
      let changed: boolean;
      if (holds.length === 0) {
        const add = await client.addDomain('allow', c.kind, c.value, PERMANENT_COMMENT);
        if (!add.ok) return serviceErrorMessage(t, add.error, label(t));
        changed = add.value.created;
      } else {
        // Held for a while now: it stays, for everyone. The holds are marked as ending before Pi-hole
        // changes; one PUT (create or replace) then gives the entry the permanent comment and the
        // Default group. A crash in between is settled at start by that comment (expiry.ts): still
        // temporary, the holds stand and end on time; permanent, they go.
        const change = await changeWithDeadline(
          () => store.intendPermanent(holds, ctx.now()),
          () => client.putDomain('allow', 'exact', c.value, [0], PERMANENT_COMMENT),
        );
        if (change.status === 'not-recorded') return notRecordedMessage(t);
        if (change.status === 'failed') return serviceErrorMessage(t, change.error, label(t));
        changed = true;
      }
      deps.changed?.();
      const blocks: Block[] = [{ kind: 'text', text: t(changed ? 'pihole.allow.done' : 'pihole.allow.already', { domain: c.display }) }];
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
      // Family end their own hold; an admin ends the household's (or else the first one there is).
      const holds = store.holds(domain);
      const held = isAdmin(ctx.principal)
        ? (holds.find((h) => h.personId === undefined) ?? holds[0])
        : (holds.find((h) => h.personId === ctx.principal.personId) ?? (deps.scoped?.registryInUse() ? undefined : holds[0]));
      if (!held) return { blocks: [{ kind: 'text', text: t('pihole.reblock.notHeld') }] };
      const r =
        holds.length > 1 && deps.scoped
          ? await deps.scoped.allows.sync(held.domain, held)
          : await client.removeDomain('allow', 'exact', held.domain);
      if (!r.ok) return serviceErrorMessage(t, r.error, label(t));
      store.remove(held.domain, undefined, held.personId);
      deps.changed?.();
      // Another hold still lets it through: say so, never "blocked again" while it is not.
      const rest = store.holds(held.domain);
      if (rest.length > 0) {
        const household = rest.find((h) => h.personId === undefined);
        const left = formatDurationShort(Math.max(1000, Math.max(...(household ? [household] : rest).map((h) => h.expiresAt)) - ctx.now()));
        const key = household ? 'pihole.reblock.stillForEveryone' : 'pihole.reblock.stillForSome';
        return { blocks: [{ kind: 'text', text: t(key, { domain: held.display, left }) }] };
      }
      return { severity: 'success', blocks: [{ kind: 'text', text: t('pihole.reblock.done', { domain: held.display }) }] };
    },
  });

  return [unblock, unblockEveryone, allow, reblock];
}
