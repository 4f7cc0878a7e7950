/**
 * The people-and-permissions area: /role, /grant, /revoke, /invite, /link, /audit, /ceiling,
 * /setup, the approval flow, invite acceptance for /start, the owner's stranger notice, /ignored
 * and the daily forgetting of strangers.
 * Always present (it needs no config section), given the composition root's shared services.
 */
import { Approvals } from '../permissions/approvals.ts';
import { Invites } from '../permissions/invites.ts';
import { Linking } from '../permissions/linking.ts';
import { strangerRetention } from '../permissions/stranger-retention.ts';
import { approvalCommands, askAnAdmin } from '../handlers/permissions/approvals.ts';
import { strangerCommands, strangerNotices } from '../handlers/permissions/strangers.ts';
import { permissionCommands } from '../handlers/permissions/commands.ts';
import type { PermissionDeps } from '../handlers/permissions/deps.ts';
import type { InviteAcceptor } from '../handlers/builtin/commands.ts';
import type { ReplySink } from '../handlers/pipeline.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** The permissions module, which also accepts the invite codes /start carries (wired explicitly by the root). */
export interface PermissionsModule extends FeatureModule {
  readonly acceptInvite: InviteAcceptor;
}

/** Builds the permissions module; undefined when the root did not share its services (unit wiring). */
export function permissionsModule(ctx: WiringContext): PermissionsModule | undefined {
  const shared = ctx.shared;
  if (!shared) return undefined;
  const { access, audit, tokens } = shared;
  const { people, grants, management, setup } = shared.permissions;
  const invites = new Invites(ctx.db, ctx.clock, people, access);
  const retention = strangerRetention(people, audit, ctx.clock, ctx.scheduler);
  const deps: PermissionDeps = {
    access,
    people,
    grants,
    management,
    setup,
    invites,
    linking: new Linking(ctx.db, ctx.clock, people),
    approvals: new Approvals(ctx.db, ctx.clock, access),
    audit,
    tokens,
    messages: ctx.messages,
    registry: shared.registry,
    notify: ctx.notify,
    telegramUsername: shared.telegramUsername,
    inviteTtlMs: ctx.config.permissions.inviteTtlHours * 3_600_000,
    timeZone: ctx.config.timezone,
    now: () => ctx.clock.now(),
    async runApproved(request, requester, approver) {
      const command = shared.registry().get(request.command);
      if (!command) return;
      const lang = access.languageOf(requester.identity) ?? ctx.config.language;
      // The approved run's result is the requester's: it goes to their private chat, in their language.
      const sink: ReplySink = {
        send: async (m) => {
          ctx.notify(requester.identity, () => m);
          return { edit: async () => undefined };
        },
      };
      // The approver's right was checked by Approvals.decide where they decided (a group's
      // ceiling on the requester's chat must not undo a deliberate approval).
      await shared.pipeline().run({
        command,
        raw: request.args,
        caller: requester,
        chat: request.chat,
        lang,
        t: ctx.messages.forLanguage(lang),
        sink,
        approvedBy: approver,
        skipPermission: true,
      });
    },
  };
  const notices = strangerNotices(deps, ctx.scheduler);
  return {
    name: 'permissions',
    commands: [...permissionCommands(deps), ...approvalCommands(deps), ...strangerCommands(deps)],
    completions: { permission: () => grants.known().map((k) => k.permission) },
    pipelineHooks: { onDenied: askAnAdmin },
    onUnknownUser: (identity, displayName) => notices.notify(identity, displayName),
    start: () => retention.start(),
    async stop() {
      notices.stop();
      await retention.stop();
    },
    acceptInvite(code, identity, displayName) {
      const r = invites.acceptInvite(code, identity, displayName);
      // A stranger's refused code is counted in their hourly stranger row by the pipeline instead.
      if (r.ok || access.resolve(identity))
        audit.record({
          at: ctx.clock.now(),
          identity,
          chat: identity,
          command: 'start',
          args: {},
          service: 'permissions',
          result: r.ok ? 'ok' : 'denied',
          detail: r.ok ? `joined as ${r.principal.role} by invite` : `invite refused: ${r.reason}`,
        });
      if (r.ok) return { ok: true, role: r.principal.role };
      // The /start texts know expired/used/unknown/wrong-platform/already-known.
      return { ok: false, reason: r.reason === 'revoked' ? 'expired' : r.reason === 'bad-identity' ? 'unknown' : r.reason };
    },
  };
}
