import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { Messages, type Translate } from '../../src/core/i18n.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { downloadsMessages } from '../../src/handlers/downloads/messages.ts';
import { TorrentFinishNotifier } from '../../src/handlers/downloads/notifier.ts';
import { TorrentStore, downloadsMigrations } from '../../src/handlers/downloads/store.ts';
import type { Snapshot } from '../../src/services/poller.ts';
import type { TransmissionState } from '../../src/services/transmission/poller.ts';
import type { Torrent } from '../../src/services/transmission/types.ts';

const t: Translate = new Messages([downloadsMessages], { strict: true }).forLanguage('en');
const es: Translate = new Messages([downloadsMessages], { strict: true }).forLanguage('es');

function torrent(hash: string, name: string, percentDone: number): Torrent {
  return {
    id: 1,
    hash,
    name,
    status: percentDone >= 1 ? 'seeding' : 'downloading',
    percentDone,
    rateDownload: 0,
    rateUpload: 0,
    etaSeconds: undefined,
    error: 0,
    errorString: '',
    sizeWhenDone: 1_048_576,
    leftUntilDone: 0,
    downloadDir: '/dl',
    doneDate: 0,
    addedDate: 1,
    isFinished: false,
    uploadRatio: 0,
    metadataPercentComplete: 1,
  };
}
const ok = (torrents: Torrent[]): Snapshot<TransmissionState> => ({
  status: 'ok',
  value: { torrents, altSpeedEnabled: false, downloadDir: '/dl' },
  at: 0,
});

function setup() {
  const db = openDatabase(':memory:', downloadsMigrations);
  const store = new TorrentStore(db);
  const clock = new ManualClock();
  const sent: { to: string; message: OutMessage; es: OutMessage; key: string | undefined }[] = [];
  const notifier = new TorrentFinishNotifier(store, (to, render, key) => sent.push({ to, message: render(t), es: render(es), key }), clock);
  return { store, notifier, sent, clock };
}

test('first poll: reports only promised, unreported finishes (the bot was down), nothing else', () => {
  const { store, notifier, sent, clock } = setup();
  const A = 'a'.repeat(40),
    B = 'b'.repeat(40),
    C = 'c'.repeat(40);
  store.recordAdded({ hash: A, name: 'Promised', chat: 'telegram:42', addedBy: 'telegram:42' }, clock.now());
  store.recordAdded({ hash: C, name: 'Told already', chat: 'telegram:42', addedBy: 'telegram:42' }, clock.now());
  assert.ok(store.markNotified(C, clock.now()));
  notifier.onRefresh(ok([torrent(A, 'Promised', 1), torrent(B, 'Not ours', 1), torrent(C, 'Told already', 1)]));
  assert.deepEqual(
    sent.map((s) => s.to),
    ['telegram:42'],
  );
  assert.equal(toPlainText(sent[0]!.message), '✅ Download finished: Promised (1.0 MiB).');
  assert.equal(toPlainText(sent[0]!.es), '✅ Descarga terminada: Promised (1.0 MiB).');
  assert.equal(sent[0]!.key, `torrent-finished:${A}`);
});

test('later polls: a finish is reported once, to the chat it was added from; failed polls change nothing', () => {
  const { store, notifier, sent, clock } = setup();
  const D = 'd'.repeat(40);
  store.recordAdded({ hash: D, name: 'Film', chat: 'discord:777', addedBy: 'discord:5' }, clock.now());
  notifier.onRefresh(ok([torrent(D, 'Film', 0.2)]));
  assert.equal(sent.length, 0);
  notifier.onRefresh({ status: 'failed', error: { service: 'transmission', kind: 'unreachable', detail: 'x' }, since: 0 });
  notifier.onRefresh(ok([torrent(D, 'Film', 1)]));
  notifier.onRefresh(ok([torrent(D, 'Film', 1)]));
  assert.deepEqual(
    sent.map((s) => s.to),
    ['discord:777'],
  );
  assert.equal(store.adder(D)?.notifiedAt, clock.now());
});

test('a duplicate add keeps the first adder', () => {
  const { store, clock } = setup();
  const E = 'e'.repeat(40);
  store.recordAdded({ hash: E, name: 'x', chat: 'telegram:1', addedBy: 'telegram:1' }, clock.now());
  store.recordAdded({ hash: E, name: 'x', chat: 'telegram:2', addedBy: 'telegram:2' }, clock.now());
  assert.equal(store.adder(E)?.chat, 'telegram:1');
});

test('parked uploads: only their owner, only once, only before they expire', () => {
  const { store, clock } = setup();
  const id = store.savePending('a.torrent', Buffer.from('d4:infoe'), 'telegram:1', clock.now());
  assert.equal(store.takePending(id, 'telegram:2', clock.now()), undefined);
  assert.deepEqual(store.takePending(id, 'telegram:1', clock.now())?.bytes, Buffer.from('d4:infoe'));
  assert.equal(store.takePending(id, 'telegram:1', clock.now()), undefined);
  const late = store.savePending('b.torrent', Buffer.from('x'), 'telegram:1', clock.now());
  clock.advance(61 * 60_000);
  assert.equal(store.takePending(late, 'telegram:1', clock.now()), undefined);
});
