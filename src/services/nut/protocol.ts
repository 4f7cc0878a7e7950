import { serviceError, type ServiceError } from '../../core/errors.ts';

/**
 * NUT network protocol helpers (PROTOCOLS.md §7): one command per line, words separated by
 * spaces, values in double quotes with `\"` and `\\` escapes.
 */

/** Splits a protocol line into words, unquoting quoted values; null when quotes are unbalanced. */
export function tokenize(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= n) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (c === '\\' && i + 1 < n) {
          word += line[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          word += c;
          i++;
        }
      }
      if (!closed) return null;
    } else {
      while (i < n && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    words.push(word);
  }
  return words;
}

/** Quotes a value for sending, escaping `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** UPS and variable names are simple words; anything else could smuggle a second command. */
export const NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Maps an `ERR <CODE> [extra]` reply to a ServiceError (never includes credentials). */
export function errorFromReply(service: string, words: readonly string[], context: string): ServiceError {
  const code = words[1] ?? 'UNKNOWN';
  const extra = words.slice(2).join(' ');
  const what = `${context}: ERR ${code}${extra ? ` ${extra}` : ''}`;
  switch (code) {
    case 'UNKNOWN-UPS':
    case 'VAR-NOT-SUPPORTED':
    case 'CMD-NOT-SUPPORTED':
    case 'INVALID-ARGUMENT':
    case 'INVALID-VALUE':
    case 'READONLY':
    case 'TOO-LONG':
    case 'SET-FAILED':
    case 'INSTCMD-FAILED':
      return serviceError(service, 'rejected', what);
    case 'DRIVER-NOT-CONNECTED':
      return serviceError(service, 'unreachable', `${context}: the UPS driver is not connected to upsd (ERR DRIVER-NOT-CONNECTED)`);
    case 'DATA-STALE':
      return serviceError(service, 'unreachable', `${context}: upsd lost contact with the UPS, data is stale (ERR DATA-STALE)`);
    case 'ACCESS-DENIED':
    case 'INVALID-PASSWORD':
    case 'INVALID-USERNAME':
    case 'USERNAME-REQUIRED':
    case 'PASSWORD-REQUIRED':
      return serviceError(service, 'auth', what);
    default:
      return serviceError(service, 'protocol', what);
  }
}
