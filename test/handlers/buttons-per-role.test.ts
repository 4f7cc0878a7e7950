/**
 * Handler-built keyboards go through the viewer's role: /guests on the simulated homelab shows
 * power buttons to whoever may use (or ask for) them and none to anyone else, and every button
 * shown runs a command that role may run or ask for in that chat.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Role } from '../../src/permissions/roles.ts';
import { OWNER, startDemoTestApp, type TestApp } from '../support/app-harness.ts';

let h: TestApp;
before(async () => {
  h = await startDemoTestApp();
});
after(async () => h.close());

const POWER = /Start|Shut down|Restart|Force off/;

describe('/guests buttons per role', () => {
  for (const role of ['owner', 'admin', 'family', 'guest'] as const satisfies readonly Role[]) {
    test(`${role}: only buttons the role may press (or ask for)`, async () => {
      const who = role === 'owner' ? OWNER : h.person(role);
      const conv = await h.say(who, '/guests');
      const shown = conv.replies.flatMap((r) => r.message.actions?.flat() ?? []);
      for (const a of shown) assert.notEqual(a.token, '', `an unusable button reached the chat: ${a.label}`);
      const principal = h.app.access.resolve(who)!;
      const chat = { platform: 'telegram' as const, id: who.split(':')[1]!, kind: 'private' as const };
      const power = h.app.registry.get('shutdown')!;
      const mayPower = h.app.access.can(principal, chat, power.permission) || Boolean(power.requestable);
      assert.equal(
        shown.some((a) => POWER.test(a.label)),
        mayPower,
        `${role} sees ${JSON.stringify(shown.map((a) => a.label))}`,
      );
      if (role === 'owner') assert.ok(mayPower && shown.length > 0, 'the owner gets the power buttons');
    });
  }
});
