import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { startProxmoxFake, type ProxmoxFake } from '../../src/demo/proxmox.ts';
import { waitFor } from '../support/real-server.ts';
import { buttonToken, OWNER, startTestApp, type Reply, type TestApp } from '../support/app-harness.ts';
import { selfSigned } from '../support/tls.ts';

const pveConfig = (fake: ProxmoxFake, over: Record<string, unknown> = {}) => ({
  proxmox: { url: fake.url, node: 'proxmox1', tokenId: fake.tokenId, tokenSecret: fake.tokenSecret, pollSeconds: 3600, ...over },
});

/** The final text of a message that edits itself: its last edit, or itself. */
const finalText = (r: Reply | undefined): string => (r?.edits.length ? toPlainText(r.edits.at(-1) as OutMessage) : (r?.text ?? ''));
const edited = (r: Reply | undefined) => waitFor(() => (r?.edits.length ?? 0) > 0, { what: 'the task message to be edited' });

describe('Proxmox commands end to end (fake Proxmox, token auth)', () => {
  let fake: ProxmoxFake;
  let h: TestApp;
  const clock = new ManualClock(Date.now());
  /**
   * Makes the next status command refresh the snapshot (pollers answer from cache while fresh).
   * The fake runs on real time so its tasks progress; ages shown by the bot drift by these steps.
   */
  const stale = (): void => clock.advance(2 * 60_000);
  const RECENT = '(just now|\\d+ (s|min) ago)';

  before(async () => {
    fake = await startProxmoxFake({ taskDurationMs: 30, backupDurationMs: 30 });
    h = await startTestApp(pveConfig(fake), { clock });
  });
  after(async () => {
    await h.close();
    await fake.close();
  });

  test('/node: CPU, load, memory, uptime, root disk and thin pool, with the snapshot age', async () => {
    const conv = await h.say(OWNER, '/node');
    const text = conv.texts[0] ?? '';
    assert.match(text, /^Hypervisor proxmox1/);
    assert.match(text, /CPU: \d+ % of 4 cores/);
    assert.match(text, /Load \(1 · 5 · 15 min\): 0\.42 · 0\.51 · 0\.47/);
    assert.match(text, /Memory: [\d.]+ GiB of 16 GiB/);
    assert.match(text, /Up for: 12d( \d+m)?\n/);
    assert.match(text, /System disk: 21 GiB of 94 GiB \(22 %\)/);
    assert.match(text, /local-lvm \(lvmthin\): 157 GiB of 348 GiB \(45 %\)/);
    assert.match(text, /as of just now/);
  });

  test('/guests: every guest with state and figures, and buttons per guest', async () => {
    stale();
    const conv = await h.say(OWNER, '/guests');
    const r = conv.replies[0];
    assert.match(r?.text ?? '', /🟢 nas \(VM 100\): running for 12d( \d+m)?, CPU 4 %, memory 2\.1 GiB of 3\.0 GiB/);
    assert.match(r?.text ?? '', /🟢 docker \(CT 101\): running/);
    assert.deepEqual(
      r?.message.actions?.map((row) => row.map((a) => a.label)),
      [
        ['⏹ Shut down nas (VM 100)', '🔄 Restart nas (VM 100)', '⛔ Force off nas (VM 100)'],
        ['⏹ Shut down docker (CT 101)', '🔄 Restart docker (CT 101)', '⛔ Force off docker (CT 101)'],
      ],
    );
  });

  test('shutdown from a button: confirmed, followed, edited to the result; then start it again', async () => {
    stale();
    const list = (await h.say(OWNER, '/guests')).replies[0];
    const ask = await h.press(OWNER, buttonToken(list?.message, /Shut down docker/));
    assert.match(ask.texts[0] ?? '', /^Shut down docker \(CT 101\)\? Everything running in it stops/);
    assert.equal(fake.guest(101)?.status, 'running', 'nothing happens before the confirmation');
    const run = await h.press(OWNER, buttonToken(ask.replies[0]?.message, /Yes/));
    const msg = run.replies[0];
    assert.equal(msg?.text, '⏳ Shutting down docker (CT 101)…');
    await edited(msg);
    assert.equal(finalText(msg), '✅ docker (CT 101) is shut down.');
    assert.equal(fake.guest(101)?.status, 'stopped');

    stale();
    const after = (await h.say(OWNER, '/guests')).replies[0];
    assert.match(after?.text ?? '', /⚪ docker \(CT 101\): stopped/);
    const start = await h.press(OWNER, buttonToken(after?.message, /Start docker/));
    assert.equal(start.replies[0]?.text, '⏳ Starting docker (CT 101)…', 'starting needs no confirmation');
    await edited(start.replies[0]);
    assert.equal(finalText(start.replies[0]), '✅ docker (CT 101) is running.');
    assert.equal(fake.guest(101)?.status, 'running');
  });

  test("a task that fails edits the reply to the task's error with its log", async () => {
    fake.failNextTask("can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    const ask = await h.say(OWNER, '/reboot nas');
    assert.match(ask.texts[0] ?? '', /^Restart nas \(VM 100\)\?/);
    const run = await h.press(OWNER, buttonToken(ask.replies[0]?.message, /Yes/));
    await edited(run.replies[0]);
    const final = run.replies[0]?.edits.at(-1);
    assert.equal(final?.title, '❌ Could not restart nas (VM 100)');
    assert.equal(final?.severity, 'critical');
    assert.match(toPlainText(final as OutMessage), /Proxmox says: can't lock file/);
    assert.ok(final?.blocks.some((b) => b.kind === 'code' && /TASK ERROR: can't lock file/.test(b.text)));
  });

  test('power actions on a guest already in that state, or an unknown guest, do nothing', async () => {
    const before = fake.tasks().length;
    assert.equal((await h.say(OWNER, '/poweron 100')).texts[0], 'nas (VM 100) is already running.');
    fake.setGuestState(101, 'stopped');
    try {
      // Checked before the question: nothing to confirm.
      const ask = await h.say(OWNER, '/poweroff docker');
      assert.deepEqual(ask.texts, ['docker (CT 101) is already stopped.']);
      assert.equal(ask.replies[0]?.message.actions, undefined);
    } finally {
      fake.setGuestState(101, 'running');
    }
    assert.match((await h.say(OWNER, '/poweron plex')).texts[0] ?? '', /There is no guest called "plex"/);
    // A destructive command on a guest that does not exist says so instead of asking "Shut down 999?".
    const missing = await h.say(OWNER, '/shutdown 999');
    assert.equal(missing.texts.length, 1);
    assert.match(missing.texts[0] ?? '', /There is no guest called "999"/);
    assert.equal(missing.replies[0]?.message.actions, undefined);
    assert.equal(fake.tasks().length, before);
  });

  test('family sees guests but may not switch them; starting can be requested', async () => {
    const fam = h.person('family');
    stale();
    const list = await h.say(fam, '/guests');
    assert.match(list.texts[0] ?? '', /nas \(VM 100\)/);
    // Buttons are built for the viewer: no Restart/Shut down/Force off a family member could not press.
    const labels = list.replies.flatMap((r) => r.message.actions?.flat() ?? []).map((a) => a.label);
    assert.ok(!labels.some((l) => /Restart|Shut down|Force off/.test(l)), JSON.stringify(labels));
    fake.setGuestState(101, 'stopped');
    try {
      const start = await h.say(fam, '/poweron docker');
      assert.match(start.texts[0] ?? '', /ask an admin to approve/);
      assert.equal(fake.guest(101)?.status, 'stopped');
    } finally {
      fake.setGuestState(101, 'running');
    }
  });

  test('/backups: last result and age per guest; a failure shows its log; back up now follows the task', async () => {
    stale();
    let conv = await h.say(OWNER, '/backups');
    assert.match(conv.texts[0] ?? '', /🟢 nas \(VM 100\): OK, (\d+ (min|h) ago|just now)/);
    assert.match(conv.texts[0] ?? '', /Every guest has a good backup from the last 26 h/);

    fake.failBackup(101, 'unable to open file - No space left on device');
    const now = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /Back up docker \(CT 101\) now/));
    assert.equal(now.texts[0], '⏳ Backing up docker (CT 101)…');
    await edited(now.replies[0]);
    const final = now.replies[0]?.edits.at(-1);
    assert.equal(final?.title, '❌ Backup of docker (CT 101) failed');
    assert.match(toPlainText(final as OutMessage), /Proxmox says: job errors/);
    assert.ok(final?.blocks.some((b) => b.kind === 'code' && b.text.includes('ERROR: Backup of VM 101 failed - unable to open file')));

    stale();
    conv = await h.say(OWNER, '/backups');
    const text = conv.texts[0] ?? '';
    assert.match(text, new RegExp(`🔴 docker \\(CT 101\\): FAILED, ${RECENT} — last good one \\d+ (min|h) ago`));
    assert.match(text, /Why docker \(CT 101\) failed: unable to open file - No space left on device/);
    assert.equal(conv.replies[0]?.message.severity, 'warning');

    const retry = await h.say(OWNER, '/backup docker');
    await edited(retry.replies[0]);
    assert.equal(finalText(retry.replies[0]), '✅ Backup of docker (CT 101) finished.');
    stale();
    assert.match((await h.say(OWNER, '/backups')).texts[0] ?? '', new RegExp(`🟢 docker \\(CT 101\\): OK, ${RECENT}`));
  });

  test('a guest with no backup in the window is listed as missing', async () => {
    const c = new ManualClock(clock.now() + 3 * 86_400_000);
    const h2 = await startTestApp(pveConfig(fake), { clock: c });
    try {
      const text = (await h2.say(OWNER, '/backups')).texts[0] ?? '';
      assert.match(text, /No good backup in the last 26 h: nas/);
    } finally {
      await h2.close();
    }
  });

  test('/status has a hypervisor line from the snapshot', async () => {
    const text = (await h.say(OWNER, '/status')).texts[0] ?? '';
    assert.match(text, /The hypervisor \(Proxmox\): 2 of 2 guests running, CPU \d+ %, memory \d+ %, backups OK/);
  });

  test('Spanish', async () => {
    const p = h.person('admin');
    await h.say(p, '/lang es');
    stale();
    const text = (await h.say(p, '/guests')).texts[0] ?? '';
    assert.match(text, /Máquinas virtuales y contenedores en proxmox1/);
    assert.match(text, /nas \(VM 100\): encendido desde hace 12d( \d+m)?, CPU/);
  });

  test('a backend outage: status answers from the last snapshot and say how old it is', async () => {
    stale();
    await h.say(OWNER, '/guests');
    clock.advance(3 * 60_000);
    fake.failRoute(/./, 500, 'pveproxy is restarting');
    try {
      const conv = await h.say(OWNER, '/guests');
      assert.match(conv.texts[0] ?? '', /nas \(VM 100\)/);
      assert.match(conv.texts[0] ?? '', /as of 3 min ago/);
      const write = await h.say(OWNER, '/backup nas');
      assert.equal(write.texts[0], 'The hypervisor (Proxmox) refused the request: pveproxy is restarting.');
    } finally {
      fake.failRoute(undefined);
    }
  });
});

describe('Proxmox bad input: one clear sentence, no secrets', () => {
  let fake: ProxmoxFake;
  before(async () => {
    fake = await startProxmoxFake();
  });
  after(async () => {
    await fake.close();
  });

  const ask = async (config: Record<string, unknown>, command: string, setup?: () => void): Promise<string> => {
    const h = await startTestApp(config);
    try {
      setup?.();
      const conv = await h.say(OWNER, command);
      assert.equal(conv.replies.length, 1, 'exactly one reply');
      return conv.texts[0] ?? '';
    } finally {
      await h.close();
    }
  };

  test('a wrong token', async () => {
    const secret = '11111111-2222-3333-4444-555555555555';
    const text = await ask(pveConfig(fake, { tokenSecret: secret }), '/node');
    assert.equal(
      text,
      'The hypervisor (Proxmox) refused the credentials: the API token root@pam!bot was refused (check the token id and secret, and that it still exists). Check the user, password or token in the config.',
    );
    assert.ok(!text.includes(secret));
  });

  test('a wrong password (ticket login)', async () => {
    const text = await ask({ proxmox: { url: fake.url, username: 'root@pam', password: 'bad-password-9' } }, '/guests');
    assert.match(text, /refused the credentials: the login as root@pam was refused/);
    assert.ok(!text.includes('bad-password-9'));
  });

  test('a 500 on a write', async () => {
    const text = await ask(pveConfig(fake), '/backup 100', () => fake.failRoute(/vzdump/, 500, 'backup storage offline'));
    fake.failRoute(undefined);
    assert.equal(text, 'The hypervisor (Proxmox) refused the request: backup storage offline.');
  });

  test('a malformed body', async () => {
    const text = await ask(pveConfig(fake), '/node', () => fake.failRoute(/\/status$/, 200, 'OK'));
    fake.failRoute(undefined);
    assert.match(text, /^The hypervisor \(Proxmox\) sent a reply I cannot understand \(unexpected reply shape at data\)/);
  });

  test('a certificate that does not match the pin', async () => {
    const tls = selfSigned('proxmox1');
    const https = await startProxmoxFake({ tls });
    try {
      const text = await ask(pveConfig(https, { fingerprint: selfSigned().fingerprint256 }), '/node');
      assert.equal(
        text,
        'The hypervisor (Proxmox) cannot be reached: its TLS certificate does not match the pinned fingerprint. Check that it is running and that the address in the config is right.',
      );
      assert.equal(https.requestCount, 0);
      assert.match(await ask(pveConfig(https, { fingerprint: tls.fingerprint256 }), '/node'), /^Hypervisor proxmox1/);
    } finally {
      await https.close();
    }
  });
});
