import type { Clock } from '../../lib/clock.js';

export interface RegistryOptions {
  /** `--registry-concurrency` (default 8); each registry host also gets at most 4 at a time. */
  concurrency: number;
  /** `--registry-timeout` (default 10 s), per request. */
  timeoutMs: number;
  /** `--insecure-registry HOST` (repeatable): plain http allowed for these hosts. */
  insecureRegistries: string[];
  /** Docker-format auth file; default `REGISTRY_AUTH_FILE`, `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`. */
  authFile?: string;
  /** stderr: a progress bar when it is a TTY, otherwise one summary line at the end. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Injected for tests (the 429 wait); defaults to the system clock. */
  clock?: Clock;
}

export type ImageVerdict =
  | { status: 'present'; digest?: string }
  | { status: 'missing'; detail: string }
  | { status: 'unverified'; detail: string };

/** Most registries allowed in flight at once to a single registry host. */
export const PER_REGISTRY_CONCURRENCY = 4;
