import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import type { Attachment } from '../../src/handlers/command.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';
import { startTransmissionFake, type TransmissionFake } from '../../src/demo/transmission.ts';
import { bencode } from '../../src/services/transmission/bencode.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { startTransmissionDaemon, TRANSMISSION_DAEMON, TRANSMISSION_PACKAGE } from '../support/transmission-daemon.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';
import { startCutProxy } from '../support/cut-proxy.ts';

const hash = (c: string): string => c.repeat(40);
const magnet = (h: string, name: string): string => `magnet:?xt=urn:btih:${h}&dn=${encodeURIComponent(name)}&xl=1000000`;
const FOLDERS = { movies: '/downloads/movies', series: '/downloads/series' };
const config = (fake: TransmissionFake, extra: Record<string, unknown> = {}) => ({
  // Many commands within one (manual-clock) minute: lift the per-person rate limit.
  permissions: { owners: [OWNER], rateLimitPerMinute: 1000 },
  transmission: { url: fake.url, username: 'tr', password: 'fake-pass', pollSeconds: 1, downloadDirs: FOLDERS, ...extra },
});
const torrentFile = (name: string): Buffer => bencode({ info: { name, 'piece length': 16384, length: 123456, pieces: Buffer.alloc(160) } });
const doc = (fileName: string, bytes: Buffer, size = bytes.length): Attachment => ({
  fileName,
  size,
  download: async () => bytes,
});
/** The finish notification as queued in the app's real outbox (delivered to the adder's chat). */
const queued = (h: TestApp, name: string): { destination: string; payload: string } | undefined =>
  h.app.db.prepare('SELECT destination, payload FROM alert_outbox WHERE payload LIKE ?').get(`%Download finished: ${name}%`) as
    { destination: string; payload: string } | undefined;
const notifiedAt = (h: TestApp, hx: string): number | null | undefined =>
  (h.app.db.prepare('SELECT notified_at FROM torrents_added WHERE hash = ?').get(hx) as { notified_at: number | null } | undefined)
    ?.notified_at;

