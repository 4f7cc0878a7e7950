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

/** A typed failure of one backend call. `detail` is safe to show: it never carries secrets. */
export interface ServiceError {
  readonly service: string;
  readonly kind: ServiceErrorKind;
  readonly detail: string;
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

/** Maps the value of a successful result, passing failures through. */
export function mapResult<T, U, E>(r: Result<T, E>, f: (v: T) => U): Result<U, E> {
  return r.ok ? ok(f(r.value)) : r;
}
