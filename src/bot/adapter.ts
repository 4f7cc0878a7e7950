import type { DeliveryOutcome } from '../core/delivery.ts';
import type { OutMessage } from '../core/outmessage.ts';

/** What /healthz and /status say about one chat platform. */
export interface AdapterHealth {
  readonly connected: boolean;
  readonly detail?: string;
  /** Problems worth the admin's attention (e.g. cannot post in a channel). */
  readonly warnings: readonly string[];
}

/** One chat platform session: the only code that imports grammy or discord.js. */
export interface ChatAdapter {
  readonly platform: 'telegram' | 'discord' | 'console';
  /** Connects and starts receiving; resolves once ready. `signal` abandons a connection attempt. */
  start(signal?: AbortSignal): Promise<void>;
  /** Stops receiving and waits for in-flight invocations to finish. */
  stop(): Promise<void>;
  health(): AdapterHealth;
  /**
   * Sends (or, with editRef, edits) a message in a chat, for alerts and notifications.
   * `meta.dedupKey` lets a platform drop a duplicate of a retried send (Discord's nonce).
   */
  deliver(chatId: string, message: OutMessage, editRef?: string, meta?: { readonly dedupKey: string }): Promise<DeliveryOutcome>;
}
