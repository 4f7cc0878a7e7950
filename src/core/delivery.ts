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
