/**
 * Interactions in the fake Discord: building INTERACTION_CREATE payloads (slash commands with
 * typed options, button presses, autocomplete) and serving the endpoints a bot answers them
 * with — the callback (3-second deadline, acknowledged once), then webhook edits of @original
 * and follow-ups. These endpoints take no Authorization header, as on Discord.
 */
import { randomBytes } from 'node:crypto';
import type { FormPart } from './multipart.ts';
import {
  EVERYONE_PERMS,
  FLAG,
  snowflake,
  type DMessage,
  type DUserRef,
  type DiscordState,
  type InteractionRecord,
} from './discord-model.ts';
import { apiMessage, checkBody, createMessage, DiscordError, editMessage, invalidForm, unknown } from './discord-messages.ts';
import { FormErrors, validateChoices } from './discord-validate.ts';

/** Where and by whom an interaction happens. */
export interface InteractionContext {
  /** Who acts (default: the fake's default user). */
  readonly user?: DUserRef;
  /** Guild channel id (default: the first channel). Ignored with `dm`. */
  readonly channelId?: string;
  /** Discord locale of the user, e.g. 'en-US' or 'es-ES' (default 'en-US'). */
  readonly locale?: string;
  /** A direct message instead of a guild channel. */
  readonly dm?: boolean;
}

/** A slash command invocation. */
export interface SlashInvocation extends InteractionContext {
  /** Option values by name; types come from the registered command when there is one. */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
  readonly subcommand?: string;
  readonly group?: string;
}

type Value = string | number | boolean;

/** Infers an option type when the command is not registered: 3 string, 4 integer, 10 number, 5 boolean. */
const inferType = (v: Value): number => (typeof v === 'boolean' ? 5 : typeof v === 'number' ? (Number.isInteger(v) ? 4 : 10) : 3);

/** Interaction bookkeeping and the answer endpoints. */
export class Interactions {
  private readonly byToken = new Map<string, InteractionRecord>();

  constructor(
    private readonly state: DiscordState,
    private readonly baseUrl: () => string,
    private readonly o: { deadlineMs: number; tokenTtlMs: number; defaultUser: DUserRef },
  ) {}

  /** The registered command by name (guild scope first, then global). */
  command(name: string): Record<string, unknown> | undefined {
    for (const scope of [this.state.guildId, 'global']) {
      const c = this.state.commands.get(scope)?.find((x) => x.name === name);
      if (c) return c;
    }
    return undefined;
  }

  /** ApplicationCommand data for a slash invocation; `focused` marks the option being typed. */
  commandData(name: string, inv: SlashInvocation, focused?: string): Record<string, unknown> {
    const cmd = this.command(name);
    let defs = (cmd?.options as Record<string, unknown>[] | undefined) ?? [];
    const wrap: { name: string; type: number }[] = [];
    for (const [level, type] of [
      [inv.group, 2],
      [inv.subcommand, 1],
    ] as const) {
      if (level === undefined) continue;
      wrap.push({ name: level, type });
      defs = (defs.find((d) => d.name === level)?.options as Record<string, unknown>[] | undefined) ?? [];
    }
    let options: Record<string, unknown>[] = Object.entries(inv.options ?? {}).map(([optName, value]) => {
      const def = defs.find((d) => d.name === optName);
      const type = typeof def?.type === 'number' ? def.type : inferType(value);
      const isFocused = optName === focused;
      // Discord sends integers as numbers, except the option being typed in autocomplete.
      const v = !isFocused && (type === 4 || type === 10) && typeof value === 'string' ? Number(value) : value;
      return { name: optName, type, value: isFocused ? String(v) : v, ...(isFocused ? { focused: true } : {}) };
    });
    for (const w of wrap.reverse()) options = [{ name: w.name, type: w.type, options }];
    return {
      id: (cmd?.id as string | undefined) ?? snowflake(),
      name,
      type: 1,
      ...(cmd?.guild_id ? { guild_id: cmd.guild_id } : {}),
      ...(options.length > 0 ? { options } : {}),
    };
  }

