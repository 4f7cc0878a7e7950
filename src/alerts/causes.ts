/**
 * Causes: what explains a condition so it is held (recorded, listed in /alerts and the digest
 * with its cause) instead of raised on its own. Rules attach the causes they can see in their
 * own snapshot (the bot stopped this guest, a backup holds it); the engine asks the hold
 * sources for the rest (a power cut, the WAN down, a maintenance window).
 */
/** Why a condition is held. Data only: each chat words it in its own language. */
export type AlertCause =
  /** The bot itself did it (`/shutdown docker` by Ana at 14:02): held until the guest runs again. */
  | { readonly kind: 'action'; readonly by: string; readonly at: number }
  /** A vzdump backup holds the guest (stop/suspend mode); `graceUntil` once the job has ended. */
  | { readonly kind: 'backup'; readonly since: number; readonly graceUntil?: number }
  /** The UPS is on battery or the power-cut plan has run: backends going away are expected. */
  | { readonly kind: 'powercut'; readonly since: number }
  /** The router's WAN link is down: internet-dependent checks are held. */
  | { readonly kind: 'wan'; readonly since: number }
  /** A maintenance window (`/maintenance` or a recurring one from the config). */
  | { readonly kind: 'maintenance'; readonly target: string; readonly until: number; readonly by: string; readonly reason?: string };
