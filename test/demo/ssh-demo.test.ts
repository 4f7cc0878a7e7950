import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoHomelab, type DemoHomelab } from '../../src/demo/index.ts';
import { AREAS, demoBackendsOf } from '../../src/wiring/areas.ts';
import { startDemoSshServer, shellWords } from '../../src/demo/ssh-server.ts';
import { SshRunner } from '../../src/services/ssh.ts';
import { OWNER, buttonToken, startTestApp, type Conversation, type TestApp } from '../support/app-harness.ts';
import { toPlainText } from '../../src/core/outmessage.ts';

/** The last word of a reply that was edited after a progress message. */
const finalText = (c: Conversation): string => {
  const last = c.replies.at(-1);
  const edit = last?.edits.at(-1);
  return edit ? toPlainText(edit) : (last?.text ?? '');
};

describe('demo mode covers the SSH features (embedded SSH server, pinned host key)', () => {
  let lab: DemoHomelab;
  let h: TestApp;
  before(async () => {
    lab = await startDemoHomelab(await demoBackendsOf(AREAS));
    h = await startTestApp(lab.config);
  });
  after(async () => {
    await h.close();
    await lab.close();
  });

  test('/cloud-maintenance on (confirmed) and off run occ over SSH; the web side follows', async () => {
    const ask = await h.say(OWNER, '/cloud-maintenance on');
    const done = await h.press(OWNER, buttonToken(ask.replies[0]?.message, /Confirm|Yes/i));
    assert.match(done.texts.join('\n'), /Maintenance mode is on/);
    assert.match(finalText(await h.say(OWNER, '/cloud-scan ana')), /maintenance mode is on/i);
    assert.match((await h.say(OWNER, '/cloud-maintenance off')).texts[0] ?? '', /Maintenance mode is off/);
  });

  test('/cloud-scan prints the scan summary occ gives', async () => {
    assert.match(finalText(await h.say(OWNER, '/cloud-scan ana')), /Scan of ana finished: 14 folders, \d+ files in 00:00:03/);
  });

  test('the backup host mirror is read from /proc/mdstat over SSH (/nas with only mdadm configured)', async () => {
    const md = await startTestApp({ mdadm: lab.config.mdadm });
    try {
      const text = (await md.say(OWNER, '/nas')).texts[0] ?? '';
      assert.match(text, /md1 \(raid1\): healthy — sda1, sdb1/);
    } finally {
      await md.close();
    }
  });

  test('/simulate offsite-stale and cloud-maintenance are played by the SSH hosts', async () => {
    assert.equal(lab.simulate('offsite-stale'), true);
    assert.equal(lab.simulate('cloud-maintenance'), true);
    const backups = lab.backends.get('backup-host');
    assert.ok(backups);
    const cfg = (
      backups.config.alerts as {
        offsite: { ssh: { host: string; port: number; username: string; password: string; hostKey: string }; command: string };
      }
    ).offsite;
    const ssh = new SshRunner({ ...cfg.ssh, service: 'offsite' });
    try {
      const r = await ssh.run(cfg.command);
      assert.ok(r.ok);
      const ageHours = (Date.now() - Number(r.value.stdout.trim()) * 1000) / 3_600_000;
      assert.ok(ageHours > 29 && ageHours < 31, `last sync ${ageHours} h ago`);
    } finally {
      await ssh.close();
    }
  });
});

describe('demo SSH server', () => {
  test('refuses a client that pins another host key, and a wrong password', async () => {
    const server = await startDemoSshServer(() => ({ stdout: 'hi\n', code: 0 }));
    try {
      const wrongKey = new SshRunner({ ...server.config, hostKey: `SHA256:${'A'.repeat(43)}`, service: 'demo' });
      const r1 = await wrongKey.run('echo');
      await wrongKey.close();
      assert.ok(!r1.ok);
      const wrongPw = new SshRunner({ ...server.config, password: 'nope', service: 'demo' });
      const r2 = await wrongPw.run('echo');
      await wrongPw.close();
      assert.ok(!r2.ok && r2.error.kind === 'auth', JSON.stringify(r2));
      assert.deepEqual(server.commands, [], 'nothing ran');
      const ok = new SshRunner({ ...server.config, service: 'demo' });
      const r3 = await ok.run('echo');
      await ok.close();
      assert.ok(r3.ok, JSON.stringify(r3));
      assert.equal(r3.value.stdout.trim(), 'hi');
    } finally {
      await server.close();
    }
  });

  test('shell words: quotes as the occ client writes them', () => {
    assert.deepEqual(shellWords(`php occ 'files:scan' '--' 'it'\\''s'`), ['php', 'occ', 'files:scan', '--', "it's"]);
  });
});
