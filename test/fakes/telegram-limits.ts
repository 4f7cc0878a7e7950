/**
 * Telegram's published flood limits, enforced by the fake in rate-limit mode: about one
 * message per second per chat (short bursts tolerated), at most 20 per minute in a group,
 * about 30 per second across all chats. A refused send gets the retry_after Telegram would say.
 */

/** Limits of the rate-limit mode; defaults follow the Bot FAQ. */
export interface RateLimitOptions {
  /** Sustained messages per second in one chat (default 1). */
  readonly perChatPerSecond?: number;
  /** Messages a chat may receive at once before the per-second rate applies (default 3). */
  readonly perChatBurst?: number;
  /** Messages per rolling minute in a group or supergroup (default 20). */
  readonly groupPerMinute?: number;
  /** Messages per second across all chats (default 30). */
  readonly globalPerSecond?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets per chat plus a rolling minute window per group. */
export class ChatRateLimiter {
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly groupPerMinute: number;
  private readonly globalPerSecond: number;
  private readonly buckets = new Map<number, Bucket>();
  private readonly groupWindows = new Map<number, number[]>();
  private readonly global: Bucket;

  constructor(o: RateLimitOptions = {}) {
    this.perSecond = o.perChatPerSecond ?? 1;
    this.burst = o.perChatBurst ?? 3;
    this.groupPerMinute = o.groupPerMinute ?? 20;
    this.globalPerSecond = o.globalPerSecond ?? 30;
    this.global = { tokens: this.globalPerSecond, at: Date.now() };
  }

  /** Returns undefined and counts the send when allowed, else the retry_after in whole seconds. */
  check(chatId: number, now = Date.now()): number | undefined {
    const bucket = this.buckets.get(chatId) ?? { tokens: this.burst, at: now };
    refill(bucket, now, this.perSecond, this.burst);
    refill(this.global, now, this.globalPerSecond, this.globalPerSecond);
    let wait = 0;
    if (bucket.tokens < 1) wait = Math.max(wait, (1 - bucket.tokens) / this.perSecond);
    if (this.global.tokens < 1) wait = Math.max(wait, (1 - this.global.tokens) / this.globalPerSecond);
    const window = chatId < 0 ? (this.groupWindows.get(chatId) ?? []) : undefined;
    if (window) {
      while (window.length > 0 && (window[0] ?? 0) <= now - 60_000) window.shift();
      if (window.length >= this.groupPerMinute) wait = Math.max(wait, ((window[0] ?? now) + 60_000 - now) / 1000);
    }
    if (wait > 0) {
      this.buckets.set(chatId, bucket);
      return Math.max(1, Math.ceil(wait));
    }
    bucket.tokens -= 1;
    this.global.tokens -= 1;
    this.buckets.set(chatId, bucket);
    if (window) {
      window.push(now);
      this.groupWindows.set(chatId, window);
    }
    return undefined;
  }
}

function refill(b: Bucket, now: number, rate: number, cap: number): void {
  b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
}
