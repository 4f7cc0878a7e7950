/**
 * What a chat adapter reports for one proactive send or edit (alerts, notifications): the
 * contract between the adapters and the outbox, defined once here.
 * - `unreachable`: the platform could not be reached (network, timeout, 5xx): the message is
 *   fine, the line is not. The outbox waits a few seconds and tries again without counting it.
 * - `permanent`: this message will never go (blocked by the user, bad request): dead letter.
 * - otherwise a transient per-message failure: retried with backoff, counted.
 */
export type DeliveryOutcome =
  | { readonly ok: true; readonly ref: string }
  | {
      readonly ok: false;
      readonly error: string;
      readonly retryAfterMs?: number;
      readonly permanent?: boolean;
      readonly unreachable?: boolean;
    };

/** The bot's own delivery errors, stored as codes so /alerts can say them in the reader's language. */
export type DeliveryErrorCode = 'no-chat' | 'not-connected';

/** A delivery error the bot itself raises for a platform (`no-chat`: no chat configured; `not-connected`: not connected yet). */
export function codedDeliveryError(code: DeliveryErrorCode, platform: string): string {
  return `${code}:${platform}`;
}

/** The code and platform of a `codedDeliveryError`; undefined for any other error (a platform's own words). */
export function parseDeliveryError(error: string): { readonly code: DeliveryErrorCode; readonly platform: string } | undefined {
  const m = /^(no-chat|not-connected):(\w+|\?)$/.exec(error);
  return m ? { code: m[1] as DeliveryErrorCode, platform: m[2]! } : undefined;
}
