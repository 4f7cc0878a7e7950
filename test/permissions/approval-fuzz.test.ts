/**
 * Fuzzing the approval payload: whatever argument map an "Ask an admin" button carries (extra
 * keys, padded or numeric-looking keys, __proto__/constructor, control and invisible
 * characters, huge values), either the request is refused, or what is stored — and so what
 * runs — has only the command's own keys, is the normalised form, and every name = value line
 * appears in full in the approver's prompt.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { ManualClock } from '../../src/core/clock.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { arg, normaliseArgs } from '../../src/handlers/args.ts';
import { defineCommand } from '../../src/handlers/command.ts';
import { argumentLines } from '../../src/handlers/permissions/approvals.ts';
import { argLabels } from '../../src/handlers/usage.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const target = defineCommand({
  name: 'fuzzallow',
  group: 'bot',
  summaryKey: 'builtin.help.summary',
  args: {
    domain: arg.string({ descriptionKey: 'builtin.help.summary', maxLength: 300 }),
    kind: arg.choice(['exact', 'regex'] as const, { descriptionKey: 'builtin.help.summary', required: false }),
  },
  permission: 'pihole.domain.allow',
  requestable: true,
  mutates: true,
  async run() {
    return { blocks: [{ kind: 'text', text: 'ran' }] };
  },
});
const probe: FeatureModule = { name: 'probe', commands: [target] };

let h: TestApp;
let kid: string;
before(async () => {
  h = await startTestApp({ permissions: { owners: [OWNER], rateLimitPerMinute: 100_000 } }, { extraModules: [probe] });
  kid = h.person('family', 'telegram:3001');
});
after(() => h?.close());

const key = fc.oneof(
  fc.constantFrom('domain', 'kind', ' domain', 'domain ', '1', '  1', '__proto__', 'constructor', 'toString', '$confirmed', 'DOMAIN'),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  fc.constantFrom('youtube.com', 'exact', 'regex', ' regex ', '^[a-c].*', '', 'a\u202eb', 'x\u200by', 'line\nbreak'),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 250, maxLength: 320 }),
);

test('approval payloads: refused, or stored exactly as shown and with known keys only', async () => {
  const tokens = new ActionTokens(h.app.db, h.clock);
  const chat = { platform: 'telegram' as const, id: '3001', kind: 'private' as const };
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 5 }), async (pairs) => {
      (h.clock as ManualClock).advance(1000);
      // JSON text built by hand so __proto__ stays an own key, as a forged payload would have it.
      const json = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
      const raw = JSON.parse(json) as Record<string, string>;
      const lastBefore = h.app.db.prepare('SELECT max(id) FROM approvals').pluck().get() as number | null;
      const token = tokens.create({
        command: 'approval-request',
        args: { command: target.name, args: json },
        allowedIdentity: kid,
        chat,
        ttlMs: 60_000,
        oneShot: true,
      });
      await h.press(kid, token);
      const row = h.app.db.prepare('SELECT id, args FROM approvals WHERE id > ? ORDER BY id DESC').get(lastBefore ?? 0) as
        { id: number; args: string } | undefined;
      if (!row) return; // refused: nothing stored, nothing to run
      const stored = JSON.parse(row.args) as Record<string, string>;
      for (const k of Object.keys(stored)) assert.ok(Object.hasOwn(target.args, k), `stored an unknown key ${JSON.stringify(k)}`);
      assert.ok(
        Object.keys(raw).every((k) => Object.hasOwn(target.args, k)),
        'a payload with unknown keys was accepted',
      );
      assert.deepEqual(stored, normaliseArgs(target.args, raw));
      const prompt = h.app.db
        .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%fuzzallow%' ORDER BY id DESC")
        .pluck()
        .get(OWNER) as string;
      const shown = toPlainText((JSON.parse(prompt) as { message: OutMessage }).message);
      const label = argLabels(h.app.messages, h.app.messages.forLanguage('en'));
      for (const line of argumentLines(stored, label)) assert.ok(shown.includes(line), `the prompt lacks ${JSON.stringify(line)}`);
    }),
    { numRuns: 150 },
  );
});
