/**
 * The REST routes of the fake Discord: gateway discovery, the bot user, application commands
 * (bulk overwrite keeps ids of same-named commands, as Discord does, so a restart creates no
 * duplicates), interaction callbacks and webhooks, and channel messages with permission checks.
 */
import { snowflake, type DiscordState } from './discord-model.ts';
import type { Interactions } from './discord-interactions.ts';
import {
  apiMessage,
  checkBody,
  checkPermissions,
  createMessage,
  DiscordError,
  editMessage,
  invalidForm,
  unknown,
} from './discord-messages.ts';
import type { Route, RouteContext, RouteHandler } from './discord-rest.ts';
import { FormErrors, validateCommand } from './discord-validate.ts';

/** What the routes need from the rest of the fake. */
export interface RouteDeps {
  readonly state: DiscordState;
  readonly interactions: Interactions;
  readonly baseUrl: () => string;
  readonly gatewayUrl: () => string;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Builds the route table. */
export function discordRoutes(d: RouteDeps): Route[] {
  const s = d.state;
  const routes: Route[] = [];
  const add = (method: string, template: string, handler: RouteHandler, auth = true): void => {
    routes.push({ method, template, handler, auth });
  };
  const ok = (body: unknown, status = 200) => ({ status, body });

  add('GET', '/gateway/bot', () =>
    ok({
      url: d.gatewayUrl(),
      shards: 1,
      session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
    }),
  );
  add('GET', '/gateway', () => ok({ url: d.gatewayUrl() }), false);
  add('GET', '/users/@me', () => ok({ ...s.bot, verified: true, mfa_enabled: false, flags: 0 }));
  add('GET', '/users/:user', (c) => {
    const u = c.params.user === s.bot.id ? s.bot : s.users.get(c.params.user ?? '');
    if (!u) throw unknown('User', 10013);
    return ok(u);
  });
  add('POST', '/users/@me/channels', (c) => {
    const u = s.users.get(String(obj(c.body).recipient_id ?? ''));
    if (!u) throw invalidForm({ recipient_id: { _errors: [{ code: 'USER_UNKNOWN', message: 'Unknown user' }] } });
    return ok(s.dmWith(u));
  });
  add('GET', '/applications/@me', () =>
    ok({ id: s.applicationId, name: s.bot.username, bot: s.bot, flags: 0, bot_public: false, description: '' }),
  );

  // Application commands, global and per guild.
  const scopeOf = (c: RouteContext): string => {
    if (c.params.app !== s.applicationId) throw new DiscordError(403, { message: 'Missing Access', code: 50001 });
    if (c.params.guild !== undefined && c.params.guild !== s.guildId)
      throw new DiscordError(403, { message: 'Missing Access', code: 50001 });
    return c.params.guild ?? 'global';
  };
  const stored = (scope: string, c: Record<string, unknown>, id: string): Record<string, unknown> => ({
    type: 1,
    default_member_permissions: null,
    nsfw: false,
    name_localizations: null,
    description_localizations: null,
    integration_types: [0],
    contexts: null,
    ...c,
    options: c.options ?? [],
    id,
    application_id: s.applicationId,
    version: snowflake(),
    ...(scope === 'global' ? {} : { guild_id: scope }),
  });
  const wrote = (scope: string): void => {
    s.commandWrites.set(scope, (s.commandWrites.get(scope) ?? 0) + 1);
  };
  for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
    // Without `?with_localizations=true` Discord leaves out the localisation dictionaries
    // (developer docs, application-commands "Get Global/Guild Application Commands";
    // discord-api-types RESTGetAPIApplicationCommandsQuery).
    add('GET', base, (c) => {
      const list = s.commands.get(scopeOf(c)) ?? [];
      return ok(c.query.get('with_localizations') === 'true' ? list : list.map(withoutLocalizations));
    });
    add('PUT', base, (c) => {
      const scope = scopeOf(c);
      if (!Array.isArray(c.body))
        throw invalidForm({ _errors: [{ code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }] });
      const list = c.body as Record<string, unknown>[];
      const e = new FormErrors();
      const names = new Set<string>();
      list.forEach((cmd, i) => {
        validateCommand(e, [i], obj(cmd));
        const key = `${String(cmd.type ?? 1)}:${String(cmd.name)}`;
        if (names.has(key)) e.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
        names.add(key);
      });
      if (list.length > 100) e.add([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
      if (!e.empty) throw invalidForm(e.tree);
      const old = s.commands.get(scope) ?? [];
      const next = list.map((cmd) => {
        const same = old.find((o) => o.name === cmd.name && o.type === (cmd.type ?? 1));
        return stored(scope, cmd, (same?.id as string | undefined) ?? snowflake());
      });
      s.commands.set(scope, next);
      wrote(scope);
      return ok(next);
    });
    add('POST', base, (c) => {
      const scope = scopeOf(c);
      const e = new FormErrors();
      validateCommand(e, [], obj(c.body));
      if (!e.empty) throw invalidForm(e.tree);
      const list = s.commands.get(scope) ?? [];
      const body = obj(c.body);
      const i = list.findIndex((o) => o.name === body.name && o.type === (body.type ?? 1));
      const cmd = stored(scope, body, (list[i]?.id as string | undefined) ?? snowflake());
      s.commands.set(scope, i >= 0 ? list.map((o, j) => (j === i ? cmd : o)) : [...list, cmd]);
      wrote(scope);
      return ok(cmd, i >= 0 ? 200 : 201);
    });
    add('GET', `${base}/:command`, (c) => {
      const cmd = (s.commands.get(scopeOf(c)) ?? []).find((o) => o.id === c.params.command);
      if (!cmd) throw unknown('application command', 10063);
      return ok(cmd);
    });
    add('PATCH', `${base}/:command`, (c) => {
      const scope = scopeOf(c);
      const list = s.commands.get(scope) ?? [];
      const i = list.findIndex((o) => o.id === c.params.command);
      if (i < 0) throw unknown('application command', 10063);
      const cmd = stored(scope, { ...list[i], ...obj(c.body) }, c.params.command ?? '');
      s.commands.set(
        scope,
        list.map((o, j) => (j === i ? cmd : o)),
      );
      wrote(scope);
      return ok(cmd);
    });
    add('DELETE', `${base}/:command`, (c) => {
      const scope = scopeOf(c);
      const list = s.commands.get(scope) ?? [];
      if (!list.some((o) => o.id === c.params.command)) throw unknown('application command', 10063);
      s.commands.set(
        scope,
        list.filter((o) => o.id !== c.params.command),
      );
      wrote(scope);
      return { status: 204 };
    });
  }

  // Interaction responses: no Authorization header, as on Discord.
  add(
    'POST',
    '/interactions/:interaction/:token/callback',
    (c) =>
      d.interactions.callback(
        c.params.interaction ?? '',
        c.params.token ?? '',
        obj(c.body),
        c.files,
        c.query.get('with_response') === 'true',
      ),
    false,
  );
  add(
    'POST',
    '/webhooks/:webhook/:token',
    (c) => d.interactions.followUp(c.params.webhook ?? '', c.params.token ?? '', obj(c.body), c.files, c.query.get('wait') === 'true'),
    false,
  );
  const wh = '/webhooks/:webhook/:token/messages/:message';
  add('GET', wh, (c) => d.interactions.get(c.params.webhook ?? '', c.params.token ?? '', c.params.message ?? ''), false);
  add(
    'PATCH',
    wh,
    (c) => d.interactions.edit(c.params.webhook ?? '', c.params.token ?? '', c.params.message ?? '', obj(c.body), c.files),
    false,
  );
  add('DELETE', wh, (c) => d.interactions.delete(c.params.webhook ?? '', c.params.token ?? '', c.params.message ?? ''), false);

  // Guild and channels.
  const channel = (c: RouteContext) => {
    const ch = s.channels.get(c.params.channel ?? '') ?? s.dms.get(c.params.channel ?? '');
    if (!ch) throw unknown('Channel', 10003);
    return ch;
  };
  const message = (c: RouteContext) => {
    const ch = channel(c);
    const m = s.messages.get(c.params.message ?? '');
    if (!m || m.deleted || m.channel_id !== ch.id) throw unknown('Message', 10008);
    return m;
  };
  add('GET', '/guilds/:guild', (c) => {
    if (c.params.guild !== s.guildId) throw unknown('Guild', 10004);
    return ok(s.guild());
  });
  add('GET', '/guilds/:guild/channels', () => ok([...s.channels.values()]));
  add('GET', '/guilds/:guild/members/:user', (c) => {
    const u = c.params.user === s.bot.id ? s.bot : s.users.get(c.params.user ?? '');
    if (!u) throw unknown('Member', 10007);
    return ok(s.member(u));
  });
  add('GET', '/channels/:channel', (c) => ok(channel(c)));
  add('POST', '/channels/:channel/typing', (c) => {
    channel(c);
    return { status: 204 };
  });
  add('GET', '/channels/:channel/messages', (c) => {
    const ch = channel(c);
    const limit = Math.min(100, Number(c.query.get('limit') ?? 50));
    const list = [...s.messages.values()].filter((m) => m.channel_id === ch.id && !m.deleted && !(m.flags & 64));
    return ok(list.reverse().slice(0, limit).map(apiMessage));
  });
  add('POST', '/channels/:channel/messages', (c) => {
    const ch = channel(c);
    const body = obj(c.body);
    if (ch.type === 0) checkPermissions(s, ch.id, body, c.files);
    checkBody(body, c.files, true);
    // enforce_nonce: the same nonce within a few minutes returns the first message instead of a duplicate.
    if (body.enforce_nonce === true && body.nonce !== undefined) {
      const since = Date.now() - 5 * 60_000;
      const dup = [...s.messages.values()].find(
        (m) => m.channel_id === ch.id && m.nonce === body.nonce && Date.parse(m.timestamp) >= since,
      );
      if (dup) return ok(apiMessage(dup));
    }
    const nonce = typeof body.nonce === 'string' || typeof body.nonce === 'number' ? { nonce: body.nonce } : {};
    return ok(
      apiMessage(createMessage(s, d.baseUrl(), ch.id, body, c.files, { ...nonce, ...(ch.type === 1 ? { guild_id: undefined } : {}) })),
    );
  });
  add('GET', '/channels/:channel/messages/:message', (c) => ok(apiMessage(message(c))));
  add('PATCH', '/channels/:channel/messages/:message', (c) => {
    const m = message(c);
    if (m.author.id !== s.bot.id) throw new DiscordError(403, { message: 'Cannot edit a message authored by another user', code: 50005 });
    if (s.channels.has(m.channel_id)) checkPermissions(s, m.channel_id, obj(c.body), c.files, true);
    checkBody(obj(c.body), c.files, false);
    return ok(apiMessage(editMessage(s, d.baseUrl(), m, obj(c.body), c.files)));
  });
  add('DELETE', '/channels/:channel/messages/:message', (c) => {
    message(c).deleted = true;
    return { status: 204 };
  });
  return routes;
}

/** A command (or option) as listed without `with_localizations`: no localisation dictionaries. */
function withoutLocalizations(c: Record<string, unknown>): Record<string, unknown> {
  const { name_localizations: _n, description_localizations: _d, ...rest } = c;
  const options = rest.options as Record<string, unknown>[] | undefined;
  return Array.isArray(options) ? { ...rest, options: options.map(withoutLocalizations) } : rest;
}
