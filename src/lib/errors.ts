/**
 * Every error alertpath reports has a stable `AP_*` code. This table is the one place that maps a
 * code to an HTTP status (services) and to a process exit code (commands).
 */
export const ERROR_CODES = {
  AP_USAGE: { status: 400, exit: 2, meaning: 'bad command-line flags or arguments' },
  AP_CONFIG_INVALID: { status: 400, exit: 2, meaning: 'a config file (or value) that does not validate' },
  AP_INVALID_PAYLOAD: { status: 400, exit: 2, meaning: 'a request body or parameter that does not validate' },
  AP_UNAUTHORIZED: { status: 401, exit: 1, meaning: 'a missing or wrong token or API key' },
  AP_FORBIDDEN: { status: 403, exit: 1, meaning: 'authenticated, but not allowed (a read-only key writing)' },
  AP_NOT_FOUND: { status: 404, exit: 1, meaning: 'no such route, check, or object' },
  AP_METHOD_NOT_ALLOWED: { status: 405, exit: 1, meaning: 'the route exists, but not for this method' },
  AP_CONFLICT: { status: 409, exit: 1, meaning: 'the request does not fit the current state' },
  AP_PAYLOAD_TOO_LARGE: { status: 413, exit: 2, meaning: 'a body or answer over its size limit' },
  AP_DISCORD_REJECTED: { status: 502, exit: 1, meaning: 'Discord refused a message (4xx other than 429)' },
  AP_UPSTREAM_REJECTED: { status: 502, exit: 1, meaning: 'another service refused what was sent to it' },
  AP_UNAVAILABLE: { status: 503, exit: 1, meaning: 'a dependency cannot be reached now: retry later' },
  AP_UNREACHABLE: {
    status: 502,
    exit: 2,
    meaning: 'an endpoint a command depends on cannot be reached at all',
  },
  AP_DRILL_FAILED: { status: 500, exit: 1, meaning: 'a drill or preflight ran and did not pass' },
  AP_INTERNAL: { status: 500, exit: 1, meaning: 'a bug: anything not mapped to a code above' },
} as const satisfies Record<string, { status: number; exit: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds an HTTP client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Any thrown value as an AppError; unknown errors become AP_INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('AP_INTERNAL', message, { cause: err });
}

/** The JSON body every alertpath service answers an error with. */
export function errorBody(err: AppError): { error: { code: ErrorCode; message: string } } {
  return { error: { code: err.code, message: err.message } };
}

/**
 * The same error in Healthchecks' shape, `{"error": "<message>"}`, for the Healthchecks-compatible
 * routes of `watch` (its clients read a string); the status still comes from the table.
 */
export function healthchecksErrorBody(err: AppError): { error: string } {
  return { error: err.message };
}

/** A usage error: the CLI prints one line and exits 2. */
export function usageError(message: string): AppError {
  return new AppError('AP_USAGE', message);
}
