import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context } from 'grammy';
import { chatOrder } from '../../src/bot/telegram/chat-order.ts';

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const inChat = (id: number | undefined) => ({ chat: id === undefined ? undefined : { id } }) as unknown as Context;

/** Lets every queued promise callback run (no timers involved). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test("one chat's updates run one after another, in arrival order; other chats do not wait", async () => {
  const order = chatOrder();
  const started: string[] = [];
  const first = deferred();
  const second = deferred();
  const other = deferred();
  const a = order(inChat(1), () => (started.push('a'), first.promise));
  const b = order(inChat(1), () => (started.push('b'), second.promise));
  const c = order(inChat(2), () => (started.push('c'), other.promise));
  await settle();
  assert.deepEqual(started, ['a', 'c'], 'the second update of chat 1 waits; chat 2 starts at once');
  assert.equal(order.busyChats(), 2);
  other.resolve();
  await c;
  first.resolve();
  await a;
  await settle();
  assert.deepEqual(started, ['a', 'c', 'b']);
  second.resolve();
  await b;
  await settle();
  assert.equal(order.busyChats(), 0, 'a chat with nothing left is forgotten');
});

test('an update that fails still lets the next one in its chat run, and its error reaches the caller', async () => {
  const order = chatOrder();
  const first = deferred();
  const ran: string[] = [];
  const a = order(inChat(7), () => first.promise);
  const b = order(inChat(7), async () => void ran.push('b'));
  first.reject(new Error('handler blew up'));
  await assert.rejects(a, /handler blew up/);
  await b;
  assert.deepEqual(ran, ['b']);
  await settle();
  assert.equal(order.busyChats(), 0);
});

test('an update without a chat runs at once and is not tracked', async () => {
  const order = chatOrder();
  let ran = false;
  await order(inChat(undefined), async () => void (ran = true));
  assert.ok(ran);
  assert.equal(order.busyChats(), 0);
});
