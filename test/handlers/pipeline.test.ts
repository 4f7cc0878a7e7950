/**
 * The dispatch pipeline with real permissions, tokens and audit log on a SQLite file, and a
 * registry of small commands defined here (the pipeline itself is what is under test).
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
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { arg } from '../../src/handlers/args.ts';
import { defineCommand, type AnyCommand } from '../../src/handlers/command.ts';
import { Pipeline, type ChatRef, type Input, type ReplySink } from '../../src/handlers/pipeline.ts';
import { CommandRegistry, CommandRegistrationError } from '../../src/handlers/registry.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';
import { AuditLog } from '../../src/permissions/audit.ts';
import { openPermissions } from '../../src/permissions/open.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';
import { allMigrations } from '../../src/wiring/migrations.ts';
import { testKey } from '../support/test-keys.ts';

const testMessages = defineMessages(
  { 'test.summary': 'test', 'test.done': 'done {n}', 'test.x': 'x' },
  { 'test.summary': 'prueba', 'test.done': 'hecho {n}', 'test.x': 'x' },
);

const OWNER = 'telegram:1';
const FAMILY = 'telegram:2';
const STRANGER = 'telegram:99';
const priv = (identity: string): ChatRef => ({ platform: 'telegram', id: identity.split(':')[1] ?? '', kind: 'private' });

function setup() {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'pipe-')), 'bot.db'), allMigrations);
  const clock = new ManualClock();
  const { access, people, grants, management } = openPermissions(db, clock, { owners: [OWNER], rateLimit: { perMinute: 5 } });
  people.enroll(FAMILY, 'Fam', 'family');
  const ran: string[] = [];
  const reboot = defineCommand({
    name: 'reboot',
    group: 'test',
    summaryKey: testKey('test.summary'),
    args: { guest: arg.integer({ descriptionKey: testKey('test.x'), min: 100, max: 999 }) },
    permission: 'proxmox.guest.power',
    destructive: true,
    mutates: true,
    async run(ctx, { guest }) {
      ran.push(`reboot ${guest} by ${ctx.principal.identity}`);
      return { blocks: [{ kind: 'text', text: ctx.t(testKey('test.done'), { n: guest }) }], severity: 'success' };
    },
  });
  const crash = defineCommand({
    name: 'crash',
    group: 'test',
    summaryKey: testKey('test.summary'),
    args: {},
    permission: 'bot.help.read',
    async run() {
      throw new Error('secret-internal-detail');
    },
  });
  const magnet = defineCommand({
    name: 'add',
    group: 'test',
    summaryKey: testKey('test.summary'),
    permission: 'downloads.torrent.add',
    mutates: true,
    args: { url: arg.string({ descriptionKey: testKey('test.x'), maxLength: 2000 }) },
    fromText: (text) => (text.startsWith('magnet:') ? { url: text } : undefined),
    async run(_ctx, { url }) {
      ran.push(`add ${url}`);
    },
  });
  const secret = defineCommand({
    name: 'secret',
    group: 'test',
    summaryKey: testKey('test.summary'),
    args: {},
    permission: 'bot.help.read',
    ephemeral: true,
    async run(ctx) {
      await ctx.send({ blocks: [{ kind: 'text', text: 'progress' }] });
      return { blocks: [{ kind: 'text', text: 'the password' }] };
    },
  });
  const registry = new CommandRegistry([reboot, crash, magnet, secret] as AnyCommand[]);
  grants.ensureKnown(registry.permissions());
  const audit = new AuditLog(db);
  const pipeline = new Pipeline({
    registry,
    access,
    people,
    tokens: new ActionTokens(db, clock),
    audit,
    clock,
    log: silentLogger(),
    defaultLanguage: 'en',
    messages: new Messages([...allMessageFragments, testMessages], { strict: true }),
  });
  const send = async (identity: string, input: Input, chat: ChatRef = priv(identity)) => {
    const out: OutMessage[] = [];
    const origin: OutMessage[] = [];
    const sink: ReplySink = {
      send: async (m) => (out.push(m), { edit: async () => undefined }),
      updateOrigin: async (m) => void origin.push(m),
    };
    await pipeline.handle({ chat, user: { identity, displayName: identity }, input }, sink);
    return { out, origin, text: out.map(toPlainText).join('\n') };
  };
  const cmd = (identity: string, name: string, text = '', chat?: ChatRef) => send(identity, { kind: 'command', name, text }, chat);
  return { db, clock, access, management, audit, ran, send, cmd };
}

let s: ReturnType<typeof setup>;
beforeEach(() => {
  s = setup();
});

describe('pipeline', () => {
  test('an unknown user gets one neutral reply, then nothing, and nothing runs', async () => {
    const first = await s.cmd(STRANGER, 'reboot', '101');
    assert.equal(first.text, 'Sorry, this is a private bot.');
    const second = await s.cmd(STRANGER, 'crash');
    assert.equal(second.out.length, 0);
    assert.deepEqual(s.ran, []);
  });

  test('a destructive command asks for confirmation, and the Confirm button runs it once', async () => {
    const ask = await s.cmd(OWNER, 'reboot', '101');
    assert.deepEqual(s.ran, []);
    const confirm = ask.out[0]?.actions?.[0]?.[0];
    assert.match(confirm?.label ?? '', /Yes/);
    assert.ok(confirm && confirm.token.length <= 62, 'token must fit Telegram callback_data with its prefix');
    const done = await s.send(OWNER, { kind: 'action', token: confirm.token });
    assert.deepEqual(s.ran, ['reboot 101 by telegram:1']);
    assert.match(done.text, /done 101/);
    assert.equal(done.origin.length, 1, 'the confirmation message is closed');
    const again = await s.send(OWNER, { kind: 'action', token: confirm.token });
    assert.match(again.text, /already used/);
    assert.equal(s.ran.length, 1);
    const entries = s.audit.query({ identity: OWNER });
    assert.ok(entries.some((e) => e.command === 'reboot' && e.result === 'ok'));
  });

  test('Cancel runs nothing and is audited', async () => {
    const ask = await s.cmd(OWNER, 'reboot', '101');
    const cancel = ask.out[0]?.actions?.[0]?.[1];
    const res = await s.send(OWNER, { kind: 'action', token: cancel!.token });
    assert.deepEqual(s.ran, []);
    assert.match(toPlainText(res.origin[0]!), /Cancelled/);
    assert.ok(s.audit.query({ identity: OWNER }).some((e) => e.result === 'cancelled'));
  });

  test('a button pressed by someone else, or after expiry, is refused', async () => {
    const ask = await s.cmd(OWNER, 'reboot', '101');
    const token = ask.out[0]!.actions![0]![0]!.token;
    const other = await s.send(FAMILY, { kind: 'action', token });
    assert.match(other.text, /someone else/);
    s.clock.advance(6 * 60_000);
    const late = await s.send(OWNER, { kind: 'action', token });
    assert.match(late.text, /expired/);
    assert.deepEqual(s.ran, []);
  });

  test('a forged token is refused', async () => {
    const res = await s.send(OWNER, { kind: 'action', token: 'AAAAAAAAAAAAAAAAAAAAAA' });
    assert.match(res.text, /no longer valid/);
  });

  test('the permission is re-checked when the button is pressed', async () => {
    s.management.grant(s.access.resolve(OWNER)!, 'family', 'proxmox.guest.power');
    const ask = await s.cmd(FAMILY, 'reboot', '101');
    const token = ask.out[0]!.actions![0]![0]!.token;
    s.management.revoke(s.access.resolve(OWNER)!, 'family', 'proxmox.guest.power');
    const res = await s.send(FAMILY, { kind: 'action', token });
    assert.match(res.text, /not allowed/);
    assert.deepEqual(s.ran, []);
  });

  test('denied commands never run and are audited as denied', async () => {
    const res = await s.cmd(FAMILY, 'reboot', '101');
    assert.match(res.text, /not allowed/);
    assert.deepEqual(s.ran, []);
    assert.ok(s.audit.query({ identity: FAMILY }).some((e) => e.result === 'denied'));
  });

  test('bad arguments get a clear message with usage, and never run', async () => {
    const res = await s.cmd(OWNER, 'reboot', 'abc');
    assert.match(res.text, /guest must be a whole number/);
    assert.match(res.text, /Usage: \/reboot <guest>/);
    const hostile = await s.cmd(OWNER, 'reboot', '101; rm -rf /');
    assert.match(hostile.text, /Too many arguments|whole number/);
    assert.deepEqual(s.ran, []);
  });

  test('reserved $ keys from user input are ignored (no confirmation bypass)', async () => {
    const res = await s.send(OWNER, { kind: 'options', name: 'reboot', options: { guest: '101', $confirmed: '1' } });
    assert.match(res.text, /Are you sure/);
    assert.deepEqual(s.ran, []);
  });

  test('an unexpected error gives a reference, never the internal detail', async () => {
    const res = await s.cmd(OWNER, 'crash');
    assert.match(res.text, /ref [0-9a-f]{8}/);
    assert.ok(!res.text.includes('secret-internal-detail'));
  });

  test('plain text is routed to the command that claims it', async () => {
    await s.send(OWNER, { kind: 'text', text: 'magnet:?xt=urn:btih:abc' });
    assert.deepEqual(s.ran, ['add magnet:?xt=urn:btih:abc']);
    const other = await s.send(OWNER, { kind: 'text', text: 'hello' });
    assert.match(other.text, /did not understand/);
  });

  test('commands are rate-limited per identity, except for the owner', async () => {
    for (let i = 0; i < 5; i++) await s.cmd(FAMILY, 'crash');
    const res = await s.cmd(FAMILY, 'crash');
    assert.match(res.text, /Too many commands/);
    s.clock.advance(61_000);
    const later = await s.cmd(FAMILY, 'crash');
    assert.doesNotMatch(later.text, /Too many commands/);
    for (let i = 0; i < 12; i++) assert.match((await s.cmd(OWNER, 'crash')).text, /ref/);
  });

  test('a flooding family member is told once per minute, in a group too; audited once; then answered again', async () => {
    const group: ChatRef = { platform: 'telegram', id: '-100500', kind: 'group' };
    for (let i = 0; i < 5; i++) await s.cmd(FAMILY, 'crash', '', group);
    const replies: number[] = [];
    for (let i = 0; i < 6; i++) {
      replies.push((await s.cmd(FAMILY, 'crash', '', group)).out.length);
      s.clock.advance(5_000);
    }
    assert.deepEqual(replies, [1, 0, 0, 0, 0, 0], 'one note in the group, then silence');
    // A private message within the same minute is not answered either: the note was given.
    assert.equal((await s.cmd(FAMILY, 'crash')).out.length, 0);
    const audited = s.audit.query({}).filter((r) => r.result === 'rate-limited');
    assert.equal(audited.length, 1, 'audited once');
    assert.equal(audited[0]?.identity, FAMILY);
    assert.equal(audited[0]?.chat, 'telegram:-100500');

    s.clock.advance(30_000); // a minute after the note: still flooding means one more note
    const again = await s.cmd(FAMILY, 'crash', '', group);
    assert.match(again.text, /ref/, 'the window has room again: the command runs');
    for (let i = 0; i < 4; i++) await s.cmd(FAMILY, 'crash', '', group);
    const [note, quiet] = [await s.cmd(FAMILY, 'crash', '', group), await s.cmd(FAMILY, 'crash', '', group)];
    assert.match(note.text, /Too many commands/);
    assert.equal(quiet.out.length, 0);
  });

  test('every message of an ephemeral command is marked ephemeral', async () => {
    const res = await s.cmd(OWNER, 'secret');
    assert.equal(res.out.length, 2);
    assert.ok(res.out.every((m) => m.ephemeral === true));
  });

  test('an unknown command says so', async () => {
    const res = await s.cmd(OWNER, 'frobnicate');
    assert.match(res.text, /I do not know \/frobnicate/);
  });
});

describe('registry', () => {
  const base = { group: 'x', summaryKey: 'x', args: {}, run: async () => undefined };
  test('a command without a valid permission does not register', () => {
    assert.throws(() => new CommandRegistry([{ ...base, name: 'a', permission: '' } as unknown as AnyCommand]), CommandRegistrationError);
    assert.throws(
      () => new CommandRegistry([{ ...base, name: 'a', permission: 'nodots' } as unknown as AnyCommand]),
      CommandRegistrationError,
    );
  });
  test('duplicate and invalid names are refused', () => {
    const c = { ...base, name: 'a', permission: 'a.b.c' } as AnyCommand;
    assert.throws(() => new CommandRegistry([c, c]), /twice/);
    assert.throws(() => new CommandRegistry([{ ...c, name: 'Bad Name' }]), CommandRegistrationError);
  });
});
