/**
 * /status with backends down: each down service is named once (its label), with the cause in a few
 * translated words; the advice for each kind of failure comes once under the list, not per line.
 * The UPS (raw NUT socket) and the router (HTTP) refuse connections on closed 127.0.0.1 ports.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

/** A 127.0.0.1 port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('/status with two backends refusing connections', () => {
  let h: TestApp;
  before(async () => {
    const [upsPort, routerPort] = [await closedPort(), await closedPort()];
    h = await startTestApp({
      nut: { host: '127.0.0.1', port: upsPort, ups: 'ups', pollSeconds: 3600 },
      router: { url: `http://127.0.0.1:${routerPort}`, username: 'admin', password: 'x' },
    });
  });
  after(async () => {
    await h.close();
  });

  test('each down service once, "the connection was refused" (not ECONNREFUSED), one advice line', async () => {
    const text = (await h.say(OWNER, '/status')).texts[0] ?? '';
    const lines = text.split('\n');
    const ups = lines.filter((l) => /UPS/.test(l));
    assert.equal(ups.length, 1, text);
    assert.match(ups[0]!, /^• 🔴 UPS[^:]*: cannot be reached \(the connection was refused\)$/);
    const router = lines.filter((l) => /Router/.test(l));
    assert.equal(router.length, 1, text);
    assert.match(router[0]!, /^• 🔴 Router[^:]*: cannot be reached \(the connection was refused\)$/);
    assert.doesNotMatch(text, /ECONNREFUSED/);
    const advice = lines.filter((l) => /check that it is running/i.test(l));
    assert.equal(advice.length, 1, `advice once, not per line:\n${text}`);
    assert.match(advice[0]!, /^Cannot be reached: check that it is running and that its address in the config is right\.$/);
  });

  test('in Spanish: "la conexión ha sido rechazada", the advice in Spanish, once', async () => {
    await h.say(OWNER, '/lang es');
    try {
      const text = (await h.say(OWNER, '/status')).texts[0] ?? '';
      assert.match(text, /🔴 [^\n]*: no se puede contactar \(la conexión ha sido rechazada\)/);
      assert.doesNotMatch(text, /connection was refused|ECONNREFUSED/);
      assert.equal(text.split('\n').filter((l) => /^Sin contacto: comprueba/.test(l)).length, 1, text);
    } finally {
      await h.say(OWNER, '/lang en');
    }
  });
});
