import type { OutMessage } from '../core/outmessage.ts';
import type { Digest } from './digest.ts';
import type { PowerCutStep } from './powercut.ts';
import type { PowerCutFolded } from './powercut-fold.ts';
import type { RestoreReport } from './restore.ts';
import type { AlertEvent } from './types.ts';

/** A non-alert announcement routed like an alert (power-cut steps, the daily digest). */
export type Notice =
  | { readonly kind: 'powercut'; readonly step: PowerCutStep }
  | { readonly kind: 'restore'; readonly report: RestoreReport }
  /** Backends and guests gone away with the power, in the power cut's thread. */
  | { readonly kind: 'powercut-folded'; readonly folded: PowerCutFolded }
  | { readonly kind: 'digest'; readonly digest: Digest };

/**
 * What an outbox row stores: data, not text. The injected renderer turns it into an
 * OutMessage at delivery time, in the destination chat's language, with fresh button tokens.
 */
export type OutboxPayload =
  | { readonly type: 'alert'; readonly event: AlertEvent }
  /** Several alert events delivered together (a storm, or a backlog after a chat outage). */
  | { readonly type: 'group'; readonly items: readonly AlertEvent[] }
  /** Messages held by quiet hours, released as one. */
  | { readonly type: 'summary'; readonly items: readonly OutboxPayload[]; readonly since: number }
  /** A chat outage's backlog as one message: how long, how many events, what is still active. */
  | {
      readonly type: 'offline';
      readonly since: number;
      readonly until: number;
      readonly active: readonly AlertEvent[];
      readonly events: number;
    }
  | { readonly type: 'notice'; readonly notice: Notice }
  /** Already rendered (ctx.notify from other areas renders in the chat's language at enqueue time). */
  | { readonly type: 'message'; readonly message: OutMessage };

/** Turns stored data into a message for one destination. */
export type Render = (payload: OutboxPayload, destination: string) => OutMessage | Promise<OutMessage>;
