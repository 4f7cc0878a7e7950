import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TransmissionClient } from '../../src/services/transmission/client.ts';
import { TorrentFinishTracker } from '../../src/services/transmission/alerts.ts';
import { createTransmissionPoller } from '../../src/services/transmission/poller.ts';
import { bencode } from '../../src/services/transmission/bencode.ts';
import { startTransmissionFake, type TransmissionFake } from '../../src/demo/transmission.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';

const H1 = '1111111111111111111111111111111111111111';
const H2 = '2222222222222222222222222222222222222222';
const magnet = (h: string, name: string): string => `magnet:?xt=urn:btih:${h}&dn=${name}&xl=1000000`;

for (const dialect of ['classic', 'jsonrpc'] as const) {
  describe(`Transmission client against the fake (${dialect})`, () => {
    const clock = new ManualClock();
    let fake: TransmissionFake;
    let client: TransmissionClient;
    before(async () => {
      fake = await startTransmissionFake({ username: 'tr', password: 'fake-pass', dialect, downloadMs: 60_000, now: () => clock.now() });
      client = new TransmissionClient({ baseUrl: fake.url, username: 'tr', password: 'fake-pass' });
    });
    after(async () => {
      await client.close();
      await fake.close();
    });

    test('the client learns the dialect from the 409', async () => {
      const s = await client.session();
      assert.ok(s.ok, JSON.stringify(s));
      assert.equal(client.dialect, dialect);
      assert.equal(s.value.downloadDir, '/downloads');
    });

    test('add, progress over time, finish, remove — with ids on every mutation', async () => {
      const added = await client.addMagnet(magnet(H1, 'movie'), { downloadDir: '/downloads/movies' });
      assert.deepEqual(added, { ok: true, value: { hash: H1, name: 'movie', duplicate: false } });
      const tracker = new TorrentFinishTracker();
      let l = await client.list();
      assert.ok(l.ok);
      assert.deepEqual(tracker.update(l.value), []);
      clock.advance(30_000);
      l = await client.list();
      assert.ok(l.ok);
      const half = l.value.find((t) => t.hash === H1);
      assert.equal(half?.status, 'downloading');
      assert.ok(Math.abs((half?.percentDone ?? 0) - 0.5) < 1e-9);
      assert.equal(half?.etaSeconds, 30);
      assert.equal(half?.downloadDir, '/downloads/movies');
      assert.deepEqual(tracker.update(l.value), []);
      clock.advance(31_000);
      l = await client.list();
      assert.ok(l.ok);
      assert.deepEqual(
        tracker.update(l.value).map((e) => e.hash),
        [H1],
      );
      assert.equal(l.value.find((t) => t.hash === H1)?.status, 'seeding');
      assert.ok((await client.remove([H1], true)).ok);
      const removeCall = fake.calls.find((c) => c.method === 'torrent_remove');
      assert.deepEqual(removeCall?.args, { ids: [H1], delete_local_data: true });
    });

    test('duplicate, .torrent upload, turtle, free space, stats', async () => {
      const info = { name: 'notes.txt', 'piece length': 16384, length: 5, pieces: Buffer.alloc(20) };
      const file = bencode({ info });
      const a = await client.addTorrentFile(file, { paused: true });
      assert.ok(a.ok && !a.value.duplicate && a.value.name === 'notes.txt');
      const b = await client.addTorrentFile(file);
      assert.ok(b.ok && b.value.duplicate);
      assert.ok((await client.setTurtle(true)).ok);
      assert.equal(fake.altSpeedEnabled, true);
      assert.deepEqual(await client.turtle(), { ok: true, value: true });
      assert.ok((await client.setTurtle(false)).ok);
      const f = await client.freeSpace('/downloads');
      assert.ok(f.ok && f.value.freeBytes > 0 && (f.value.totalBytes ?? 0) > f.value.freeBytes);
      const s = await client.sessionStats();
      assert.ok(s.ok && s.value.torrentCount >= 1);
      if (a.ok) assert.ok((await client.remove([a.value.hash], false)).ok);
    });

    test('a failed result is rejected with its text', async () => {
      fake.failNext('disk full');
      const r = await client.addMagnet(magnet(H2, 'x'));
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'rejected');
      assert.equal(r.error.detail, 'disk full');
      const f = await client.freeSpace('/nonexistent');
      assert.ok(!f.ok && /No such file/.test(f.error.detail));
    });

    test('a session id that changes mid-life is picked up with one retry', async () => {
      fake.rotateSessionId();
      const r = await client.list();
      assert.ok(r.ok, JSON.stringify(r));
    });
  });
}

describe('Transmission client edge cases against the fake', () => {
  test('wrong password is an auth error', async () => {
    const fake = await startTransmissionFake({ username: 'tr', password: 'right' });
    const c = new TransmissionClient({ baseUrl: fake.url, username: 'tr', password: 'wrong' });
    const r = await c.list();
    assert.ok(!r.ok && r.error.kind === 'auth');
    await c.close();
    await fake.close();
  });

  test('a torrent URL is added; bad URLs and magnets never reach the daemon', async () => {
    const fake = await startTransmissionFake();
    const c = new TransmissionClient({ baseUrl: fake.url });
    const r = await c.addUrl('https://example.org/files/ubuntu-24.04.torrent');
    assert.ok(r.ok && r.value.name === 'ubuntu-24.04');
    const before = fake.calls.length;
    for (const bad of [
      await c.addUrl('ftp://example.org/x.torrent'),
      await c.addUrl('https://u:p@example.org/x'),
      await c.addMagnet('magnet:?dn=nohash'),
    ]) {
      assert.ok(!bad.ok && bad.error.kind === 'rejected');
    }
    assert.equal(fake.calls.length, before);
    await c.close();
    await fake.close();
  });

  test('the poller and tracker: the first poll records the starting state, later polls announce once', async () => {
    const clock = new ManualClock();
    const fake = await startTransmissionFake({ seed: true, downloadMs: 60_000, now: () => clock.now() });
    const c = new TransmissionClient({ baseUrl: fake.url });
    const poller = createTransmissionPoller(c, { intervalMs: 60_000, clock, log: silentLogger() });
    const tracker = new TorrentFinishTracker();
    const events: string[] = [];
    poller.onRefresh(tracker.listener((e) => events.push(...e.map((x) => x.name))));
    await poller.refresh();
    assert.deepEqual(events, [], 'the already-seeding debian torrent is not announced after a restart');
    assert.ok(tracker.primed);
    clock.advance(36_000); // bunny was at 40 %, 0.6 × 60 s later it is done
    await poller.refresh();
    assert.deepEqual(events, ['Big Buck Bunny (2008) 1080p']);
    await poller.refresh();
    assert.equal(events.length, 1);
    await c.close();
    await fake.close();
  });
});
