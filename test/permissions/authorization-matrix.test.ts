/**
 * The authorization matrix: every registered command (derived from the registry, so a new
 * command is covered automatically), typed and pressed as a button, × every role and a
 * stranger × a private chat, a Telegram group, a supergroup, a family-limited group and a
 * Discord channel. Asserts allowed or denied against the household policy written out below,
 * that a denied command never reaches its run() (so never its service), that internal
 * button-only commands cannot be typed by anyone, and that every button a reply shows runs a
 * command the viewer may run or ask for in that chat (issue 14: no button they cannot use).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnyCommand, StrangerContext } from '../../src/handlers/command.ts';
import type { Input } from '../../src/handlers/pipeline.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';
import { hashCode } from '../../src/permissions/codes.ts';
import type { ChatRef } from '../../src/permissions/access.ts';
import { roleRank, type Role } from '../../src/permissions/roles.ts';
import { OWNER, startDemoTestApp, type TestApp } from '../support/app-harness.ts';

/** The household policy, independent of the code under test: the weakest role allowed each permission. */
function expectedMinRole(permission: string): Role {
  if (permission === 'permissions.grant.manage') return 'owner';
  if (['bot.session.start', 'bot.help.read'].includes(permission)) return 'guest';
  const family = [
    'router.guest.qr',
    'pihole.domain.allow-temporary',
    'bot.language.set',
    'bot.identity.link',
    'bot.approval.request',
    'bot.whoami.read',
    // Issue 17: a family member sees and pauses their own devices (others' need an admin).
    'router.device.read-own',
    'router.device.pause-own',
  ];
  if (family.includes(permission) || /^[a-z0-9-]+\.status\.read$/.test(permission)) return 'family';
  return 'admin';
}

type Who = Role | 'stranger';
const WHO: Who[] = ['owner', 'admin', 'family', 'guest', 'stranger'];
/** Telegram groups and supergroups both reach the pipeline as `group` chats; the ids differ as on Telegram. */
const CHATS = {
  private: undefined,
  group: { platform: 'telegram', id: '-2001', kind: 'group' },
  supergroup: { platform: 'telegram', id: '-1002003', kind: 'group' },
  'family group': { platform: 'telegram', id: '-2002', kind: 'group' },
  'discord channel': { platform: 'discord', id: '4004', kind: 'group' },
} satisfies Record<string, ChatRef | undefined>;
const HOW = ['typed', 'button'] as const;

let h: TestApp;
let commands: AnyCommand[];
const reached: string[] = [];
const identities = new Map<Who, string>();

before(async () => {
  h = await startDemoTestApp({ permissions: { owners: [OWNER], rateLimitPerMinute: 100_000 } });
  commands = h.app.registry.all();
  // Record every run() that is reached, then let the real command run.
  for (const c of commands) {
    const original = c.run.bind(c);
    c.run = async (ctx, args) => {
      reached.push(`${c.name}:${ctx.principal.identity}:${ctx.chat.id}`);
      return original(ctx, args);
    };
    const forStranger = c.runForStranger?.bind(c);
    if (forStranger) {
      Object.assign(c, {
        runForStranger: async (ctx: StrangerContext, args: Parameters<typeof forStranger>[1]) => {
          reached.push(`${c.name}:${ctx.stranger.identity}:${ctx.chat.id}`);
          return forStranger(ctx, args);
        },
      });
    }
  }
  identities.set('owner', OWNER);
  for (const r of ['admin', 'family', 'guest'] as const) identities.set(r, h.person(r, `telegram:${7100 + roleRank(r)}`));
  identities.set('stranger', 'telegram:7999');
  const owner = h.app.access.resolve(OWNER)!;
  assert.ok(h.app.permissions.management.setChatCeiling(owner, CHATS['family group'], 'family').ok);
});

after(async () => {
  await h?.close();
});

