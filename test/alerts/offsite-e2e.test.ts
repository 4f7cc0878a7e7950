/**
 * Off-site copy freshness through the whole bot: a real OpenSSH sshd whose forced command runs
 * the configured `cat <stamp file>`, the offsite module's poller, the alert engine, the outbox
 * and the console adapter. Stamps are written relative to the wall clock (systemClock).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.ts';
import type { OutboxPayload } from '../../src/alerts/payload.ts';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.ts';

const H = 3_600_000;

interface Row {
  readonly destination: string;
  readonly status: string;
  readonly payload: OutboxPayload;
}

describe('off-site copy freshness (real sshd, whole bot)', () => {
  let sshd: TestSshd | undefined;
  let dir = '';
  const stamp = (): string => join(dir, 'rclone-last-success');
  /** Writes what the remote command prints (write then rename: a poll never sees half a file). */
  const setStamp = (text: string): void => {
    writeFileSync(`${stamp()}.tmp`, text, { mode: 0o644 });
    renameSync(`${stamp()}.tmp`, stamp());
  };

  before(async () => {
    try {
      execFileSync('test', ['-x', SSHD]);
    } catch {
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'offsite-'));
    chmodSync(dir, 0o755); // sshd's forced command runs as the test user
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (s: TestSshd, over: { hostKey?: string; command?: string; digest?: boolean } = {}): Promise<TestApp> =>
    startTestApp(
      {
        console: true, // the console adapter is the bound chat the outbox delivers to
        alerts: {
          bindings: [{ chat: 'console:main' }],
          ...(over.digest ? { digest: { cron: '* * * * * *', chats: ['console:main'] } } : {}),
          offsite: {
            ssh: {
              host: s.host,
              port: s.port,
              username: s.username,
              privateKeyPath: s.clientKeyPath,
              hostKey: over.hostKey ?? s.hostKey,
              timeoutSeconds: 5,
            },
            command: over.command ?? `cat ${stamp()}`,
            windowHours: 26,
            // Refreshed by hand below; the interval only has to stay out of the way.
            pollSeconds: 3600,
          },
        },
      },
      { clock: systemClock },
    );
  const status = async (h: TestApp): Promise<string> => {
    const text = (await h.say(OWNER, '/status')).texts[0] ?? '';
    // The list item bullet is the console's rendering; the line after it is ours.
    return (text.split('\n').find((l) => l.includes('Off-site copy:')) ?? text).replace(/^• /, '');
  };
  const refresh = async (h: TestApp): Promise<void> => {
    const feed = h.app.modules.find((m) => m.name === 'offsite')?.alertFeeds?.[0];
    assert.ok(feed, 'the offsite module feeds the alert engine');
    await feed.poller.refresh();
  };
  const rows = (h: TestApp): Row[] =>
    (
      h.app.db.prepare('SELECT destination, status, payload FROM alert_outbox ORDER BY id').all() as {
        destination: string;
        status: string;
        payload: string;
      }[]
    ).map((r) => ({ ...r, payload: JSON.parse(r.payload) as OutboxPayload }));
  const alertRows = (h: TestApp) =>
    rows(h).flatMap((r) =>
      r.payload.type === 'alert' && r.payload.event.alert.key === 'backup:offsite:stale'
        ? [{ destination: r.destination, status: r.status, event: r.payload.event }]
        : [],
    );
  const epoch = (ms: number): string => `${Math.floor(ms / 1000)}\n`;

  test('fresh → stale raises a warning → very stale escalates → fresh resolves; /status follows', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    setStamp(epoch(Date.now() - 5 * H));
    const h = await start(sshd);
    t.after(() => h.close());

    assert.equal(await status(h), '🟢 Off-site copy: last synced 5 h ago');
    await refresh(h);
    assert.deepEqual(alertRows(h), [], 'a fresh copy raises nothing');

    // Stale, as `date -Iseconds` would print it on a host in another zone.
    const last = new Date(Date.now() - 30 * H - 60_000);
    setStamp(`${new Date(last.getTime() + 2 * H).toISOString().slice(0, 19)}+02:00\n`);
    await refresh(h);
    const raised = alertRows(h);
    assert.equal(raised.length, 1, JSON.stringify(raised));
    const r0 = raised[0]!;
    assert.equal(r0.destination, 'console:main');
    assert.equal(r0.event.kind, 'raise');
    assert.equal(r0.event.alert.severity, 'warning');
    assert.equal(r0.event.alert.source, 'backup');
    assert.equal(r0.event.alert.summaryKey, 'alert.backup.offsite_stale');
    assert.deepEqual(r0.event.alert.params, { age: 30, window: 26, last: Math.floor(last.getTime() / 1000) * 1000 });
    assert.equal(await status(h), '🟠 Off-site copy: STALE: last synced 30 h ago, expected every 26 h');
    await waitFor(() => alertRows(h)[0]?.status === 'sent', { timeoutMs: 15_000, what: 'the raise delivered to the console' });

    // Very stale, as `date -R` prints it.
    setStamp(`${new Date(Date.now() - 60 * H).toUTCString().replace('GMT', '+0000')}\n`);
    await refresh(h);
    const escalated = alertRows(h)[1];
    assert.equal(escalated?.event.kind, 'update');
    assert.equal(escalated?.event.reason, 'escalated');
    assert.equal(escalated?.event.alert.severity, 'critical');
    assert.equal(escalated?.event.alert.params.age, 60);
    assert.equal(await status(h), '🔴 Off-site copy: STALE: last synced 60 h ago, expected every 26 h');

    // A sync ran: fresh again (float epoch, as `date +%s.%N` prints it).
    setStamp(`${(Date.now() - H) / 1000}\n`);
    await refresh(h);
    const all = alertRows(h);
    assert.deepEqual(
      all.map((r) => r.event.kind),
      ['raise', 'update', 'resolve'],
    );
    assert.equal(await status(h), '🟢 Off-site copy: last synced 1 h ago');
    await waitFor(() => alertRows(h).every((r) => r.status === 'sent'), { timeoutMs: 15_000, what: 'every off-site alert delivered' });
    assert.match((await h.say(OWNER, '/alerts')).texts[0] ?? '', /No active alerts/);
  });

  test('a sync time in the future is not stale and does not crash', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    setStamp(epoch(Date.now() + 3 * H));
    const h = await start(sshd);
    t.after(() => h.close());
    assert.match(await status(h), /^🟠 Off-site copy: last sync time \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC is in the future; check the clocks/);
    await refresh(h);
    assert.deepEqual(alertRows(h), []);
  });

  test('a wrong host key: /status says unreachable with the host-key sentence, nothing crashes', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    setStamp(epoch(Date.now() - 30 * H));
    const h = await start(sshd, { hostKey: `SHA256:${'A'.repeat(43)}` });
    t.after(() => h.close());
    assert.match(
      await status(h),
      /^🔴 Off-site copy: The off-site copy check \(SSH\): cannot be reached \(its host key SHA256:\S{43} does not match the pinned SHA256:A{43} \(check hostKey with ssh-keygen -lf\)\)/,
    );
    await refresh(h);
    const snap = await h.app.modules.find((m) => m.name === 'offsite')?.alertFeeds?.[0]?.poller.refresh();
    assert.equal(snap?.status === 'failed' && snap.error.kind, 'unreachable');
    assert.deepEqual(alertRows(h), [], 'no staleness alert from a host we could not verify');
  });

  test('a failing command: /status shows its exit code and stderr line', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const h = await start(sshd, { command: `stat -c %Y ${join(dir, 'missing')}` });
    t.after(() => h.close());
    assert.match(
      await status(h),
      /^🔴 Off-site copy: The off-site copy check \(SSH\): refused the request \(the command failed \(exit 1\): stat: cannot (stat|statx) '\S+\/missing': No such file or directory\)/,
    );
  });

  test('the morning digest carries the last sync time', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const at = Math.floor((Date.now() - 5 * H) / 1000) * 1000;
    setStamp(epoch(at));
    const h = await start(sshd, { digest: true });
    t.after(() => h.close());
    await refresh(h);
    // A digest sent before the first poll finished has no off-site time yet: wait for one that has.
    const offsiteAt = await waitFor(
      () =>
        rows(h)
          .map((r) =>
            r.payload.type === 'notice' && r.payload.notice.kind === 'digest' ? r.payload.notice.digest.backups?.offsiteAt : undefined,
          )
          .find((x) => x !== undefined),
      { timeoutMs: 10_000, what: 'a digest with the off-site time in the outbox' },
    );
    assert.equal(offsiteAt, at);
  });
});