describe('download commands', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 20, 0, 0));
  let fake: TransmissionFake;
  let h: TestApp;
  before(async () => {
    fake = await startTransmissionFake({ username: 'tr', password: 'fake-pass', downloadMs: 60_000, now: () => clock.now() });
    h = await startTestApp(config(fake), { clock });
  });
  after(async () => {
    await h.close();
    await fake.close();
  });

  test('a magnet link sent as plain text asks for the folder, then adds it there', async () => {
    const conv = await h.say(OWNER, magnet(hash('a'), 'Holiday Movie'));
    assert.match(conv.texts[0] ?? '', /Where should "Holiday Movie" go\?/);
    const added = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /^movies$/));
    assert.match(added.texts[0] ?? '', /Download added: Holiday Movie → movies\. I will tell you here when it finishes\./);
    assert.equal(fake.torrents().find((t) => t.hashString === hash('a'))?.downloadDir, '/downloads/movies');
  });

  test('/addtorrent with a folder adds directly; the same again is reported as a duplicate', async () => {
    const first = await h.say(OWNER, `/addtorrent ${magnet(hash('b'), 'Series S01')} series`);
    assert.match(first.texts[0] ?? '', /Download added: Series S01 → series/);
    const again = await h.say(OWNER, `/addtorrent ${magnet(hash('b'), 'Series S01')} series`);
    assert.match(again.texts[0] ?? '', /Already downloading: Series S01/);
    const bad = await h.say(OWNER, `/addtorrent ${magnet(hash('c'), 'x')} music`);
    assert.match(bad.texts[0] ?? '', /no download folder called "music"\. Folders: movies, series/);
  });

  test('malformed magnets and URLs get a clear answer and reach nothing', async () => {
    const calls = fake.calls.length;
    const table: [string, RegExp][] = [
      ['magnet:?xt=urn:btih:1234', /info-hash in that magnet link is malformed/],
      ['magnet:?dn=nothing', /no BitTorrent info-hash/],
      ['/addtorrent ftp://example.org/a.torrent', /Only http and https/],
      ['/addtorrent https://user:pw@example.org/a.torrent', /user name or password/],
    ];
    for (const [line, expected] of table) {
      const conv = await h.say(OWNER, line);
      assert.match(conv.texts[0] ?? '', expected, line);
    }
    assert.equal(
      fake.calls.filter((c) => c.method === 'torrent_add').length,
      fake.calls.slice(0, calls).filter((c) => c.method === 'torrent_add').length,
    );
  });

  test('a .torrent document: folder question, then added with its own name', async () => {
    const conv = await h.send(OWNER, { kind: 'document', attachment: doc('family-photos.torrent', torrentFile('family-photos-2025')) });
    assert.match(conv.texts[0] ?? '', /Where should "family-photos-2025" go\?/);
    const added = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /^series$/));
    assert.match(added.texts[0] ?? '', /Download added: family-photos-2025 → series/);
    assert.ok(fake.torrents().some((t) => t.name === 'family-photos-2025' && t.downloadDir === '/downloads/series'));
    const replay = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /^movies$/));
    assert.match(replay.texts[0] ?? '', /no longer waiting/);
  });

  test('bad .torrent documents: not bencode, no info, too large (never downloaded)', async () => {
    const notBencode = await h.send(OWNER, { kind: 'document', attachment: doc('x.torrent', Buffer.from('<html>')) });
    assert.match(notBencode.texts[0] ?? '', /not a \.torrent file/);
    const noInfo = await h.send(OWNER, { kind: 'document', attachment: doc('y.torrent', bencode({ announce: 'x' })) });
    assert.match(noInfo.texts[0] ?? '', /no "info" section/);
    const huge: Attachment = { fileName: 'z.torrent', size: 6 * 1024 * 1024, download: async () => assert.fail('must not download') };
    const big = await h.send(OWNER, { kind: 'document', attachment: huge });
    assert.match(big.texts[0] ?? '', /too large for a \.torrent \(limit 5\.0 MiB\)/);
  });

  test('/torrents pages the list; pause and resume by name; ambiguous names offer buttons', async () => {
    for (let i = 0; i < 7; i++) await h.say(OWNER, `/addtorrent ${magnet(String(i).repeat(40), `Lecture ${i}`)} movies`);
    const page1 = await h.say(OWNER, '/torrents');
    assert.match(page1.texts[0] ?? '', /Page 1 of 2/);
    assert.match(page1.texts[0] ?? '', /downloading/);
    const page2 = await h.press(OWNER, buttonToken(page1.replies[0]?.message, /Next/));
    assert.match(page2.texts[0] ?? '', /Page 2 of 2/);
    const ambiguous = await h.say(OWNER, '/pausetorrent lecture');
    assert.match(ambiguous.texts[0] ?? '', /Several downloads match "lecture"/);
    const paused = await h.press(OWNER, buttonToken(ambiguous.replies[0]?.message, /Lecture 3/));
    assert.match(paused.texts[0] ?? '', /Paused: Lecture 3/);
    assert.equal(fake.torrents().find((t) => t.name === 'Lecture 3')?.running, false);
    const resumed = await h.say(OWNER, '/resumetorrent Lecture 3');
    assert.match(resumed.texts[0] ?? '', /Resumed: Lecture 3/);
    const none = await h.say(OWNER, '/pausetorrent nothing-like-this');
    assert.match(none.texts[0] ?? '', /No download matches/);
    const stop = fake.calls.filter((c) => c.method === 'torrent_stop');
    assert.ok(stop.every((c) => Array.isArray(c.args.ids) && (c.args.ids as unknown[]).length === 1));
  });

  test('remove asks keep/delete; deleting files needs confirmation', async () => {
    await h.say(OWNER, `/addtorrent ${magnet(hash('d'), 'Old Film')} movies`);
    const ask = await h.say(OWNER, '/removetorrent "old film"');
    assert.match(ask.texts[0] ?? '', /What about its downloaded files/);
    const confirm = await h.press(OWNER, buttonToken(ask.replies[0]?.message, /delete files/));
    assert.match(confirm.texts[0] ?? '', /delete its downloaded files\? This cannot be undone/);
    assert.ok(
      fake.torrents().some((t) => t.hashString === hash('d')),
      'not removed before confirmation',
    );
    const done = await h.press(OWNER, buttonToken(confirm.replies[0]?.message, /Yes/));
    assert.match(done.texts.join('\n'), /Removed: Old Film, and its files were deleted/);
    assert.ok(!fake.torrents().some((t) => t.hashString === hash('d')));
    assert.deepEqual(fake.calls.filter((c) => c.method === 'torrent_remove').at(-1)?.args, { ids: [hash('d')], delete_local_data: true });
    await h.say(OWNER, `/addtorrent ${magnet(hash('e'), 'Keep Me Files')} movies`);
    const keep = await h.say(OWNER, '/removetorrent "keep me" keep');
    assert.match(keep.texts[0] ?? '', /Removed: Keep Me Files\. The files were kept/);
  });

  test('/torrents numbers are the ids the commands take; a number never matches inside a name; buttons say what they do', async () => {
    await h.say(OWNER, `/addtorrent ${magnet(hash('7'), 'Film 1080p')} movies`);
    await h.say(OWNER, `/addtorrent ${magnet(hash('8'), 'Summer 2010')} movies`);
    const film = fake.torrents().find((t) => t.name === 'Film 1080p')!;
    const list = await h.say(OWNER, '/torrents');
    assert.match(list.texts[0] ?? '', new RegExp(`#${film.id} Film 1080p`));
    const labels = (list.replies[0]?.message.actions ?? []).flat().map((a) => a.label);
    assert.ok(labels.includes(`⏸ Pause #${film.id}`) && labels.includes(`🗑 Remove #${film.id}`), labels.join(' | '));
    // "1" or "2010" are ids, not name fragments.
    const byNumber = await h.say(OWNER, `/pausetorrent ${film.id}`);
    assert.match(byNumber.texts[0] ?? '', /Paused: Film 1080p/);
    const again = await h.say(OWNER, `/pausetorrent #${film.id}`);
    assert.match(again.texts[0] ?? '', /Film 1080p is already paused: nothing changed/);
    const year = await h.say(OWNER, '/pausetorrent 2010');
    assert.match(year.texts[0] ?? '', /There is no download number 2010/);
    assert.equal(fake.torrents().find((t) => t.name === 'Summer 2010')?.running, true);
    await h.say(OWNER, `/resumetorrent ${film.id}`);
    const running = await h.say(OWNER, `/resumetorrent ${film.id}`);
    assert.match(running.texts[0] ?? '', /Film 1080p is not paused .*nothing changed/);
  });

  test('/removetorrent … delete names the download before asking, and an ambiguous name keeps "delete"', async () => {
    await h.say(OWNER, `/addtorrent ${magnet('ab'.repeat(20), 'Trip Video A')} movies`);
    await h.say(OWNER, `/addtorrent ${magnet('cd'.repeat(20), 'Trip Video B')} movies`);
    const which = await h.say(OWNER, '/removetorrent "trip video" delete');
    assert.match(which.texts[0] ?? '', /Several downloads match "trip video"/);
    const ask = await h.press(OWNER, buttonToken(which.replies[0]?.message, /Trip Video B/));
    assert.match(ask.texts[0] ?? '', /^Remove "Trip Video B" AND delete its downloaded files\?/);
    const done = await h.press(OWNER, buttonToken(ask.replies[0]?.message, /Yes/));
    assert.match(done.texts.join('\n'), /Removed: Trip Video B, and its files were deleted/);
    const byId = fake.torrents().find((t) => t.name === 'Trip Video A')!;
    const missing = await h.say(OWNER, '/removetorrent 99999 delete');
    assert.deepEqual(missing.texts, ['There is no download number 99999. Send /torrents to see the numbers.']);
    const named = await h.say(OWNER, `/removetorrent ${byId.id} delete`);
    assert.match(named.texts[0] ?? '', /^Remove "Trip Video A" AND delete/);
  });

  test('turtle mode on/off and free space per folder', async () => {
    const on = await h.say(OWNER, '/turtle on');
    assert.match(on.texts[0] ?? '', /Turtle mode is on/);
    assert.equal(fake.altSpeedEnabled, true);
    const list = await h.say(OWNER, '/torrents');
    assert.match(list.texts[0] ?? '', /🐢/);
    const state = await h.say(OWNER, '/turtle');
    const off = await h.press(OWNER, buttonToken(state.replies[0]?.message, /Turn off/));
    assert.match(off.texts[0] ?? '', /Turtle mode is off/);
    assert.equal(fake.altSpeedEnabled, false);
    const space = await h.say(OWNER, '/freespace');
    assert.match(space.texts[0] ?? '', /movies: 757 GiB free of 932 GiB/);
    assert.match(space.texts[0] ?? '', /series: 757 GiB free/);
  });

  test('family may list downloads but must ask an admin to add one', async () => {
    const fam = h.person('family');
    const list = await h.say(fam, '/torrents');
    assert.match(list.texts[0] ?? '', /Downloads/);
    const add = await h.say(fam, magnet(hash('f'), 'Cartoons'));
    assert.match(add.texts[0] ?? '', /ask an admin/);
    const remove = await h.say(fam, '/removetorrent lecture keep');
    assert.match(remove.texts[0] ?? '', /not allowed/);
    assert.ok(!fake.torrents().some((t) => t.hashString === hash('f')));
  });

  test('a family /addtorrent: folder chosen first, one approval adds it, the result reaches the requester in Spanish', async () => {
    const fam = h.person('family');
    h.app.permissions.people.setLanguage(fam, 'es');
    const add = await h.say(fam, `/addtorrent ${magnet(hash('e'), 'Dibujos')}`);
    // One "ask an admin" button per folder: the approved run must need nothing more (it used to loop).
    const labels = add.replies[0]?.message.actions?.flat().map((a) => a.label);
    assert.deepEqual(labels, ['Pedir a un admin: movies', 'Pedir a un admin: series']);
    await h.press(fam, buttonToken(add.replies[0]?.message, /series/));
    const ask = await waitFor(
      () =>
        h.app.db
          .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%folder = series%' ORDER BY id DESC")
          .pluck()
          .get(OWNER) as string | undefined,
      { what: 'the approval request shows the folder' },
    );
    const approve = (JSON.parse(ask) as { message: { actions: { label: string; token: string }[][] } }).message.actions.flat()[0]!;
    const decided = await h.press(OWNER, approve.token);
    assert.match(decided.texts.join('\n'), /Approved\. I ran \/addtorrent/);
    assert.ok(
      fake.torrents().some((t) => t.hashString === hash('e') && t.downloadDir === '/downloads/series'),
      'added at once',
    );
    const result = await waitFor(
      () =>
        h.app.db
          .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%Dibujos%' ORDER BY id DESC")
          .pluck()
          .get(fam) as string | undefined,
      { what: 'the result goes to the requester' },
    );
    assert.doesNotMatch(result, /Where should|chooseFolder|¿Dónde/, 'no folder question after approval');
    assert.match(result, /Descarga añadida|añadid/i);
  });

  test('a family /addtorrent naming a folder that does not exist is refused before any admin is asked, naming the folders (English and Spanish)', async () => {
    const approvals = () => h.app.db.prepare('SELECT count(*) FROM approvals').pluck().get();
    const asks = () => h.app.db.prepare("SELECT count(*) FROM alert_outbox WHERE payload LIKE '%asks to run%'").pluck().get();
    const [approvals0, asks0] = [approvals(), asks()];
    const fam = h.person('family');
    const en = await h.say(fam, `/addtorrent ${magnet(hash('d'), 'Nature')} media`);
    assert.equal(en.texts[0], 'There is no download folder called "media". Folders: movies, series.');
    assert.equal(en.replies[0]?.message.actions?.length ?? 0, 0, 'no "ask an admin" button');
    const ana = h.person('family');
    h.app.permissions.people.setLanguage(ana, 'es');
    const es = await h.say(ana, `/addtorrent ${magnet(hash('d'), 'Nature')} media`);
    assert.equal(es.texts[0], 'No hay ninguna carpeta de descarga llamada «media». Carpetas: movies, series.');
    assert.equal(es.replies[0]?.message.actions?.length ?? 0, 0);
    // Someone who may not ask an admin at all gets the plain denial, not the folder names.
    const guest = await h.say(h.person('guest'), `/addtorrent ${magnet(hash('d'), 'Nature')} media`);
    assert.doesNotMatch(guest.texts.join('\n'), /movies|series|folder/);
    // An "Ask an admin" button made for a folder that is gone by the time it is pressed (the config changed) asks nobody either.
    const stale = new ActionTokens(h.app.db, h.clock).create({
      command: 'approval-request',
      args: { command: 'addtorrent', args: JSON.stringify({ link: magnet(hash('d'), 'Nature'), folder: 'media' }) },
      allowedIdentity: fam,
      chat: { platform: 'telegram', id: fam.slice('telegram:'.length), kind: 'private' },
      ttlMs: 60_000,
      oneShot: true,
    });
    const pressed = await h.press(fam, stale);
    assert.match(pressed.texts.join('\n'), /no download folder called "media"\. Folders: movies, series/);
    assert.equal(approvals(), approvals0, 'no approval request');
    assert.equal(asks(), asks0, 'no admin was asked');
    assert.ok(!fake.torrents().some((t) => t.hashString === hash('d')));
  });

  test('folder names resolve own keys only: constructor and __proto__ are unknown folders', async () => {
    for (const folder of ['constructor', '__proto__', 'toString']) {
      const r = await h.say(OWNER, `/addtorrent ${magnet(hash('c'), 'Proto')} ${folder}`);
      assert.match(r.texts[0] ?? '', /movies, series/, folder);
    }
    assert.ok(!fake.torrents().some((t) => t.hashString === hash('c')));
  });

  test('the adder is recorded and marked notified once the download finishes', async () => {
    await h.say(OWNER, `/addtorrent ${magnet(hash('9'), 'Quick One')} movies`);
    assert.equal(notifiedAt(h, hash('9')), null);
    clock.advance(61_000);
    await waitFor(() => notifiedAt(h, hash('9')), { what: 'finish noticed by the poller', timeoutMs: 5000 });
    assert.equal(queued(h, 'Quick One')?.destination, OWNER);
    const status = await h.say(OWNER, '/status');
    assert.match(status.texts[0] ?? '', /Downloads \(Transmission\).*finished/s);
    // Finished and sharing (seeding) is not paused: resuming it changes nothing and says so.
    const starts = fake.calls.filter((c) => c.method === 'torrent_start').length;
    const seeding = await h.say(OWNER, '/resumetorrent Quick One');
    assert.match(seeding.texts[0] ?? '', /Quick One is not paused .*nothing changed/);
    assert.doesNotMatch(seeding.texts[0] ?? '', /Resumed/);
    assert.equal(fake.calls.filter((c) => c.method === 'torrent_start').length, starts, 'no start call for a seeding download');
  });
});

