import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { DEFAULT_MAX_RESPONSE_BYTES, HttpClient, normaliseFingerprint, parseJson } from '../../src/services/http.ts';
import { freePort } from '../support/child.ts';
import { selfSigned, type SelfSigned } from '../support/tls.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Echo handler: records every request and answers with what it saw. */
function echo(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.includes('/hang')) return; // never answers
      const status = /\/status\/(\d+)$/.exec(req.url ?? '');
      if (status) {
        res.writeHead(Number(status[1]), 'Custom Reason');
        res.end('{"data":null}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  };
}

const listen = async (srv: Server): Promise<string> => {
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return `${(srv.address() as AddressInfo).port}`;
};

describe('HttpClient over HTTPS with a self-signed certificate', () => {
  let tls: SelfSigned;
  let url = '';
  const seen: Seen[] = [];
  let srv: Server;
  const clients: HttpClient[] = [];
  const client = (opts: Partial<ConstructorParameters<typeof HttpClient>[1]> = {}): HttpClient => {
    const c = new HttpClient('proxmox', { baseUrl: url, timeoutMs: 2_000, ...opts });
    clients.push(c);
    return c;
  };

  before(async () => {
    tls = selfSigned();
    srv = createHttpsServer({ key: tls.key, cert: tls.cert }, echo(seen));
    url = `https://127.0.0.1:${await listen(srv)}/api2/json`;
  });
  after(async () => {
    for (const c of clients) await c.close();
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  test('the right pin (AA:BB form) is trusted', async () => {
    const r = await client({ fingerprint: tls.fingerprint256 }).request('GET', '/version');
    assert.equal(r.ok && r.value.status, 200);
    assert.equal(r.ok && JSON.parse(r.value.text).url, '/api2/json/version');
  });

  test('the right pin in plain lowercase hex is trusted too', async () => {
    const hex = tls.fingerprint256.replace(/:/g, '').toLowerCase();
    const r = await client({ fingerprint: hex }).request('GET', '/version');
    assert.equal(r.ok && r.value.status, 200);
  });

  test('a wrong pin is unreachable, says so, and sends no request', async () => {
    const before = seen.length;
    const wrong = 'AB:'.repeat(31) + 'AB';
    const r = await client({ fingerprint: wrong }).request('POST', '/nodes/proxmox1/qemu/100/status/stop', {
      headers: { authorization: 'PVEAPIToken=root@pam!bot=secret-uuid' },
    });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.kind, 'unreachable');
    assert.equal(r.error.service, 'proxmox');
    assert.match(r.error.detail, /pinned fingerprint/);
    assert.ok(!r.error.detail.includes('secret-uuid'));
    assert.equal(seen.length, before, 'nothing reached the server');
  });

  test('no pin and no CA: the self-signed certificate is not trusted', async () => {
    const r = await client().request('GET', '/version');
    assert.equal(!r.ok && r.error.kind, 'unreachable');
    assert.match(!r.ok ? r.error.detail : '', /not trusted/);
  });

  test('the certificate given as CA is trusted without a pin', async () => {
    const r = await client({ ca: tls.cert }).request('GET', '/version');
    assert.equal(r.ok && r.value.status, 200);
  });

  test('keeps connections alive: fewer connections than requests', async () => {
    const c = client({ fingerprint: tls.fingerprint256 });
    const ports = new Set<number>();
    const onRequest = (req: IncomingMessage): void => void ports.add(req.socket.remotePort ?? 0);
    srv.on('request', onRequest);
    try {
      for (let i = 0; i < 6; i++) {
        const r = await c.request('GET', '/version');
        assert.equal(r.ok, true, JSON.stringify(r));
      }
    } finally {
      srv.off('request', onRequest);
    }
    assert.ok(ports.size <= 2, `${ports.size} connections for 6 requests`);
  });

  test('every new connection is checked against the pin, resumed TLS sessions included', async () => {
    const c = client({ fingerprint: tls.fingerprint256 });
    // Parallel requests open several connections; later ones would resume the first session.
    for (let round = 0; round < 3; round++) {
      const rs = await Promise.all([1, 2, 3, 4].map(() => c.request('GET', '/version')));
      for (const r of rs) assert.equal(r.ok, true, JSON.stringify(r));
    }
  });
});

describe('HttpClient over plain HTTP', () => {
  let url = '';
  const seen: Seen[] = [];
  let srv: Server;
  let client: HttpClient;

  before(async () => {
    srv = createHttpServer(echo(seen));
    url = `http://127.0.0.1:${await listen(srv)}/rpc`;
    client = new HttpClient('omv', { baseUrl: url, timeoutMs: 5_000 });
  });
  after(async () => {
    await client.close();
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  test('sends query, JSON and form bodies', async () => {
    const q = await client.request('GET', 'tasks', { query: { typefilter: 'vzdump', limit: 5, skip: undefined } });
    assert.equal(q.ok && JSON.parse(q.value.text).url, '/rpc/tasks?typefilter=vzdump&limit=5');
    const j = await client.request('POST', '/rpc.php', { json: { service: 'System' } });
    assert.equal(j.ok && JSON.parse(j.value.text).body, '{"service":"System"}');
    assert.equal(seen.at(-1)?.headers['content-type'], 'application/json');
    const f = await client.request('POST', '/access/ticket', { form: { username: 'root@pam', password: 'a b&c' } });
    assert.equal(f.ok && JSON.parse(f.value.text).body, 'username=root%40pam&password=a+b%26c');
    assert.equal(seen.at(-1)?.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  test('every HTTP status is a successful transport result', async () => {
    const r = await client.request('GET', '/status/500');
    assert.equal(r.ok && r.value.status, 500);
    assert.equal(r.ok && r.value.statusText, 'Custom Reason', 'the reason phrase is kept (Proxmox 7 errors)');
  });

  test('a server that does not answer within the client timeout is a timeout', async () => {
    const quick = new HttpClient('omv', { baseUrl: url, timeoutMs: 300 });
    const r = await quick.request('GET', '/hang');
    assert.deepEqual(!r.ok && [r.error.kind, r.error.service], ['timeout', 'omv']);
    await quick.close();
  });

  test('a per-request timeout overrides the default', async () => {
    const slow = new HttpClient('omv', { baseUrl: url, timeoutMs: 60_000 });
    const started = Date.now();
    const r = await slow.request('GET', '/hang', { timeoutMs: 200 });
    assert.equal(!r.ok && r.error.kind, 'timeout');
    assert.ok(Date.now() - started < 5_000);
    await slow.close();
  });

  test('connection refused is unreachable', async () => {
    const c = new HttpClient('omv', { baseUrl: `http://127.0.0.1:${await freePort()}` });
    const r = await c.request('GET', '/');
    assert.deepEqual(!r.ok && [r.error.kind, r.error.detail], ['unreachable', 'connection refused']);
    await c.close();
  });
});

describe('HttpClient reply-size caps (a real server on 127.0.0.1)', () => {
  const MiB = 1024 * 1024;
  let url = '';
  let srv: Server;
  /** Bytes the endless route managed to write before the client hung up, per request. */
  const written: number[] = [];
  const closed: Promise<void>[] = [];

  before(async () => {
    srv = createHttpServer((req, res) => {
      if (req.url?.endsWith('/endless')) {
        // Chunked, never ends: writes as fast as the client reads (backpressure) until it hangs up.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const slot = written.push(0) - 1;
        closed.push(new Promise<void>((resolve) => res.on('close', () => resolve())));
        const pump = (): void => {
          while (!res.destroyed) {
            sent += chunk.length;
            written[slot] = sent;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        pump();
        return;
      }
      const size = Number(/\/bytes\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      const declared = !req.url?.includes('chunked');
      res.writeHead(200, declared ? { 'content-length': String(size) } : {});
      res.end(Buffer.alloc(size, 0x61));
    });
    url = `http://127.0.0.1:${await listen(srv)}/`;
  });
  after(async () => {
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  });

  test('an endless body stops at the cap while streaming: protocol error, connection closed', async () => {
    const c = new HttpClient('proxmox', { baseUrl: url, timeoutMs: 30_000, maxResponseBytes: 1 * MiB });
    const r = await c.request('GET', '/endless');
    assert.deepEqual(!r.ok && [r.error.service, r.error.kind, r.error.detail], ['proxmox', 'protocol', 'the reply is larger than 1 MiB']);
    await closed.at(-1); // the client hung up: the server's response closed, not a timeout
    // Only the cap plus what fits in socket buffers was ever sent, not the endless rest.
    assert.ok((written.at(-1) ?? 0) < 16 * MiB, `server wrote ${written.at(-1)} bytes`);
    await c.close();
  });

  test('the default cap applies when the client names none', async () => {
    const c = new HttpClient('pihole', { baseUrl: url, timeoutMs: 30_000 });
    const r = await c.request('GET', '/endless');
    assert.deepEqual(!r.ok && [r.error.kind, r.error.detail], [
      'protocol',
      `the reply is larger than ${DEFAULT_MAX_RESPONSE_BYTES / MiB} MiB`,
    ]);
    await c.close();
  });

  test('a declared Content-Length over the cap fails before the body is read', async () => {
    const c = new HttpClient('omv', { baseUrl: url, maxResponseBytes: 1000 });
    const r = await c.request('GET', '/bytes/1001');
    assert.equal(!r.ok && r.error.kind, 'protocol');
    await c.close();
  });

  test('a chunked body one byte over the cap fails; exactly the cap passes', async () => {
    const c = new HttpClient('omv', { baseUrl: url, maxResponseBytes: 1000 });
    const over = await c.request('GET', '/chunked/bytes/1001');
    assert.equal(!over.ok && over.error.kind, 'protocol');
    const exact = await c.request('GET', '/chunked/bytes/1000');
    assert.equal(exact.ok && exact.value.bytes.length, 1000);
    const declared = await c.request('GET', '/bytes/1000');
    assert.equal(declared.ok && declared.value.text, 'a'.repeat(1000));
    await c.close();
  });

  test('a per-call cap overrides the client cap both ways', async () => {
    const c = new HttpClient('transmission', { baseUrl: url, maxResponseBytes: 1000 });
    const larger = await c.request('GET', '/bytes/5000', { maxBytes: 10_000 });
    assert.equal(larger.ok && larger.value.bytes.length, 5000);
    const smaller = await c.request('GET', '/chunked/bytes/500', { maxBytes: 100 });
    assert.deepEqual(!smaller.ok && [smaller.error.kind, smaller.error.detail], ['protocol', 'the reply is larger than 100 bytes']);
    await c.close();
  });
});

describe('parseJson and normaliseFingerprint', () => {
  const schema = z.object({ data: z.object({ version: z.string() }) });

  test('parses a matching body', () => {
    assert.deepEqual(parseJson('proxmox', '{"data":{"version":"7.3"}}', schema), {
      ok: true,
      value: { data: { version: '7.3' } },
    });
  });

  test('invalid JSON and wrong shapes are protocol errors naming where', () => {
    const bad = parseJson('proxmox', '<html>', schema);
    assert.deepEqual(!bad.ok && [bad.error.kind, bad.error.detail], ['protocol', 'the reply is not valid JSON']);
    const shape = parseJson('proxmox', '{"data":{"version":7}}', schema);
    assert.deepEqual(!shape.ok && [shape.error.kind, shape.error.detail], ['protocol', 'unexpected reply shape at data.version']);
  });

  test('fingerprints compare across notations', () => {
    assert.equal(normaliseFingerprint('AA:bb:0C'), 'aabb0c');
    assert.equal(normaliseFingerprint('sha256/AABB'), 'aabb');
  });
});