describe('authorization matrix', () => {
  test('the registry is not empty and every command declares a permission', () => {
    assert.ok(commands.length >= 10);
    for (const c of commands) assert.match(c.permission, /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/, c.name);
  });

  test('every command × typed or button × role × chat', async () => {
    const denied = [h.app.messages.t('en', 'pipeline.denied'), h.app.messages.t('en', 'pipeline.deniedRequestable')];
    const tokens = new ActionTokens(h.app.db, h.clock);
    const problems: string[] = [];
    let cells = 0;
    let buttonsSeen = 0;
    const commandBehind = (token: string): string | undefined =>
      h.app.db.prepare('SELECT command FROM action_tokens WHERE token_hash = ?').pluck().get(hashCode(token)) as string | undefined;
    for (const c of commands) {
      for (const who of WHO) {
        for (const [chatName, chat] of Object.entries(CHATS)) {
          for (const how of HOW) {
            cells++;
            const identity = identities.get(who)!;
            const effective: Role | undefined =
              who === 'stranger' ? undefined : chatName === 'family group' && roleRank(who) > roleRank('family') ? 'family' : who;
            const allowed =
              effective === undefined ? c.runForStranger !== undefined : roleRank(effective) >= roleRank(expectedMinRole(c.permission));
            const mark = reached.length;
            const deniedRows = () =>
              h.app.db
                .prepare("SELECT count(*) FROM audit_log WHERE result = 'denied' AND command = ? AND identity = ?")
                .pluck()
                .get(c.name, identity) as number;
            const deniedBefore = deniedRows();
            const where: ChatRef = chat ?? { platform: 'telegram', id: identity.split(':')[1] ?? '', kind: 'private' };
            const input: Input =
              how === 'typed'
                ? { kind: 'options', name: c.name, options: {} }
                : {
                    kind: 'action',
                    token: tokens.create({
                      command: c.name,
                      args: {},
                      allowedIdentity: identity,
                      chat: where,
                      ttlMs: 60_000,
                      oneShot: true,
                    }),
                  };
            const conv = await h.send(identity, input, chat);
            const wasDenied = conv.texts.some((t) => denied.includes(t));
            const ranNow = reached.slice(mark).some((r) => r.startsWith(`${c.name}:`));
            const cell = `/${c.name} (${c.permission}) ${how} as ${who} in ${chatName}`;
            if (how === 'typed' && c.buttonOnly) {
              // Internal commands carry server-made arguments: typed, they do not exist for anyone.
              const unknown = h.app.messages.t('en', 'pipeline.unknownCommand', { name: c.name });
              if (ranNow) problems.push(`${cell}: a button-only command ran when typed`);
              if (who !== 'stranger' && !conv.texts.includes(unknown))
                problems.push(`${cell}: typed, not an unknown command (${JSON.stringify(conv.texts)})`);
              continue;
            }
            if (allowed && wasDenied) problems.push(`${cell}: denied, expected allowed`);
            if (effective !== undefined) {
              const shown = [...conv.replies.flatMap((r) => [r.message, ...r.edits]), ...conv.originUpdates];
              for (const action of shown.flatMap((m) => m.actions ?? []).flat()) {
                buttonsSeen++;
                const target = h.app.registry.get(commandBehind(action.token) ?? '');
                if (!target) continue; // internal (Cancel): whoever holds the message may press it
                const usable = roleRank(effective) >= roleRank(expectedMinRole(target.permission)) || Boolean(target.requestable);
                if (!usable) problems.push(`${cell}: shows the button '${action.label}' (/${target.name}) the viewer cannot use`);
              }
            }
            if (!allowed) {
              if (ranNow) problems.push(`${cell}: reached run() although not allowed`);
              if (who !== 'stranger' && !wasDenied) problems.push(`${cell}: not told it was denied (${JSON.stringify(conv.texts)})`);
              if (who !== 'stranger' && deniedRows() !== deniedBefore + 1) problems.push(`${cell}: denial not audited`);
              if (who === 'stranger' && conv.texts.some((t) => t !== h.app.messages.t('en', 'pipeline.unknownUser'))) {
                problems.push(`${cell}: a stranger got more than the neutral reply: ${JSON.stringify(conv.texts)}`);
              }
            }
          }
        }
      }
    }
    assert.equal(cells, commands.length * WHO.length * Object.keys(CHATS).length * HOW.length);
    assert.ok(buttonsSeen > 100, `replies showed buttons to check (${buttonsSeen})`);
    assert.deepEqual(problems, []);
  });

  test('an allowed command without required arguments does reach its run()', async () => {
    const mark = reached.length;
    await h.send(OWNER, { kind: 'options', name: 'role', options: {} });
    assert.ok(reached.slice(mark).includes(`role:${OWNER}:${OWNER.split(':')[1]}`));
  });
});