describe('downloads across a restart and failures', () => {
  test('a download that finished while the bot was down is reported on the next start', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 20, 0, 0));
    const fake = await startTransmissionFake({ username: 'tr', password: 'fake-pass', downloadMs: 60_000, now: () => clock.now() });
    const dir = mkdtempSync(join(tmpdir(), 'torrents-restart-'));
    const apps: TestApp[] = [];
    try {
      const first = await startTestApp(config(fake), { clock, dir });
      apps.push(first);
      await first.say(OWNER, `/addtorrent ${magnet(hash('7'), 'Overnight')} movies`);
      await apps.pop()!.close();
      clock.advance(2 * 3600_000);
      const second = await startTestApp(config(fake), { clock, dir });
      apps.push(second);
      await waitFor(() => notifiedAt(second, hash('7')), { what: 'finished-while-down torrent reported', timeoutMs: 5000 });
      assert.equal(queued(second, 'Overnight')?.destination, OWNER);
    } finally {
      for (const a of apps) await a.close();
      rmSync(dir, { recursive: true, force: true });
      await fake.close();
    }
  });

  test('wrong Transmission password: a clear answer without the password', async () => {
    const fake = await startTransmissionFake({ username: 'tr', password: 'fake-pass' });
    const h = await startTestApp(config(fake, { password: 'wrong-secret-77' }));
    try {
      const conv = await h.say(OWNER, '/turtle');
      assert.match(conv.texts[0] ?? '', /refused the credentials/);
      assert.doesNotMatch(conv.texts.join('\n'), /wrong-secret-77/);
    } finally {
      await h.close();
      await fake.close();
    }
  });
});

