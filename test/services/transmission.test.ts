import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { TransmissionClient } from '../../src/services/transmission/client.ts';
import { bencode, sha1Hex } from '../../src/services/transmission/bencode.ts';
import { TorrentFinishTracker } from '../../src/services/transmission/alerts.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import {
  startTransmissionDaemon,
  TRANSMISSION_DAEMON,
  TRANSMISSION_PACKAGE,
  type TestTransmission,
} from '../support/transmission-daemon.ts';

/** A single-file .torrent for `data` without trackers, and its info-hash. */
function makeTorrent(name: string, data: Buffer): { bytes: Buffer; hash: string } {
  const pieceLength = 16384;
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceLength)
    pieces.push(
      createHash('sha1')
        .update(data.subarray(i, i + pieceLength))
        .digest(),
    );
  const info = { name, 'piece length': pieceLength, length: data.length, pieces: Buffer.concat(pieces) };
  return { bytes: bencode({ 'created by': 'homelab-chatops test', info }), hash: sha1Hex(bencode(info)) };
}

const magnet = (hash: string, name: string): string => `magnet:?xt=urn:btih:${hash}&dn=${encodeURIComponent(name)}`;
const randomHash = (): string => randomBytes(20).toString('hex');

describe('Transmission client against a real transmission-daemon', () => {
  let daemon: TestTransmission | undefined;
  let client: TransmissionClient;

  before(async () => {
    // A missing binary is reported per test by requireBinary (skip locally, fail in CI).
    if (!existsSync(TRANSMISSION_DAEMON)) return;
    daemon = await startTransmissionDaemon();
    client = new TransmissionClient({ baseUrl: daemon.url, username: daemon.username, password: daemon.password, timeoutMs: 5000 });
  });
  after(async () => {
    await client?.close();
    await daemon?.close();
  });
  const ready = (t: Parameters<typeof requireBinary>[0]): boolean =>
    requireBinary(t, TRANSMISSION_DAEMON, TRANSMISSION_PACKAGE) && daemon !== undefined;

  test('the daemon answers 409 with a session id; the client completes the handshake', async (t) => {
    if (!ready(t)) return;
    const auth = `Basic ${Buffer.from(`${daemon!.username}:${daemon!.password}`).toString('base64')}`;
    const raw = await request(daemon!.url, { method: 'POST', headers: { authorization: auth }, body: '{"method":"session-get"}' });
    await raw.body.text();
    assert.equal(raw.statusCode, 409);
    assert.ok(raw.headers['x-transmission-session-id']);
    const fresh = new TransmissionClient({ baseUrl: daemon!.url, username: daemon!.username, password: daemon!.password });
    const s = await fresh.session();
    assert.ok(s.ok, JSON.stringify(s));
    assert.match(s.value.version, /^\d/);
    assert.equal(s.value.downloadDir, daemon!.downloadDir);
    assert.equal(fresh.dialect, 'classic');
    await fresh.close();
  });

  test('the daemon root URL works as well as the RPC URL', async (t) => {
    if (!ready(t)) return;
    const root = new TransmissionClient({
      baseUrl: daemon!.url.replace('/transmission/rpc', ''),
      username: daemon!.username,
      password: daemon!.password,
    });
    assert.ok((await root.sessionStats()).ok);
    await root.close();
  });

  test('wrong password → auth error that does not contain the password', async (t) => {
    if (!ready(t)) return;
    const bad = new TransmissionClient({ baseUrl: daemon!.url, username: daemon!.username, password: 'not-the-password-42' });
    const r = await bad.list();
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'auth');
    assert.equal(r.error.status, 401);
    assert.doesNotMatch(JSON.stringify(r.error), /not-the-password-42/);
    await bad.close();
  });

  test('add a magnet (no trackers), then the same again is a duplicate', async (t) => {
    if (!ready(t)) return;
    const hash = randomHash();
    const a = await client.addMagnet(magnet(hash, 'debian-iso'), { paused: true });
    assert.deepEqual(a, { ok: true, value: { hash, name: 'debian-iso', duplicate: false } });
    const b = await client.addMagnet(magnet(hash.toUpperCase(), 'debian-iso'), { paused: true });
    assert.ok(b.ok);
    assert.equal(b.value.duplicate, true);
    assert.equal(b.value.hash, hash);
    const list = await client.list();
    assert.ok(list.ok);
    const mine = list.value.find((x) => x.hash === hash);
    assert.equal(mine?.status, 'stopped');
    assert.equal(mine?.metadataPercentComplete, 0);
    assert.ok((await client.remove([hash], false)).ok);
  });

  test('add a generated .torrent into a chosen folder; duplicate detected; hash matches ours', async (t) => {
    if (!ready(t)) return;
    const { bytes, hash } = makeTorrent('holiday-photos.zip', randomBytes(40_000));
    const dir = join(daemon!.downloadDir, 'family');
    const a = await client.addTorrentFile(bytes, { paused: true, downloadDir: dir });
    assert.deepEqual(a, { ok: true, value: { hash, name: 'holiday-photos.zip', duplicate: false } });
    const b = await client.addTorrentFile(bytes, { paused: true });
    assert.ok(b.ok && b.value.duplicate);
    const list = await client.list();
    assert.ok(list.ok);
    const mine = list.value.find((x) => x.hash === hash);
    assert.equal(mine?.downloadDir, dir);
    assert.equal(mine?.sizeWhenDone, 40_000);
    assert.ok((await client.remove([hash], true)).ok);
  });

  test('stop and start by hash leave other torrents alone', async (t) => {
    if (!ready(t)) return;
    const [h1, h2] = [randomHash(), randomHash()];
    assert.ok((await client.addMagnet(magnet(h1, 'one'), { paused: true })).ok);
    assert.ok((await client.addMagnet(magnet(h2, 'two'), { paused: true })).ok);
    assert.ok((await client.start([h1])).ok);
    const status = async (h: string): Promise<string | undefined> => {
      const l = await client.list();
      return l.ok ? l.value.find((x) => x.hash === h)?.status : undefined;
    };
    await waitFor(async () => ['downloading', 'download-wait'].includes((await status(h1)) ?? ''), { what: 'torrent started' });
    assert.equal(await status(h2), 'stopped');
    assert.ok((await client.stop([h1])).ok);
    await waitFor(async () => (await status(h1)) === 'stopped', { what: 'torrent stopped' });
    assert.ok((await client.remove([h1, h2], false)).ok);
    assert.equal(await status(h1), undefined);
  });

  test('remove, stop and start refuse an empty or malformed id list without calling the daemon', async (t) => {
    if (!ready(t)) return;
    const keep = randomHash();
    assert.ok((await client.addMagnet(magnet(keep, 'keep-me'), { paused: true })).ok);
    for (const r of [await client.remove([], true), await client.stop([]), await client.start(['1'])]) {
      assert.ok(!r.ok && r.error.kind === 'rejected');
    }
    const l = await client.list();
    assert.ok(l.ok && l.value.some((x) => x.hash === keep));
    assert.ok((await client.remove([keep], false)).ok);
  });

  test('turtle mode on and off', async (t) => {
    if (!ready(t)) return;
    assert.ok((await client.setTurtle(true)).ok);
    assert.deepEqual(await client.turtle(), { ok: true, value: true });
    assert.ok((await client.setTurtle(false)).ok);
    assert.deepEqual(await client.turtle(), { ok: true, value: false });
  });

  test('free space of the download dir and session stats', async (t) => {
    if (!ready(t)) return;
    const f = await client.freeSpace();
    assert.ok(f.ok, JSON.stringify(f));
    assert.equal(f.value.path, daemon!.downloadDir);
    assert.ok(f.value.freeBytes > 0);
    const s = await client.sessionStats();
    assert.ok(s.ok && s.value.torrentCount >= 0);
  });

  test('an invalid .torrent is rejected before upload; a corrupt-but-bencode one by the daemon', async (t) => {
    if (!ready(t)) return;
    const notBencode = await client.addTorrentFile(Buffer.from('<html>not a torrent</html>'));
    assert.ok(!notBencode.ok && notBencode.error.kind === 'rejected' && /not-bencode/.test(notBencode.error.detail));
    const noInfo = await client.addTorrentFile(bencode({ announce: 'x' }));
    assert.ok(!noInfo.ok && /no-info/.test(noInfo.error.detail));
    // Passes our structural check, but the pieces field is not a multiple of 20 bytes.
    const corrupt = bencode({ info: { name: 'x', 'piece length': 16384, length: 10, pieces: Buffer.alloc(7) } });
    const r = await client.addTorrentFile(corrupt);
    assert.ok(!r.ok, JSON.stringify(r));
    assert.equal(r.error.kind, 'rejected');
    assert.match(r.error.detail, /invalid or corrupt/);
  });

  test('a torrent whose data is already there finishes, and the tracker reports it once', async (t) => {
    if (!ready(t)) return;
    const data = randomBytes(50_000);
    const { bytes, hash } = makeTorrent('already-here.bin', data);
    writeFileSync(join(daemon!.downloadDir, 'already-here.bin'), data);
    const tracker = new TorrentFinishTracker();
    const first = await client.list();
    assert.ok(first.ok);
    assert.deepEqual(tracker.update(first.value), []);
    assert.ok((await client.addTorrentFile(bytes, { paused: false })).ok);
    const events = await waitFor(
      async () => {
        const l = await client.list();
        if (!l.ok) return undefined;
        const e = tracker.update(l.value);
        return e.length > 0 ? e : undefined;
      },
      { what: 'torrent verified and finished', timeoutMs: 15_000 },
    );
    assert.deepEqual(
      events.map((e) => [e.hash, e.name]),
      [[hash, 'already-here.bin']],
    );
    const again = await client.list();
    assert.ok(again.ok);
    assert.deepEqual(tracker.update(again.value), []);
    assert.ok((await client.remove([hash], true)).ok);
  });
});
