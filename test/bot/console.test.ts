import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ConsoleAdapter } from '../../src/bot/console/adapter.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';

describe('console adapter', () => {
  test('a QR picture is private to the user and deleted when the console stops', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (d: Buffer) => (printed += d.toString()));
    const pipeline = {
      handle: async (_inv: unknown, sink: { send(m: unknown): Promise<unknown> }) => {
        await sink.send({
          blocks: [{ kind: 'text', text: 'scan me' }],
          image: { pngBase64: Buffer.from('png').toString('base64'), filename: 'guest-wifi.png' },
        });
      },
    } as unknown as Pipeline;
    const input = new PassThrough();
    const adapter = new ConsoleAdapter({ input, output }, pipeline);
    await adapter.start();
    input.write('/wifi\n');
    input.end();
    await adapter.idle();
    await new Promise<void>((resolve) => setImmediate(resolve)); // let readline deliver the line
    await adapter.idle();
    const path = /\[image: (.+)\]/.exec(printed)?.[1];
    assert.ok(path, printed);
    assert.ok(existsSync(path));
    assert.equal(statSync(path).mode & 0o077, 0, 'no one else may read the password picture');
    await adapter.stop();
    assert.equal(existsSync(path), false);
  });
});