describe('/torrents while Transmission is not answering', () => {
  test('after a good read: the last known list, said to be old, with how old; before any: the failure', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 20, 0, 0));
    const fake = await startTransmissionFake({ username: 'tr', password: 'fake-pass', downloadMs: 60_000, now: () => clock.now() });
    const rpc = new URL(fake.url);
    const through = (proxy: { url: string }) => ({
      ...config(fake),
      transmission: { ...config(fake).transmission, url: `${proxy.url}${rpc.pathname}` },
    });
    const line = await startCutProxy(rpc.origin);
    const h = await startTestApp(through(line), { clock });
    try {
      const added = await h.say(OWNER, `/addtorrent ${magnet(hash('e'), 'Kept Film')} movies`);
      assert.match(added.texts[0] ?? '', /Download added/);
      clock.advance(10_000); // past /torrents' 5 s: it reads Transmission again
      assert.match((await h.say(OWNER, '/torrents')).texts.join('\n'), /Kept Film/);
      line.setCut(true);
      clock.advance(3 * 60_000);
      const stale = (await h.say(OWNER, '/torrents')).texts.join('\n');
      assert.match(
        stale,
        /Transmission is not answering right now \(the connection (was cut|was refused|closed unexpectedly)\); this is the last known list\./,
      );
      assert.match(stale, /Kept Film/);
      assert.match(stale, /3 min ago/);
    } finally {
      await h.close();
      await line.close();
      await fake.close();
    }
    // Never read: there is no list to show, only what is wrong.
    const down = await startCutProxy(rpc.origin, true);
    const cold = await startTestApp(through(down), { clock });
    try {
      const text = (await cold.say(OWNER, '/torrents')).texts.join('\n');
      assert.doesNotMatch(text, /last known list/);
      assert.match(text, /Downloads \(Transmission\)/);
    } finally {
      await cold.close();
      await down.close();
    }
  });
});

