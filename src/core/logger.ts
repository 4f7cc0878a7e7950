import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type * as PinoPretty from 'pino-pretty';

export type { Logger };

/** Keys whose values are blanked in every log line (every secret key of the config schema, plus HTTP auth). */
const SECRET_LOG_KEYS = [
  'token',
  'tokenSecret',
  'password',
  'secret',
  'apiToken',
  'appPassword',
  'serverinfoToken',
  'privateKey',
  'passphrase',
  'heartbeatUrl',
  'sid',
  'authorization',
  'cookie',
];

/** Paths pino blanks, wherever a secret key appears up to two levels deep. */
const REDACT_PATHS = SECRET_LOG_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** Log level, pretty or JSON, and where lines go. */
export interface LoggerOptions {
  level?: string;
  /** Pretty output for a human at a terminal; JSON otherwise. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); defaults to stdout. */
  destination?: NodeJS.WritableStream;
  /** Literal secret values to mask in every message, whatever key they hide under. */
  secrets?: readonly string[];
}

/** Creates the process logger: JSON lines (or pretty ones), secrets redacted by key and by value in both modes. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const scrub = valueScrubber(opts.secrets ?? []);
  const base = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
  };
  // Scrubbing by value catches a secret that slipped into a message string or error text; pretty
  // output is rendered in-process from the scrubbed JSON line, so it can never bypass the mask.
  const out = opts.destination ?? (opts.pretty ? process.stderr : process.stdout);
  const render = opts.pretty ? loadPrettyFactory()({ colorize: !opts.destination }) : (line: string) => line;
  const stream = { write: (line: string) => void out.write(render(scrub(line))) };
  return pino(base, stream);
}

/**
 * pino-pretty is required only in pretty mode (JSON is the container default), keeping it and its
 * dependencies out of a production start-up; it is CommonJS, so a synchronous require works.
 */
function loadPrettyFactory(): typeof PinoPretty.prettyFactory {
  const require = createRequire(import.meta.url);
  return (require('pino-pretty') as typeof PinoPretty).prettyFactory;
}

/** Replaces each secret value in a JSON log line, both as written and as JSON escapes it. */
function valueScrubber(values: readonly string[]): (line: string) => string {
  const forms = [...new Set(values.filter((s) => s.length >= 4).flatMap((s) => [JSON.stringify(s).slice(1, -1), s]))].sort(
    (a, b) => b.length - a.length,
  );
  return (line) => forms.reduce((acc, s) => acc.split(s).join('[REDACTED]'), line);
}

/** A logger that discards everything (tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
