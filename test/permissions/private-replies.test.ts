/**
 * Private by construction, derived from the registry so a new command cannot forget it:
 * every command, run by the owner in a group on each platform, must keep one person's
 * things (identity, one-time codes, images such as Wi-Fi QR codes) out of the group, and
 * every one-time-code command must refuse to run in a group at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ManualClock } from '../../src/core/clock.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import type { ReplySink } from '../../src/handlers/pipeline.ts';
import type { ChatRef } from '../../src/permissions/access.ts';
import { OWNER, startDemoTestApp, type TestApp } from '../support/app-harness.ts';

let h: TestApp;
/** An owner whose display name differs from the identity, so an identity in a reply is a real leak. */
let asker: string;
before(async () => {
  h = await startDemoTestApp();
  asker = h.person('owner', 'telegram:5555');
});
after(() => h?.close());

interface Seen {
  readonly group: OutMessage[];
  readonly direct: OutMessage[];
}

/** A group chat's sink; `canWritePrivately` models Telegram (true) or a platform with native ephemeral replies (false). */
function groupSink(seen: Seen, canWritePrivately: boolean): ReplySink {
  const nothing = { edit: async () => undefined };
  return {
    send: async (m) => (seen.group.push(m), nothing),
    ...(canWritePrivately ? { sendPrivately: async (m: OutMessage) => (seen.direct.push(m), { ok: true as const, handle: nothing }) } : {}),
  };
}

/** What nobody but the asker may see: their identity, anything code-like, any image. */
function personal(m: OutMessage): string | undefined {
  const text = toPlainText(m);
  if (m.image) return 'an image';
  if (text.includes(asker)) return 'the identity';
  if (/start=|\/link [0-9A-Z]{6,}|\b[0-9A-HJKMNP-TV-Z]{8,}\b/.test(text)) return 'a code';
  return undefined;
}

const PLATFORMS: readonly { platform: ChatRef['platform']; telegramLike: boolean }[] = [
  { platform: 'telegram', telegramLike: true },
  { platform: 'discord', telegramLike: false },
];

/** Arguments that get past parsing, so the command's real reply is checked. */
const SAMPLE_ARGS: Readonly<Record<string, string>> = { invite: 'family', role: '', audit: '', link: '' };

describe('every command in a group keeps personal replies private', () => {
  for (const { platform, telegramLike } of PLATFORMS) {
    test(`${platform}: group messages never carry one person's things`, async () => {
      const commands = h.app.registry.all().filter((c) => !c.name.startsWith('$'));
      assert.ok(commands.length > 30, 'the whole registry is covered');
      for (const command of commands) {
        const seen: Seen = { group: [], direct: [] };
        (h.clock as ManualClock).advance(60_000); // stay under the per-person rate limit
        const chat: ChatRef = { platform, id: '-100900', kind: 'group' };
        await h.app.pipeline.handle(
          {
            chat,
            user: { identity: asker, displayName: 'Owner' },
            input: { kind: 'command', name: command.name, text: SAMPLE_ARGS[command.name] ?? '' },
          },
          groupSink(seen, telegramLike),
        );
        for (const m of seen.group) {
          const leak = personal(m);
          // Discord shows ephemeral messages to the asker only; Telegram has no such thing in groups.
          if (leak && !(m.ephemeral && !telegramLike)) assert.fail(`/${command.name} posted ${leak} to a ${platform} group`);
          if (telegramLike) assert.ok(!m.ephemeral, `/${command.name}: an ephemeral message reached a Telegram group`);
        }
        if (command.privateOnly) {
          assert.equal(seen.direct.length, 0, `/${command.name} ran in a group`);
          assert.match(toPlainText(seen.group[0] ?? { blocks: [] }), /only works in a private chat/);
        }
      }
    });
  }

  test('one-time-code commands are marked private-only', () => {
    for (const name of ['invite', 'link', 'setup']) assert.equal(h.app.registry.get(name)?.privateOnly, true, name);
  });

  test('in a private chat, a private-only command runs', async () => {
    const r = await h.say(OWNER, '/invite family');
    assert.match(r.texts.join('\n'), /Invite for family/);
  });
});
