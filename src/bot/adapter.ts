import type { DeliveryOutcome } from '../core/delivery.ts';
import type { OutMessage } from '../core/outmessage.ts';

/** What /healthz and /status say about one chat platform. */
export interface AdapterHealth {
  readonly connected: boolean;
  readonly detail?: string;
  /** Problems worth the admin's attention (e.g. cannot post in a channel). */
  readonly warnings: readonly string[];
}

/**
 * What an adapter tells its supervisor (AdapterLink) about an established session, so /healthz
 * is truthful and a lost session is rebuilt.
 */
export interface LinkEvents {
  /** An API call succeeded: the platform answers. */
  ok(): void;
  /** Calls are failing; the adapter keeps trying by itself (the link only reports it). */
  trouble(reason: string): void;
  /** The session works again after trouble. */
  back(): void;
  /** The session is gone and the adapter idle: the link calls start() again, with bounded backoff. */
  lost(reason: string): void;
}

/** One chat platform session: the only code that imports grammy or discord.js. */
export interface ChatAdapter {
  readonly platform: 'telegram' | 'discord' | 'console';
  /** Connects and starts receiving; resolves once ready. `signal` abandons a connection attempt. */
  start(signal?: AbortSignal): Promise<void>;
  /** Stops receiving and waits for in-flight invocations to finish. */
  stop(): Promise<void>;
  health(): AdapterHealth;
  /** Receives session events from the adapter's supervisor (platforms with a network session). */
  supervise?(events: LinkEvents): void;
  /** How the supervisor retries this platform (default: a few seconds between attempts). */
  readonly linkPolicy?: { readonly attemptTimeoutMs: number; readonly delaysMs: readonly number[] };
  /**
   * Sends (or, with editRef, edits) a message in a chat, for alerts and notifications.
   * `meta.dedupKey` lets a platform drop a duplicate of a retried send (Discord's nonce).
   */
  deliver(chatId: string, message: OutMessage, editRef?: string, meta?: { readonly dedupKey: string }): Promise<DeliveryOutcome>;
}
