/** One chat's updates handled one after another, different chats concurrently (grammY middleware). */
import type { Context, NextFunction } from 'grammy';

/** The middleware, and how many chats have updates running or waiting (for tests and leaks). */
export interface ChatOrder {
  (ctx: Context, next: NextFunction): Promise<void>;
  busyChats(): number;
}

/**
 * Same guarantee as the runner's `sequentialize(ctx => ctx.chat.id)`, cheaper on every update:
 * an update in a chat with nothing running starts at once (no arrays, no Promise.all, no wait
 * for a tick), and a chat's entry is dropped as soon as its last update is done. An update that
 * fails still lets the next one in its chat run; its error goes to the caller as before.
 */
export function chatOrder(): ChatOrder {
  /** Per chat: the settled end of its last update (never rejects). */
  const tails = new Map<number, Promise<void>>();
  const order = (ctx: Context, next: NextFunction): Promise<void> => {
    const chat = ctx.chat?.id;
    if (chat === undefined) return next();
    const before = tails.get(chat);
    const task = before === undefined ? next() : before.then(next);
    const tail: Promise<void> = task.then(
      () => void (tails.get(chat) === tail && tails.delete(chat)),
      () => void (tails.get(chat) === tail && tails.delete(chat)),
    );
    tails.set(chat, tail);
    return task;
  };
  return Object.assign(order, { busyChats: () => tails.size });
}
