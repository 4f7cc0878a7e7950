/**
 * Errors as values at the service boundary. A service client never throws for an
 * expected failure (backend down, bad credentials, refused request): it returns
 * `Result<T>` whose failure is a `ServiceError`. Handlers map the error kind to a
 * user message; anything thrown is a bug and is logged with a reference id.
 */

/** Why a backend call failed, from the user's point of view. */
export type ServiceErrorKind =
  | 'unreachable' // connection refused, DNS, TLS handshake, pin mismatch
  | 'auth' // credentials rejected or session could not be established
  | 'timeout' // no answer in time
  | 'protocol' // the backend answered something we cannot understand
  | 'rejected'; // the backend understood and said no (bad request, conflict, not found)

/**
 * A cause the transport layers know by name, so a reply can say it in the reader's language
 * (message `error.reason.<reason>`) instead of quoting the English `detail`.
 */
export const SERVICE_ERROR_REASONS = [
  'connection-refused',
  'host-not-found',
  'connection-reset',
  'connection-closed',
  'connection-failed',
  'no-answer',
  'tls-pin-mismatch',
  'tls-untrusted',
  'reply-too-large',
  'reply-not-json',
  'reply-unexpected',
  'ssh-host-key-mismatch',
  'ssh-login-refused',
  'ssh-key-missing',
  'ssh-key-unreadable',
  'command-too-slow',
  'output-too-large',
  'not-configured',
] as const;
/** One of SERVICE_ERROR_REASONS. */
export type ServiceErrorReason = (typeof SERVICE_ERROR_REASONS)[number];

/** A typed failure of one backend call. `detail` is safe to log: it never carries secrets. */
export interface ServiceError {
  readonly service: string;
  readonly kind: ServiceErrorKind;
  /** English detail for the log; replies show the translated `reason` when there is one. */
  readonly detail: string;
  /** The named cause, when the client knows it (transport failures); translated in replies. */
  readonly reason?: ServiceErrorReason;
  /** Values the reason's message names (`{seen}` host key, `{where}` in a reply); never secrets. */
  readonly reasonParams?: Readonly<Record<string, string>>;
  /** HTTP status or protocol code, when there was one. */
  readonly status?: number;
}

/** Success or a ServiceError; never both. */
export type Result<T, E = ServiceError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a value as success. */
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

/** Wraps an error as failure. */
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** Builds a ServiceError. */
export function serviceError(service: string, kind: ServiceErrorKind, detail: string, status?: number): ServiceError {
  return status === undefined ? { service, kind, detail } : { service, kind, detail, status };
}

/** A failure as a chat line carries it: the English detail (logs), and the named cause the reader sees in their language. */
export interface FailureDetail {
  readonly detail: string;
  readonly reason?: ServiceErrorReason;
  readonly reasonParams?: Readonly<Record<string, string>>;
}

/** The parts of a ServiceError a pushed line keeps, so the renderer can say it in the reader's language. */
export function failureDetail(e: ServiceError): FailureDetail {
  return {
    detail: e.detail,
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.reasonParams ? { reasonParams: e.reasonParams } : {}),
  };
}

/** Flat message params for a failure (`detail`, `reason` and the reason's own values), for params that must stay flat. */
export function failureParams(e: ServiceError): Record<string, string> {
  return { ...e.reasonParams, detail: e.detail, ...(e.reason ? { reason: e.reason } : {}) };
}

/** Builds a ServiceError with a named cause (the English `detail` stays for the log). */
export function reasonedError(
  service: string,
  kind: ServiceErrorKind,
  reason: ServiceErrorReason,
  detail: string,
  reasonParams?: Readonly<Record<string, string>>,
): ServiceError {
  return reasonParams ? { service, kind, detail, reason, reasonParams } : { service, kind, detail, reason };
}

/** Maps the value of a successful result, passing failures through. */
export function mapResult<T, U, E>(r: Result<T, E>, f: (v: T) => U): Result<U, E> {
  return r.ok ? ok(f(r.value)) : r;
}
