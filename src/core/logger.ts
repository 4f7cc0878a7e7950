import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks in every log line, wherever they appear one or two levels deep. */
const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'apiToken',
  'appPassword',
  'sid',
  'authorization',
  'cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiToken',
  '*.appPassword',
  '*.sid',
  '*.authorization',
  '*.cookie',
  '*.*.token',
  '*.*.password',
  '*.*.secret',
  '*.*.apiToken',
  '*.*.appPassword',
];

export interface LoggerOptions {
  level?: string;
  /** Pretty output for a human at a terminal; JSON otherwise. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); defaults to stdout. */
  destination?: NodeJS.WritableStream;
  /** Literal secret values to mask in every message, whatever key they hide under. */
  secrets?: readonly string[];
}

/** Creates the process logger: JSON lines, secrets redacted by key and by value. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (line: string): string => secrets.reduce((acc, s) => acc.split(s).join('[REDACTED]'), line);
  const base = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
  };
  if (opts.pretty && !opts.destination) {
    const transport = pino.transport({ target: 'pino-pretty', options: { colorize: true, destination: 2 } });
    return pino(base, transport);
  }
  const out = opts.destination ?? process.stdout;
  // Scrubbing by value catches a secret that slipped into a message string or error text.
  const stream = { write: (line: string) => void out.write(scrub(line)) };
  return pino(base, stream);
}

/** A logger that discards everything (tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