  /** Creates and remembers an interaction; the caller dispatches `record.payload`. */
  create(type: number, data: Record<string, unknown>, ctx: InteractionContext, message?: DMessage): InteractionRecord {
    const s = this.state;
    const user = s.user(ctx.user ?? this.o.defaultUser);
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(24).toString('base64url')}`;
    const channelId = ctx.dm ? `${user.id.slice(0, -3)}999` : (ctx.channelId ?? [...s.channels.keys()][0] ?? '');
    const channel = ctx.dm ? { id: channelId, type: 1, recipients: [user], flags: 0, last_message_id: null } : s.channels.get(channelId);
    if (!channel) throw new Error(`fake discord: unknown channel ${channelId}`);
    const appPermissions = ctx.dm ? EVERYONE_PERMS : s.botPermissions(channelId);
    const payload: Record<string, unknown> = {
      id,
      application_id: s.applicationId,
      type,
      data,
      token,
      version: 1,
      channel_id: channelId,
      channel: { ...channel, permissions: appPermissions.toString() },
      app_permissions: appPermissions.toString(),
      locale: ctx.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: ctx.dm ? { '1': user.id } : { '0': s.guildId },
      context: ctx.dm ? 1 : 0,
      attachment_size_limit: 10 * 1024 * 1024,
      ...(ctx.dm
        ? { user }
        : {
            guild_id: s.guildId,
            guild_locale: 'en-US',
            guild: { id: s.guildId, locale: 'en-US', features: [] },
            member: { ...s.member(user), permissions: EVERYONE_PERMS.toString() },
          }),
      ...(message ? { message: apiMessage(message) } : {}),
    };
    const rec: InteractionRecord = { id, token, type, payload, createdAt: Date.now(), callbacks: [], followupIds: [] };
    this.state.interactions.set(id, rec);
    this.byToken.set(token, rec);
    return rec;
  }

  /** POST /interactions/:id/:token/callback */
  callback(
    id: string,
    token: string,
    body: Record<string, unknown>,
    files: readonly FormPart[],
    withResponse: boolean,
  ): { status: number; body?: unknown } {
    const rec = this.state.interactions.get(id);
    if (!rec || rec.token !== token || Date.now() - rec.createdAt > this.o.deadlineMs) throw unknown('interaction', 10062);
    if (rec.callbacks.length > 0) throw new DiscordError(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
    const type = Number(body.type);
    const data = (body.data ?? undefined) as Record<string, unknown> | undefined;
    const allowed = rec.type === 4 ? [8] : rec.type === 3 ? [4, 5, 6, 7, 9] : [4, 5, 9];
    if (!allowed.includes(type)) {
      const e = new FormErrors();
      e.add(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is invalid for this interaction`);
      throw invalidForm(e.tree);
    }
    const d = data ?? {};
    const channelId = String(rec.payload.channel_id);
    const component = rec.payload.message as { id: string } | undefined;
    const meta = {
      interaction_metadata: {
        id: rec.id,
        type: rec.type,
        user: rec.payload.user ?? (rec.payload.member as { user: unknown }).user,
        authorizing_integration_owners: rec.payload.authorizing_integration_owners,
        ...(component ? { interacted_message_id: component.id } : {}),
      },
      webhook_id: this.state.applicationId,
      application_id: this.state.applicationId,
    };
    if (type === 4) {
      checkBody(d, files, true);
      rec.originalId = createMessage(this.state, this.baseUrl(), channelId, d, files, { ...meta, type: rec.type === 2 ? 20 : 0 }).id;
    } else if (type === 5) {
      const flags = FLAG.Loading | (Number(d.flags ?? 0) & FLAG.Ephemeral);
      rec.originalId = this.state.addMessage({
        channel_id: channelId,
        guild_id: this.state.guildId,
        content: '',
        embeds: [],
        components: [],
        attachments: [],
        flags,
        type: rec.type === 2 ? 20 : 0,
        ...meta,
      }).id;
    } else if (type === 6 || type === 7) {
      const m = component ? this.state.messages.get(component.id) : undefined;
      if (!m) throw unknown('Message', 10008);
      if (type === 7) {
        checkBody(d, files, false);
        editMessage(this.state, this.baseUrl(), m, d, files);
      }
      rec.originalId = m.id;
    } else if (type === 8) {
      const e = validateChoices(d.choices);
      if (!e.empty) throw invalidForm({ data: e.tree });
      rec.choices = d.choices as unknown[];
    }
    rec.callbacks.push({ type, data, at: Date.now() });
    if (!withResponse) return { status: 204 };
    const m = rec.originalId ? this.state.messages.get(rec.originalId) : undefined;
    return {
      status: 200,
      body: {
        interaction: {
          id: rec.id,
          type: rec.type,
          activity_instance_id: null,
          response_message_id: m?.id ?? null,
          response_message_loading: type === 5,
          response_message_ephemeral: Boolean((m?.flags ?? 0) & FLAG.Ephemeral),
        },
        resource: { type, ...(m ? { message: apiMessage(m) } : {}) },
      },
    };
  }

  /** The interaction behind a webhook token, if it was acknowledged and the token is still valid. */
  private acknowledged(app: string, token: string): InteractionRecord {
    const rec = this.byToken.get(token);
    if (app !== this.state.applicationId || !rec || rec.callbacks.length === 0) throw unknown('Webhook', 10015);
    if (Date.now() - rec.createdAt > this.o.tokenTtlMs) throw new DiscordError(401, { message: 'Invalid Webhook Token', code: 50027 });
    return rec;
  }

  private target(rec: InteractionRecord, messageId: string): DMessage {
    const id = messageId === '@original' ? rec.originalId : rec.followupIds.includes(messageId) ? messageId : undefined;
    const m = id ? this.state.messages.get(id) : undefined;
    if (!m || m.deleted) throw unknown('Message', 10008);
    return m;
  }

  /** POST /webhooks/:app/:token (a follow-up message). */
  followUp(
    app: string,
    token: string,
    body: Record<string, unknown>,
    files: readonly FormPart[],
    wait: boolean,
  ): { status: number; body?: unknown } {
    const rec = this.acknowledged(app, token);
    checkBody(body, files, true);
    const m = createMessage(this.state, this.baseUrl(), String(rec.payload.channel_id), body, files, {
      webhook_id: this.state.applicationId,
      application_id: this.state.applicationId,
    });
    rec.followupIds.push(m.id);
    return wait ? { status: 200, body: apiMessage(m) } : { status: 204 };
  }

  /** PATCH /webhooks/:app/:token/messages/:id (@original or a follow-up). */
  edit(
    app: string,
    token: string,
    messageId: string,
    body: Record<string, unknown>,
    files: readonly FormPart[],
  ): { status: number; body?: unknown } {
    const m = this.target(this.acknowledged(app, token), messageId);
    checkBody(body, files, false);
    const before = JSON.stringify(m);
    editMessage(this.state, this.baseUrl(), m, body, files);
    if (!m.content && m.embeds.length === 0 && m.components.length === 0 && m.attachments.length === 0) {
      Object.assign(m, JSON.parse(before) as DMessage);
      throw new DiscordError(400, { message: 'Cannot send an empty message', code: 50006 });
    }
    return { status: 200, body: apiMessage(m) };
  }

  /** GET /webhooks/:app/:token/messages/:id */
  get(app: string, token: string, messageId: string): { status: number; body?: unknown } {
    return { status: 200, body: apiMessage(this.target(this.acknowledged(app, token), messageId)) };
  }

  /** DELETE /webhooks/:app/:token/messages/:id */
  delete(app: string, token: string, messageId: string): { status: number; body?: unknown } {
    this.target(this.acknowledged(app, token), messageId).deleted = true;
    return { status: 204 };
  }
}
