/**
 * The people-and-permissions commands through the real composition root and pipeline
 * (startTestApp): what each command answers and what it changes, per role.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/core/logger.ts';
import { OWNER, startDemoTestApp, startTestApp, type TestApp } from '../support/app-harness.ts';
import type { ChatRef } from '../../src/permissions/access.ts';

const FAMILY_GROUP: ChatRef = { platform: 'telegram', id: '-100500', kind: 'group' };

describe('people and permissions commands', () => {
  let h: TestApp;
  before(async () => {
    h = await startTestApp();
  });
  after(async () => h?.close());

  test('/invite by the owner, accepted once with /start; the code is shown only to the inviter', async () => {
    const conv = await h.say(OWNER, '/invite family');
    const reply = conv.replies[0];
    assert.ok(reply?.message.ephemeral);
    const code = /\/start ([0-9A-Z]{12})/.exec(reply.text)?.[1];
    assert.ok(code, reply.text);
    const joined = await h.say('telegram:7001', `/start ${code}`);
    assert.match(joined.texts[0] ?? '', /joined as family/);
    assert.equal(h.app.access.resolve('telegram:7001')?.role, 'family');
    const again = await h.say('telegram:7002', `/start ${code}`);
    assert.match(again.texts[0] ?? '', /already used/);
    assert.equal(h.app.access.resolve('telegram:7002'), undefined);
  });

  test("/invite above one's own role is refused; family cannot invite at all", async () => {
    const admin = h.person('admin');
    const fam = h.person('family');
    assert.match((await h.say(admin, '/invite admin')).texts[0] ?? '', /Invite for admin/);
    assert.match((await h.say(fam, '/invite guest')).texts[0] ?? '', /not allowed to do that/);
  });

  test('/role lists people and changes roles within the rules', async () => {
    const admin = h.person('admin');
    const guest = h.person('guest');
    const list = await h.say(admin, '/role');
    assert.match(list.texts[0] ?? '', new RegExp(guest.replace(':', ':')));
    assert.match((await h.say(admin, `/role family ${guest}`)).texts[0] ?? '', /is now family/);
    assert.match((await h.say(admin, `/role owner ${guest}`)).texts[0] ?? '', /above your own/);
    assert.match((await h.say(admin, `/role guest ${OWNER}`)).texts[0] ?? '', /not allowed to make that change/);
    assert.match((await h.say(admin, '/role family')).texts[0] ?? '', /Say who/);
    assert.match((await h.say(admin, `/role none ${guest}`)).texts[0] ?? '', /removed/);
    assert.equal(h.app.access.resolve(guest), undefined);
  });

  test('/grant and /revoke: owner only, with the table as the menu', async () => {
    const admin = h.person('admin');
    const fam = h.person('family');
    assert.match((await h.say(admin, '/grant family permissions.audit.read')).texts[0] ?? '', /not allowed to do that/);
    // Without full arguments: short usage, then the role's own list, never the whole table.
    const usage = await h.say(OWNER, '/grant');
    assert.match(usage.texts[0] ?? '', /^Usage: \/grant <role> <permission>/);
    assert.ok((usage.texts[0] ?? '').split('\n').length < 4);
    const lacks = (await h.say(OWNER, '/grant family')).texts.join('\n');
    assert.match(lacks, /What family may not do yet/);
    assert.match(lacks, /alerts\.mute\.set/);
    assert.doesNotMatch(lacks, /router\.guest\.qr/, 'family already has it');
    const holds = (await h.say(OWNER, '/revoke family')).texts.join('\n');
    assert.match(holds, /What family may do/);
    assert.match(holds, /router\.guest\.qr/);
    assert.match((await h.say(OWNER, '/revoke')).texts[0] ?? '', /^Usage: \/revoke/);
    assert.match(
      (await h.say(OWNER, '/grant family mutes.set')).texts[0] ?? '',
      /There is no permission "mutes\.set"\. Did you mean alerts\.mute\.set\?/,
    );
    assert.match((await h.say(OWNER, '/grant family permissions.audit.read')).texts[0] ?? '', /can now use permissions\.audit\.read/);
    assert.match((await h.say(fam, '/audit')).replies[0]?.message.title ?? '', /Activity/);
    assert.match((await h.say(OWNER, '/revoke admin permissions.audit.read')).texts[0] ?? '', /still has it, because family has it/);
    assert.match((await h.say(OWNER, '/revoke family permissions.audit.read')).texts[0] ?? '', /no longer has/);
    assert.match((await h.say(fam, '/audit')).texts[0] ?? '', /not allowed/);
    assert.match((await h.say(OWNER, '/grant family no.such.permission')).texts[0] ?? '', /There is no permission "no\.such\.permission"/);
  });

  test('/ceiling in a group lowers everyone there, admins included; the owner lifts it from a private chat', async () => {
    const admin = h.person('admin');
    assert.match((await h.say(admin, '/ceiling family', FAMILY_GROUP)).texts[0] ?? '', /acts as family at most in this chat/);
    assert.match((await h.say(admin, '/invite family', FAMILY_GROUP)).texts[0] ?? '', /not allowed to do that here/);
    assert.match((await h.say(admin, '/invite family')).texts[0] ?? '', /Invite for family/, 'the same admin in private is not limited');
    const list = await h.say(OWNER, '/ceiling');
    assert.match(list.texts[0] ?? '', /telegram:-100500: family/);
    const lift = list.replies[0]?.message.actions?.flat()[0];
    assert.ok(lift);
    assert.match((await h.press(admin, lift.token)).texts[0] ?? '', /belongs to someone else/);
    assert.match((await h.press(OWNER, lift.token)).texts[0] ?? '', /lifted/);
    assert.equal(h.app.permissions.grants.chatCeiling(FAMILY_GROUP), undefined);
  });

  test('role management, ceilings and grants use the role that applies in this chat', async () => {
    const ADMIN_GROUP: ChatRef = { platform: 'telegram', id: '-100777', kind: 'group' };
    const admin = h.person('admin');
    const fam = h.person('family');
    assert.match((await h.say(OWNER, '/ceiling family', ADMIN_GROUP)).texts[0] ?? '', /acts as family at most/);
    assert.match((await h.say(admin, '/ceiling admin', ADMIN_GROUP)).texts[0] ?? '', /not allowed/, 'the owner set this limit');
    assert.equal(h.app.permissions.grants.chatCeiling(ADMIN_GROUP), 'family');
    assert.match((await h.say(OWNER, '/ceiling admin telegram:-100777')).texts[0] ?? '', /acts as admin at most/, 'raised from private');
    // The owner acts as admin in this group: no owner-only management here.
    assert.match((await h.say(OWNER, `/role owner ${fam}`, ADMIN_GROUP)).texts[0] ?? '', /above your own/);
    assert.equal(h.app.access.resolve(fam)?.role, 'family');
    assert.match((await h.say(OWNER, '/ceiling none', ADMIN_GROUP)).texts[0] ?? '', /not allowed/);
    assert.equal(h.app.permissions.grants.chatCeiling(ADMIN_GROUP), 'admin');
    assert.match((await h.say(OWNER, '/grant admin permissions.role.manage', ADMIN_GROUP)).texts.join('\n'), /not allowed|only the owner/i);
    // From the owner's private chat the same changes are allowed.
    assert.match((await h.say(OWNER, '/ceiling none telegram:-100777')).texts[0] ?? '', /lifted/);
  });

  test("/link: a code from one platform attaches the other platform's identity", async () => {
    const fam = h.person('family');
    const made = await h.say(fam, '/link');
    const code = /\/link ([0-9A-Z]{8})/.exec(made.texts[0] ?? '')?.[1];
    assert.ok(code, made.texts[0]);
    assert.match((await h.say('discord:880', `/link ${code}`)).texts[0] ?? '', /Linked/);
    assert.equal(h.app.access.resolve('discord:880')?.personId, h.app.access.resolve(fam)?.personId);
    assert.match((await h.say('discord:881', `/link ${code}`)).texts[0] ?? '', /already used/);
    assert.match((await h.say('discord:882', '/link')).texts[0] ?? '', /private bot/, 'strangers learn nothing');
    const notice = h.app.db
      .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%linked another account: discord:880%'")
      .get(OWNER);
    assert.ok(notice, 'the owner is told about the link');
    const second = /\/link ([0-9A-Z]{8})/.exec((await h.say(fam, '/link')).texts[0] ?? '')?.[1];
    assert.match((await h.say('discord:883', `/link ${second}`)).texts[0] ?? '', /already has an account linked/);
    assert.equal(h.app.access.resolve('discord:883'), undefined, "a family member's code enrols nobody new");
  });

  test('/audit filters by person and by service, and records denials', async () => {
    const fam = h.person('family');
    await h.say(fam, '/invite guest');
    await h.say(OWNER, '/grant guest router.guest.qr');
    await h.say(OWNER, '/revoke guest router.guest.qr');
    const mine = await h.say(OWNER, `/audit person ${fam}`);
    assert.match(mine.texts[0] ?? '', /\/invite role=guest → denied/);
    assert.doesNotMatch(mine.texts[0] ?? '', /\/grant/);
    const perms = await h.say(OWNER, '/audit service permissions');
    assert.match(perms.texts[0] ?? '', /\/revoke role=guest permission=router\.guest\.qr → done/);
    assert.match((await h.say(OWNER, '/audit person nobody-at-all')).texts[0] ?? '', /do not know that person/);
  });
});

describe('owner bootstrap with /setup', () => {
  test('without a configured owner the log carries a one-time code that makes the sender owner', async () => {
    const lines: string[] = [];
    const out = new PassThrough();
    out.on('data', (b: Buffer) => lines.push(b.toString()));
    const h = await startTestApp({ permissions: { owners: [] } }, { log: createLogger({ destination: out }) });
    try {
      const code = /"setupCode":"([0-9A-Z]+)"/.exec(lines.join(''))?.[1];
      assert.ok(code, 'the setup code is logged');
      assert.match((await h.say('telegram:55', `/setup ${code}`)).texts[0] ?? '', /now the owner/);
      assert.equal(h.app.access.resolve('telegram:55')?.role, 'owner');
      assert.equal((await h.say('telegram:56', `/setup ${code}`)).texts[0], 'This setup code is not valid.');
      assert.equal(h.app.access.resolve('telegram:56'), undefined);
    } finally {
      await h.close();
    }
  });
});

test('/grant family guests.power (a plural, no area prefix) suggests proxmox.guest.power where Proxmox is set up', async (t) => {
  const demo = await startDemoTestApp();
  t.after(() => demo.close());
  const r = await demo.say(OWNER, '/grant family guests.power');
  assert.equal(r.texts[0], 'There is no permission "guests.power". Did you mean proxmox.guest.power?');
  assert.equal(demo.app.access.roleHolds('family', 'proxmox.guest.power'), false, 'a suggestion grants nothing');
});
