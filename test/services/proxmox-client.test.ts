import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxmoxFake, type ProxmoxFake } from '../../src/demo/proxmox.ts';
import { ProxmoxClient, type ProxmoxOptions, type TaskStatus } from '../../src/services/proxmox/client.ts';
import { taskSucceeded } from '../../src/services/proxmox/types.ts';
import { parseUpid } from '../../src/services/proxmox/upid.ts';
import { waitFor } from '../support/real-server.ts';
import { selfSigned } from '../support/tls.ts';

const FAST = { intervalMs: 10, timeoutMs: 5_000 };

describe('ProxmoxClient with an API token against the fake', () => {
  let fake: ProxmoxFake;
  let pve: ProxmoxClient;
  const extra: ProxmoxClient[] = [];
  const client = (over: Partial<ProxmoxOptions> = {}): ProxmoxClient => {
    const c = new ProxmoxClient({
      baseUrl: fake.url,
      node: 'proxmox1',
      tokenId: fake.tokenId,
      tokenSecret: fake.tokenSecret,
      timeoutMs: 2_000,
      ...over,
    });
    extra.push(c);
    return c;
  };

  before(async () => {
    fake = await startProxmoxFake({ taskDurationMs: 40, backupDurationMs: 40 });
    pve = client();
  });
  after(async () => {
    for (const c of extra) await c.close();
    await fake.close();
  });

  test('version', async () => {
    const r = await pve.version();
    assert.deepEqual(r.ok && r.value.release, '7.3');
  });

  test('node status: CPU, load, memory, root filesystem, uptime', async () => {
    const r = await pve.nodeStatus();
    assert.ok(r.ok);
    assert.equal(r.value.node, 'proxmox1');
    assert.equal(r.value.cpus, 4);
    assert.match(r.value.cpuModel, /J5040/);
    assert.deepEqual(r.value.loadavg, [0.42, 0.51, 0.47]);
    assert.equal(r.value.memory.total, 16 * 1024 ** 3);
    assert.ok(r.value.rootfs.total > r.value.rootfs.used);
    assert.ok(r.value.uptime > 0);
    assert.equal(r.value.kernel, '5.15.74-1-pve');
  });

  test('guests: the nas VM and the docker container', async () => {
    const r = await pve.guests();
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((g) => [g.vmid, g.type, g.name, g.status]),
      [
        [100, 'qemu', 'nas', 'running'],
        [101, 'lxc', 'docker', 'running'],
      ],
    );
    assert.equal(r.value[1]?.cpus, 3);
    assert.ok((r.value[0]?.uptime ?? 0) > 0);
  });

  test('guests: a paused VM shows as paused and memory is the balloon figure (full=1)', async () => {
    fake.setPaused(100, true);
    try {
      const r = await pve.guests();
      assert.ok(r.ok);
      const vm = r.value.find((g) => g.vmid === 100);
      assert.equal(vm?.status, 'paused');
      assert.equal(vm?.mem, fake.guest(100)?.mem);
    } finally {
      fake.setPaused(100, false);
    }
  });

  test('a stopped VM: full=1 says qmpstatus "stopped" (copied from status, QMP not asked), without full no qmpstatus; the client shows it stopped', async () => {
    // qemu-server PVE/QemuServer.pm vmstatus(): query-status goes only to VMs with a pid, then
    // `$res->{$vmid}->{qmpstatus} = $res->{$vmid}->{status} if !$res->{$vmid}->{qmpstatus};` for every VM.
    const raw = async (path: string): Promise<Record<string, unknown>[]> => {
      const r = await fetch(`${fake.url}/api2/json/nodes/proxmox1/${path}`, {
        headers: { authorization: `PVEAPIToken=${fake.tokenId}=${fake.tokenSecret}` },
      });
      const data = ((await r.json()) as { data: Record<string, unknown>[] | Record<string, unknown> }).data;
      return Array.isArray(data) ? data : [data];
    };
    fake.setGuestState(100, 'stopped');
    try {
      const full = (await raw('qemu?full=1')).find((g) => g.vmid === 100);
      assert.equal(full?.status, 'stopped');
      assert.equal(full?.qmpstatus, 'stopped');
      assert.equal(full?.pid, undefined, 'no QEMU process');
      assert.equal(full?.ballooninfo, undefined, 'no QMP answers for a stopped VM');
      assert.equal((await raw('qemu/100/status/current'))[0]?.qmpstatus, 'stopped');
      const fast = (await raw('qemu')).find((g) => g.vmid === 100);
      assert.ok(fast && !('qmpstatus' in fast), 'vmstatus() without full returns before any QMP field');

      const list = await pve.guests();
      assert.equal(list.ok && list.value.find((g) => g.vmid === 100)?.status, 'stopped');
      const one = await pve.guestStatus({ vmid: 100, type: 'qemu' });
      assert.equal(one.ok && one.value.status, 'stopped');
    } finally {
      fake.setGuestState(100, 'running');
    }
  });

  test('guest status of one guest', async () => {
    const r = await pve.guestStatus({ vmid: 100, type: 'qemu' });
    assert.equal(r.ok && r.value.name, 'nas');
  });

  test('storage list with the thin pool and the backup share', async () => {
    const r = await pve.storage();
    assert.ok(r.ok);
    const pool = r.value.find((s) => s.storage === 'local-lvm');
    assert.equal(pool?.type, 'lvmthin');
    assert.ok(pool && pool.used > 0 && pool.total > pool.used);
    assert.deepEqual(r.value.find((s) => s.storage === 'backups')?.content, ['backup']);
  });

  test('vzdump history: two nightly multi-guest jobs, newest first', async () => {
    const r = await pve.vzdumpTasks();
    assert.ok(r.ok);
    const seeded = r.value.filter((t) => t.user === 'root@pam' && t.id === '');
    assert.ok(seeded.length >= 2);
    assert.ok((seeded[0]?.starttime ?? 0) > (seeded[1]?.starttime ?? 0));
    assert.equal(seeded[0]?.status, 'OK');
  });

  test('not backed up: empty, then what the server says', async () => {
    assert.deepEqual(await pve.notBackedUp(), { ok: true, value: [] });
    fake.setNotBackedUp([101]);
    try {
      assert.deepEqual(await pve.notBackedUp(), { ok: true, value: [{ vmid: 101, type: 'lxc', name: 'docker' }] });
    } finally {
      fake.setNotBackedUp([]);
    }
  });

  test('shutdown then start a container, following each task to the end', async () => {
    const seen: TaskStatus[] = [];
    const upid = await pve.power({ vmid: 101, type: 'lxc' }, 'shutdown');
    assert.ok(upid.ok);
    assert.equal(parseUpid(upid.value)?.type, 'vzshutdown');
    const done = await pve.waitForTask(upid.value, { ...FAST, onProgress: (s) => void seen.push(s) });
    assert.ok(done.ok);
    assert.equal(done.value.exitstatus, 'OK');
    assert.equal(seen.at(-1)?.running, false);
    assert.equal(fake.guest(101)?.status, 'stopped');
    const start = await pve.power({ vmid: 101, type: 'lxc' }, 'start');
    assert.ok(start.ok);
    const started = await pve.waitForTask(start.value, FAST);
    assert.equal(started.ok && started.value.exitstatus, 'OK');
    assert.equal(fake.guest(101)?.status, 'running');
  });

  test('a task that fails reports its error as exit status and changes nothing', async () => {
    fake.failNextTask("can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout");
    const upid = await pve.power({ vmid: 100, type: 'qemu' }, 'reboot');
    assert.ok(upid.ok);
    const done = await pve.waitForTask(upid.value, FAST);
    assert.ok(done.ok);
    assert.equal(taskSucceeded(done.value.exitstatus), false);
    assert.match(done.value.exitstatus ?? '', /can't lock file/);
    const tail = await pve.taskLogTail(upid.value, 5);
    assert.ok(tail.ok && tail.value.some((l) => l.startsWith('TASK ERROR:')));
  });

  test('a synchronous refusal (guest not running) is rejected with the reason phrase', async () => {
    fake.setGuestState(101, 'stopped');
    try {
      const r = await pve.power({ vmid: 101, type: 'lxc' }, 'shutdown');
      assert.deepEqual(!r.ok && [r.error.kind, r.error.detail, r.error.status], ['rejected', 'CT 101 not running', 500]);
    } finally {
      fake.setGuestState(101, 'running');
    }
  });

  test('an unknown guest is rejected with the server message', async () => {
    const r = await pve.guestStatus({ vmid: 999, type: 'qemu' });
    assert.equal(!r.ok && r.error.kind, 'rejected');
    assert.match(!r.ok ? r.error.detail : '', /999\.conf' does not exist/);
  });

  test('back up one guest now and follow the task', async () => {
    const upid = await pve.startBackup(100, { storage: 'backups' });
    assert.ok(upid.ok);
    assert.equal(parseUpid(upid.value)?.id, '100');
    const done = await pve.waitForTask(upid.value, FAST);
    assert.equal(done.ok && done.value.exitstatus, 'OK');
    const log = await pve.taskLog(upid.value, { limit: 500 });
    assert.ok(log.ok && log.value.lines.some((l) => l.t.includes('Finished Backup of VM 100')));
  });

  test('a failed backup ends with job errors and the reason in the log tail', async () => {
    fake.failBackup(101, 'unable to open file - No space left on device');
    const upid = await pve.startBackup(101);
    assert.ok(upid.ok);
    const done = await pve.waitForTask(upid.value, FAST);
    assert.equal(done.ok && done.value.exitstatus, 'job errors');
    const tail = await pve.taskLogTail(upid.value, 4);
    assert.ok(tail.ok);
    assert.equal(tail.value.length, 4);
    assert.ok(tail.value.some((l) => l === 'ERROR: Backup of VM 101 failed - unable to open file - No space left on device'));
    const errorsOnly = await pve.vzdumpTasks({ errorsOnly: true });
    assert.ok(errorsOnly.ok && errorsOnly.value.some((t) => t.upid === upid.value));
  });

  test('bad vzdump parameters are rejected with the parameter named', async () => {
    const r = await pve.startBackup(100, { storage: 'nowhere' });
    assert.deepEqual(!r.ok && r.error.detail, "storage 'nowhere' does not exist");
  });

  test('waiting gives up with a timeout while the task still runs', async () => {
    const slow = await startProxmoxFake({ taskDurationMs: 60_000 });
    const c = new ProxmoxClient({ baseUrl: slow.url, node: 'proxmox1', tokenId: slow.tokenId, tokenSecret: slow.tokenSecret });
    try {
      const upid = await c.power({ vmid: 100, type: 'qemu' }, 'reboot');
      assert.ok(upid.ok);
      const r = await c.waitForTask(upid.value, { intervalMs: 10, timeoutMs: 100 });
      assert.deepEqual(!r.ok && [r.error.kind, r.error.detail], ['timeout', 'the task is still running']);
    } finally {
      await c.close();
      await slow.close();
    }
  });

  test('node shutdown asks the node and needs the privilege', async () => {
    const denied = await client({ tokenId: fake.readonlyTokenId }).nodeShutdown();
    assert.deepEqual(!denied.ok && denied.error.status, 403);
    const before = fake.nodeShutdowns;
    try {
      assert.deepEqual(await pve.nodeShutdown(), { ok: true, value: undefined });
      assert.equal(fake.nodeShutdowns - before, 1);
      // Like pve-guests.service: the node stops its guests itself, then powers off and answers nothing.
      await waitFor(() => fake.off, { timeoutMs: 10_000, what: 'node off' });
      assert.equal(fake.guest(100)?.status, 'stopped');
      assert.equal(fake.guest(101)?.status, 'stopped');
      assert.equal((await pve.version()).ok, false);
    } finally {
      fake.powerOn();
      await waitFor(() => fake.guest(100)?.status === 'running' && fake.guest(101)?.status === 'running', {
        timeoutMs: 10_000,
        what: 'guests back after boot',
      });
    }
  });

  test('startup order: read and set per guest; a malformed value is refused like PVE does', async () => {
    const cfg = await pve.guestConfig({ vmid: 101, type: 'lxc' });
    assert.deepEqual(cfg.ok && [cfg.value.hostname, cfg.value.startup, cfg.value.onboot, cfg.value.macs], [
      'docker',
      undefined,
      true,
      ['BC:24:11:0A:00:65'],
    ]);
    assert.deepEqual(await pve.setStartup({ vmid: 101, type: 'lxc' }, 'order=2,up=30'), { ok: true, value: undefined });
    const after = await pve.guestConfig({ vmid: 101, type: 'lxc' });
    assert.equal(after.ok && after.value.startup, 'order=2,up=30');
    const bad = await pve.setStartup({ vmid: 100, type: 'qemu' }, 'first');
    assert.deepEqual(!bad.ok && [bad.error.kind, bad.error.status], ['rejected', 400]);
    const denied = await client({ tokenId: fake.readonlyTokenId }).setStartup({ vmid: 100, type: 'qemu' }, 'order=1');
    assert.deepEqual(!denied.ok && denied.error.status, 403);
    await pve.setStartup({ vmid: 101, type: 'lxc' }, '');
  });

  test('stopall and startall are server-side tasks; PVE 7 refuses timeout/force-stop (additionalProperties 0)', async () => {
    const v7 = await pve.stopAll({ vms: [101], timeoutSeconds: 60, forceStop: true });
    assert.deepEqual(!v7.ok && [v7.error.status, /timeout: property is not defined/.test(v7.error.detail)], [400, true]);
    const up = await pve.stopAll({ vms: [101] });
    assert.ok(up.ok);
    const done = await pve.waitForTask(up.value, FAST);
    assert.equal(done.ok && done.value.type, 'stopall');
    await waitFor(() => fake.guest(101)?.status === 'stopped', { timeoutMs: 5_000, what: 'docker stopped' });
    assert.equal(fake.guest(100)?.status, 'running', 'only the listed guest');
    const start = await pve.startAll({ vms: [101] });
    assert.ok(start.ok);
    await waitFor(() => fake.guest(101)?.status === 'running', { timeoutMs: 5_000, what: 'docker started' });
  });

  test('following a task stops early when the signal fires', async () => {
    const slow = await startProxmoxFake({ taskDurationMs: 60_000 });
    const c = new ProxmoxClient({ baseUrl: slow.url, node: 'proxmox1', tokenId: slow.tokenId, tokenSecret: slow.tokenSecret });
    try {
      const upid = await c.power({ vmid: 100, type: 'qemu' }, 'reboot');
      assert.ok(upid.ok);
      const stop = new AbortController();
      const started = Date.now();
      const pending = c.waitForTask(upid.value, { intervalMs: 10_000, timeoutMs: 60_000, signal: stop.signal });
      stop.abort();
      const r = await pending;
      assert.equal(!r.ok && r.error.kind, 'timeout');
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await c.close();
      await slow.close();
    }
  });

  test('a malformed UPID never reaches the server', async () => {
    const before = fake.requestCount;
    const r = await pve.taskStatus('UPID:nope');
    assert.equal(!r.ok && r.error.kind, 'rejected');
    assert.equal(fake.requestCount, before);
  });

  describe('bad input', () => {
    test('a wrong token secret is an auth error that names the token, never the secret', async () => {
      const secret = '00000000-1111-2222-3333-444444444444';
      const r = await client({ tokenSecret: secret }).version();
      assert.equal(!r.ok && r.error.kind, 'auth');
      assert.match(!r.ok ? r.error.detail : '', /root@pam!bot was refused/);
      assert.ok(!JSON.stringify(r).includes(secret));
    });

    test('a token without the privilege gets permission denied (403)', async () => {
      const r = await client({ tokenId: fake.readonlyTokenId }).power({ vmid: 100, type: 'qemu' }, 'stop');
      assert.deepEqual(!r.ok && [r.error.kind, r.error.status], ['rejected', 403]);
      assert.match(!r.ok ? r.error.detail : '', /^permission denied: Permission check failed \(\/vms\/100, VM\.PowerMgmt\)/);
    });

    test('a 500 carries the reason phrase (PVE 7)', async () => {
      fake.failNext(500, 'cfs-lock timeout');
      const r = await pve.guests();
      assert.deepEqual(!r.ok && [r.error.kind, r.error.detail, r.error.status], ['rejected', 'cfs-lock timeout', 500]);
    });

    test('a malformed body is a protocol error', async () => {
      fake.malformedNext();
      const r = await pve.nodeStatus();
      assert.equal(!r.ok && r.error.kind, 'protocol');
      fake.malformedNext('<html>proxy error</html>');
      const r2 = await pve.version();
      assert.deepEqual(!r2.ok && r2.error.detail, 'the reply is not valid JSON');
    });

    test('a power reply that is not a UPID is a protocol error', async () => {
      fake.malformedNext('{"data":"started"}');
      const r = await pve.power({ vmid: 100, type: 'qemu' }, 'start');
      assert.deepEqual(!r.ok && r.error.kind, 'protocol');
    });

    test('no answer in time is a timeout', async () => {
      fake.hangNext();
      const r = await client({ timeoutMs: 200 }).version();
      assert.equal(!r.ok && r.error.kind, 'timeout');
    });

    test("a wrong base URL meets the server's 501 for unknown paths", async () => {
      const r = await client({ baseUrl: `${fake.url}/pve` }).version();
      assert.deepEqual(!r.ok && [r.error.kind, r.error.status], ['rejected', 501]);
    });
  });
});

describe('ProxmoxClient with a ticket login', () => {
  let fake: ProxmoxFake;
  let pve: ProxmoxClient;
  before(async () => {
    fake = await startProxmoxFake({ taskDurationMs: 30, apiVersion: 8 });
    pve = new ProxmoxClient({ baseUrl: fake.url, node: 'proxmox1', username: fake.username, password: fake.password });
  });
  after(async () => {
    await pve.close();
    await fake.close();
  });

  test('logs in once and reuses the ticket, sending CSRF on writes', async () => {
    const before = fake.loginCount;
    assert.equal((await pve.version()).ok, true);
    assert.equal((await pve.guests()).ok, true);
    const upid = await pve.power({ vmid: 100, type: 'qemu' }, 'reboot');
    assert.ok(upid.ok, JSON.stringify(upid));
    assert.equal((await pve.waitForTask(upid.value, FAST)).ok, true);
    assert.equal(fake.loginCount - before, 1);
  });

  test('the fake refuses a write with a ticket but without the CSRF token', async () => {
    const login = await fetch(`${fake.url}/api2/json/access/ticket`, {
      method: 'POST',
      body: new URLSearchParams({ username: fake.username, password: fake.password }),
    });
    const { data } = (await login.json()) as { data: { ticket: string } };
    const res = await fetch(`${fake.url}/api2/json/nodes/proxmox1/qemu/100/status/reboot`, {
      method: 'POST',
      headers: { cookie: `PVEAuthCookie=${encodeURIComponent(data.ticket)}` },
    });
    assert.equal(res.status, 401);
    assert.match(res.statusText, /invalid csrf token/);
  });

  test('an expired session logs in again once and the call succeeds', async () => {
    assert.equal((await pve.version()).ok, true);
    const before = fake.loginCount;
    fake.expireTickets();
    const r = await pve.guests();
    assert.equal(r.ok, true);
    assert.equal(fake.loginCount - before, 1);
  });

  test('a wrong password is an auth error without the password in it', async () => {
    const c = new ProxmoxClient({ baseUrl: fake.url, node: 'proxmox1', username: 'root@pam', password: 'wrong-pass-123' });
    const r = await c.version();
    await c.close();
    assert.equal(!r.ok && r.error.kind, 'auth');
    assert.match(!r.ok ? r.error.detail : '', /login as root@pam was refused/);
    assert.ok(!JSON.stringify(r).includes('wrong-pass-123'));
  });

  test('PVE 8 error bodies carry the message too', async () => {
    fake.setGuestState(100, 'stopped');
    try {
      const r = await pve.power({ vmid: 100, type: 'qemu' }, 'stop');
      assert.deepEqual(!r.ok && r.error.detail, 'VM 100 not running');
    } finally {
      fake.setGuestState(100, 'running');
    }
  });
});

describe('ProxmoxClient over HTTPS with a pinned self-signed certificate', () => {
  const tls = selfSigned('proxmox1');
  let fake: ProxmoxFake;
  before(async () => {
    fake = await startProxmoxFake({ tls });
  });
  after(async () => {
    await fake.close();
  });

  test('the right pin works', async () => {
    const c = new ProxmoxClient({
      baseUrl: fake.url,
      node: 'proxmox1',
      tokenId: fake.tokenId,
      tokenSecret: fake.tokenSecret,
      fingerprint: tls.fingerprint256,
    });
    const r = await c.version();
    await c.close();
    assert.equal(r.ok, true);
  });

  test('a wrong pin is unreachable and the token never leaves the client', async () => {
    const before = fake.requestCount;
    const c = new ProxmoxClient({
      baseUrl: fake.url,
      node: 'proxmox1',
      tokenId: fake.tokenId,
      tokenSecret: fake.tokenSecret,
      fingerprint: selfSigned().fingerprint256,
    });
    const r = await c.guests();
    await c.close();
    assert.equal(!r.ok && r.error.kind, 'unreachable');
    assert.match(!r.ok ? r.error.detail : '', /pinned fingerprint/);
    assert.equal(fake.requestCount, before);
  });
});
