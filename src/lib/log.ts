import { type Logger, pino } from 'pino';
import { redactDeep, redactSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
  name?: string;
}

/** JSON-lines logger; every string that looks like a secret-bearing URL is redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.ALERTPATH_LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: options.name ? { service: options.name } : null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (record) => redactDeep(record) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
    },
    (options.destination ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream,
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
