import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { NutClient } from '../../src/services/nut/client.ts';
import { waitFor } from '../support/real-server.ts';
import { startFakeUpsd, type FakeUpsd } from '../../src/demo/nut.ts';

describe('NutClient against the fake upsd', () => {
  let fake: FakeUpsd;
  before(async () => {
    fake = await startFakeUpsd({ ups: { ups: { description: 'Living room "UPS" \\ rack' } }, users: { mon: 'secret-pass' } });
  });
  after(() => fake.close());
  const client = (extra: Partial<ConstructorParameters<typeof NutClient>[0]> = {}) =>
    new NutClient({ host: fake.host, port: fake.port, timeoutMs: 2000, ...extra });

  test('listUps unescapes quoted descriptions', async () => {
    const r = await client().listUps();
    assert.ok(r.ok);
    assert.deepEqual(r.value, [{ name: 'ups', description: 'Living room "UPS" \\ rack' }]);
  });

  test('vars returns the typed state and sends no credentials when none are configured', async () => {
    fake.setStatus('ups', 'OB DISCHRG');
    const r = await client().vars('ups');
    assert.ok(r.ok);
    assert.deepEqual([...r.value.status].sort(), ['DISCHRG', 'OB']);
    assert.equal(r.value.charge, 100);
    const sent = fake.sessions.at(-1);
    await waitFor(() => sent?.includes('LOGOUT'));
    assert.deepEqual(sent, ['LIST VAR ups', 'LOGOUT']);
    fake.setStatus('ups', 'OL');
  });

  test('USERNAME/PASSWORD only when configured, never LOGIN', async () => {
    const r = await client({ username: 'mon', password: 'secret pass"x' }).vars('ups');
    assert.ok(r.ok);
    const sent = fake.sessions.at(-1);
    await waitFor(() => sent?.includes('LOGOUT'));
    assert.deepEqual(sent, ['USERNAME "mon"', 'PASSWORD "secret pass\\"x"', 'LIST VAR ups', 'LOGOUT']);
  });

  test('UNKNOWN-UPS is rejected', async () => {
    const r = await client().vars('nosuch');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'rejected');
    assert.match(r.error.detail, /UNKNOWN-UPS/);
  });

  test('DRIVER-NOT-CONNECTED and DATA-STALE are unreachable with detail', async () => {
    fake.setDriverConnected('ups', false);
    let r = await client().vars('ups');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'unreachable');
    assert.match(r.error.detail, /DRIVER-NOT-CONNECTED/);
    fake.setDriverConnected('ups', true);
    fake.setStale('ups', true);
    r = await client().vars('ups');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'unreachable');
    assert.match(r.error.detail, /stale/);
    fake.setStale('ups', false);
  });

  test('ACCESS-DENIED is auth, and the password never appears in the detail', async () => {
    fake.setDenyAll(true);
    const r = await client({ username: 'mon', password: 'secret-pass' }).vars('ups');
    fake.setDenyAll(false);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'auth');
    assert.doesNotMatch(JSON.stringify(r.error), /secret-pass/);
  });

  test('a UPS name with a newline is refused before anything is sent', async () => {
    const before = fake.connections();
    const r = await client().vars('ups\nFSD ups');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'rejected');
    assert.equal(fake.connections(), before);
  });

  test('get reads one variable', async () => {
    const r = await client().get('ups', 'ups.model');
    assert.deepEqual(r, { ok: true, value: 'VI 1000 STL' });
    const missing = await client().get('ups', 'battery.nope');
    assert.ok(!missing.ok && missing.error.kind === 'rejected');
  });
});

describe('NutClient transport failures', () => {
  test('connection refused is unreachable', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const r = await new NutClient({ host: '127.0.0.1', port, timeoutMs: 2000 }).listUps();
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'unreachable');
    assert.equal(r.error.detail, 'connection refused');
    assert.equal(r.error.reason, 'connection-refused');
  });

  test('a server that never answers is a timeout', async () => {
    const srv = createServer(() => {});
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    const started = Date.now();
    const r = await new NutClient({ host: '127.0.0.1', port, timeoutMs: 300 }).vars('ups');
    srv.close();
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'timeout');
    assert.ok(Date.now() - started < 2000);
  });

  test('garbage instead of BEGIN LIST is a protocol error', async () => {
    const srv = createServer((s) => s.on('data', () => s.write('HELLO THERE\n')));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    const r = await new NutClient({ host: '127.0.0.1', port, timeoutMs: 2000 }).vars('ups');
    srv.close();
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'protocol');
  });
});
