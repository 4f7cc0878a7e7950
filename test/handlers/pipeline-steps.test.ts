/**
 * The pipeline's named steps one at a time (authorize, parse, preflight, confirm, execute,
 * record), each fed one RunRequest, with real permissions, tokens and audit log on SQLite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { defineMessages, Messages } from '../../src/core/i18n.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { textMessage, toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { arg } from '../../src/handlers/args.ts';
import { defineCommand, type AnyCommand } from '../../src/handlers/command.ts';
import { Pipeline, type PipelineHooks, type ReplySink, type RunRequest } from '../../src/handlers/pipeline.ts';
import { CommandRegistry } from '../../src/handlers/registry.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';
import { AuditLog } from '../../src/permissions/audit.ts';
import { openPermissions } from '../../src/permissions/open.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';
import { allMigrations } from '../../src/wiring/migrations.ts';
import { testKey } from '../support/test-keys.ts';

const testMessages = defineMessages({ 'test.summary': 'test', 'test.x': 'x' }, { 'test.summary': 'prueba', 'test.x': 'x' });
const OWNER = 'telegram:1';
const FAMILY = 'telegram:2';

function setup(hooks: PipelineHooks = {}) {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'steps-')), 'bot.db'), allMigrations);
  const clock = new ManualClock();
  const { access, people, grants } = openPermissions(db, clock, { owners: [OWNER], rateLimit: { perMinute: 50 } });
  people.enroll(FAMILY, 'Fam', 'family');
  const ran: string[] = [];
  let target: 'present' | 'missing' | 'throws' = 'present';
  const stop = defineCommand({
    name: 'stop',
    group: 'test',
    summaryKey: testKey('test.summary'),
    args: { guest: arg.integer({ descriptionKey: testKey('test.x'), min: 100, max: 999 }) },
    permission: 'proxmox.guest.power',
    destructive: true,
    mutates: true,
    requestable: true,
    async preflight(_ctx, { guest }) {
      if (target === 'throws') throw new Error('backend detail');
      return target === 'missing' ? textMessage(`no guest ${guest}`, { severity: 'warning' }) : undefined;
    },
    async run(ctx, { guest }) {
      ran.push(`stop ${guest} by ${ctx.principal.identity}`);
      return textMessage('stopped', { severity: 'success' });
    },
  });
  const look = defineCommand({
    name: 'look',
    group: 'test',
    summaryKey: testKey('test.summary'),
    args: {},
    permission: 'bot.help.read',
    run: async () => textMessage('seen'),
  });
  const registry = new CommandRegistry([stop, look] as AnyCommand[]);
  grants.ensureKnown(registry.permissions());
  const audit = new AuditLog(db);
  const messages = new Messages([...allMessageFragments, testMessages], { strict: true });
  const pipeline = new Pipeline(
    { registry, access, people, tokens: new ActionTokens(db, clock), audit, clock, log: silentLogger(), defaultLanguage: 'en', messages },
    hooks,
  );
  const out: OutMessage[] = [];
  const origin: OutMessage[] = [];
  const sink: ReplySink = {
    send: async (m) => (out.push(m), { edit: async () => undefined }),
    updateOrigin: async (m) => void origin.push(m),
  };
  const request = (identity: string, command: AnyCommand, raw: Record<string, string>, extra: Partial<RunRequest> = {}): RunRequest => ({
    command,
    raw,
    caller: access.resolve(identity)!,
    chat: { platform: 'telegram', id: identity.split(':')[1]!, kind: 'private' },
    lang: 'en',
    t: messages.forLanguage('en'),
    sink,
    ...extra,
  });
  return {
    pipeline,
    audit,
    access,
    ran,
    out,
    origin,
    request,
    stop,
    look,
    setTarget: (v: typeof target) => void (target = v),
    text: () => out.map(toPlainText).join('\n'),
  };
}

let s: ReturnType<typeof setup>;
beforeEach(() => {
  s = setup();
});

describe('pipeline steps', () => {
  test('authorize: allowed goes on silently; denied is audited and answered with the plain denial', async () => {
    assert.equal(await s.pipeline.authorize(s.request(OWNER, s.stop, { guest: '101' })), true);
    assert.equal(s.out.length, 0);
    assert.equal(await s.pipeline.authorize(s.request(FAMILY, s.stop, { guest: '101' })), false);
    assert.equal(s.text(), 'You are not allowed to do that here.');
    assert.deepEqual(
      s.audit.query({ identity: FAMILY }).map((e) => [e.command, e.result]),
      [['stop', 'denied']],
    );
  });

  test('authorize: an approved run is checked against the approver, and skipPermission skips the check', async () => {
    const owner = s.access.resolve(OWNER)!;
    assert.equal(await s.pipeline.authorize(s.request(FAMILY, s.stop, { guest: '101' }, { approvedBy: owner })), true);
    const family = s.access.resolve(FAMILY)!;
    assert.equal(await s.pipeline.authorize(s.request(OWNER, s.stop, { guest: '101' }, { approvedBy: family })), false);
    assert.equal(await s.pipeline.authorize(s.request(FAMILY, s.stop, { guest: '101' }, { skipPermission: true })), true);
  });

  test('a stranger runs only a command built for strangers, through its stranger entry point, even with skipPermission', async () => {
    const seen: string[] = [];
    const welcome = defineCommand({
      name: 'welcome',
      group: 'test',
      summaryKey: testKey('test.summary'),
      args: {},
      permission: 'bot.help.read',
      run: async (ctx) => (seen.push(`known ${ctx.principal.personId}`), textMessage('hello again')),
      runForStranger: async (ctx) => (seen.push(`stranger ${ctx.stranger.identity}`), textMessage('hello')),
    });
    const stranger = { stranger: true as const, identity: 'telegram:99', displayName: 'Who' };
    assert.equal(await s.pipeline.authorize(s.request(OWNER, s.look, {}, { caller: stranger })), false);
    assert.equal(await s.pipeline.authorize(s.request(OWNER, s.look, {}, { caller: stranger, skipPermission: true })), false);
    await s.pipeline.run(s.request(OWNER, s.look, {}, { caller: stranger }));
    assert.deepEqual(s.out, [], 'a stranger is told nothing about commands not built for them');
    await s.pipeline.run(s.request(OWNER, welcome, {}, { caller: stranger }));
    await s.pipeline.run(s.request(OWNER, welcome, {}));
    assert.deepEqual(seen, ['stranger telegram:99', `known ${s.access.resolve(OWNER)!.personId}`]);
    assert.equal(s.text(), 'hello\nhello again');
  });

  test('authorize: the onDenied hook answers a denial with its own reply and buttons bound to the requester', async () => {
    const seen: string[] = [];
    s = setup({
      onDenied: (req, tools) => {
        seen.push(req.command.name);
        return { blocks: [{ kind: 'text', text: 'ask someone' }], actions: [[tools.action('Ask', 'look', { about: req.command.name })]] };
      },
    });
    assert.equal(await s.pipeline.authorize(s.request(FAMILY, s.stop, { guest: '101' })), false);
    assert.deepEqual(seen, ['stop']);
    assert.equal(s.out[0]?.blocks[0]?.kind === 'text' && s.out[0].blocks[0].text, 'ask someone');
    assert.ok(s.out[0]?.actions?.[0]?.[0]?.token, 'the hook built a real token');
  });

  test('parse: good args come back typed; bad ones get the error with usage', async () => {
    const ok = await s.pipeline.parse(s.request(OWNER, s.stop, { guest: '101' }));
    assert.deepEqual(ok, { ok: true, value: { guest: 101 } });
    const bad = await s.pipeline.parse(s.request(OWNER, s.stop, { guest: '5' }));
    assert.equal(bad.ok, false);
    assert.match(s.text(), /Usage: \/stop <guest>/);
  });

  test('preflight: a missing target ends the run before any confirmation, audited as failed', async () => {
    s.setTarget('missing');
    await s.pipeline.run(s.request(OWNER, s.stop, { guest: '101' }));
    assert.equal(s.text(), 'no guest 101');
    assert.ok(!s.out.some((m) => m.actions), 'no confirmation buttons for a missing target');
    assert.deepEqual(
      s.audit.query({ identity: OWNER }).map((e) => [e.result, e.detail]),
      [['failed', 'no guest 101']],
    );
  });

  test('preflight: a throw becomes a reference and stops the run', async () => {
    s.setTarget('throws');
    await s.pipeline.run(s.request(OWNER, s.stop, { guest: '101' }));
    assert.match(s.text(), /Something went wrong on my side \(ref [0-9a-f]{8}\)/);
    assert.doesNotMatch(s.text(), /backend detail/);
    assert.deepEqual(s.ran, []);
    assert.equal(s.audit.query({ identity: OWNER })[0]?.result, 'error');
  });

  test('confirm: asks once with Confirm/Cancel; a confirmed request closes the question and goes on; an approved run does not ask', async () => {
    assert.equal(await s.pipeline.confirm(s.request(OWNER, s.stop, { guest: '101' }), { guest: 101 }), false);
    assert.deepEqual(
      s.out[0]?.actions?.[0]?.map((a) => a.label),
      ['Yes, do it', 'Cancel'],
    );
    assert.equal(await s.pipeline.confirm(s.request(OWNER, s.stop, { guest: '101' }, { confirmed: true }), { guest: 101 }), true);
    assert.match(toPlainText(s.origin[0]!), /Confirmed/);
    const approver = s.access.resolve(OWNER)!;
    assert.equal(await s.pipeline.confirm(s.request(FAMILY, s.stop, { guest: '101' }, { approvedBy: approver }), { guest: 101 }), true);
    assert.equal(await s.pipeline.confirm(s.request(OWNER, s.look, {}), {}), true);
    assert.equal(s.out.length, 1, 'only the first request asked');
  });

  test('record: only state changes, approved runs and denials are audited; an approval names its approver', () => {
    s.pipeline.record(s.request(OWNER, s.look, {}), 'ok');
    assert.equal(s.audit.query({}).length, 0);
    s.pipeline.record(s.request(OWNER, s.look, {}), 'denied');
    const approver = s.access.resolve(OWNER)!;
    s.pipeline.record(s.request(FAMILY, s.stop, { guest: '101' }, { approvedBy: approver }), 'ok', 'fine');
    const rows = s.audit.query({}).map((e) => [e.identity, e.command, e.result, e.detail ?? '']);
    assert.deepEqual(rows.sort(), [
      [OWNER, 'look', 'denied', ''],
      [FAMILY, 'stop', 'ok', 'approved by telegram:1; fine'],
    ]);
  });

  test('run: the steps in order end in execute exactly once for a confirmed request', async () => {
    await s.pipeline.run(s.request(OWNER, s.stop, { guest: '101' }, { confirmed: true }));
    assert.deepEqual(s.ran, ['stop 101 by telegram:1']);
    assert.match(s.text(), /stopped/);
    assert.equal(s.audit.query({ identity: OWNER })[0]?.result, 'ok');
  });
});