describe('download commands against a real transmission-daemon', () => {
  test('plain magnet → added, listed, paused, removed (default folder)', async (t) => {
    if (!requireBinary(t, TRANSMISSION_DAEMON, TRANSMISSION_PACKAGE)) return;
    const daemon = await startTransmissionDaemon();
    const h = await startTestApp({
      permissions: { owners: [OWNER], rateLimitPerMinute: 1000 },
      transmission: { url: daemon.url, username: daemon.username, password: daemon.password },
    });
    try {
      const hx = '0123456789abcdef0123456789abcdef01234567';
      const added = await h.say(OWNER, `magnet:?xt=urn:btih:${hx}&dn=real-daemon-test`);
      assert.match(added.texts[0] ?? '', /Download added: real-daemon-test → the default folder/);
      const list = await h.say(OWNER, '/torrents');
      assert.match(list.texts[0] ?? '', /real-daemon-test\n0 % · (fetching details|downloading|queued|paused)/);
      const paused = await h.say(OWNER, '/pausetorrent real-daemon');
      assert.match(paused.texts[0] ?? '', /Paused: real-daemon-test/);
      const removed = await h.say(OWNER, '/removetorrent real-daemon keep');
      assert.match(removed.texts[0] ?? '', /Removed: real-daemon-test/);
      const empty = await h.say(OWNER, '/torrents');
      assert.match(empty.texts[0] ?? '', /No downloads/);
      const space = await h.say(OWNER, '/freespace');
      assert.match(space.texts[0] ?? '', /the default folder: .* free/);
    } finally {
      await h.close();
      await daemon.close();
    }
  });
});
