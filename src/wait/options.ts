import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration } from '../lib/duration.js';
import { usageError } from '../lib/errors.js';
import { type AcceptSet, DEFAULT_ACCEPT, parseAcceptSet } from '../probe/accept.js';
import { parseTarget, type Target } from '../probe/target.js';
import { looksLikePemCertificate } from '../probe/tls.js';

/** The flags of `alertpath wait`, as commander hands them over. */
export interface WaitFlags {
  interval: string;
  timeout: string;
  attemptTimeout: string;
  accept?: string;
  method?: string;
  header: string[];
  insecure?: boolean;
  caFile?: string;
  onTimeout: string;
  quiet?: boolean;
  json?: boolean;
  systemdDropin?: string;
}

/** Everything a wait needs, validated. */
export interface WaitPlan {
  targets: Target[];
  intervalMs: number;
  timeoutMs: number;
  attemptTimeoutMs: number;
  accept: AcceptSet;
  method: 'GET' | 'HEAD';
  headers: Record<string, string>;
  insecure: boolean;
  /** Absolute path. */
  caFile?: string;
  proceedOnTimeout: boolean;
  output: 'text' | 'quiet' | 'json';
}

export const WAIT_DEFAULTS = { interval: '2s', timeout: '300s', attemptTimeout: '3s', onTimeout: 'fail' };

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Turns flags into a plan, or throws a one-line usage error (exit 2) naming what was wrong. */
export function buildWaitPlan(targetArgs: string[], flags: WaitFlags): WaitPlan {
  if (targetArgs.length === 0)
    throw usageError('wait needs at least one TARGET (http(s):// URL or tcp://host:port)');
  const targets = targetArgs.map((text) => {
    const parsed = parseTarget(text);
    if (!parsed.ok) throw usageError(parsed.reason);
    return parsed.target;
  });

  const intervalMs = positiveDuration(flags.interval, '--interval');
  const timeoutMs = positiveDuration(flags.timeout, '--timeout');
  const attemptTimeoutMs = positiveDuration(flags.attemptTimeout, '--attempt-timeout');

  const accepted = parseAcceptSet(flags.accept ?? DEFAULT_ACCEPT);
  if (!accepted.ok) throw usageError(`--accept: ${accepted.reason}`);

  const method = (flags.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    throw usageError(`invalid --method "${flags.method}": expected GET or HEAD`);
  }

  const headers: Record<string, string> = {};
  for (const header of flags.header) {
    const colon = header.indexOf(':');
    const name = colon === -1 ? '' : header.slice(0, colon).trim();
    if (!HEADER_NAME.test(name)) throw usageError(`invalid --header "${header}": expected 'Name: value'`);
    headers[name.toLowerCase()] = header.slice(colon + 1).trim();
  }

  if (flags.insecure && flags.caFile) {
    throw usageError('--insecure and --ca-file contradict each other: give one');
  }
  let caFile: string | undefined;
  if (flags.caFile !== undefined) {
    caFile = resolve(flags.caFile);
    let text: string;
    try {
      text = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw usageError(
        `cannot read --ca-file ${flags.caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    if (!looksLikePemCertificate(text))
      throw usageError(`--ca-file ${flags.caFile} holds no PEM certificate`);
  }

  if (flags.onTimeout !== 'fail' && flags.onTimeout !== 'proceed') {
    throw usageError(`invalid --on-timeout "${flags.onTimeout}": expected fail or proceed`);
  }
  if (flags.quiet && flags.json) throw usageError('--quiet and --json contradict each other: give one');

  return {
    targets,
    intervalMs,
    timeoutMs,
    attemptTimeoutMs,
    accept: accepted.set,
    method,
    headers,
    insecure: Boolean(flags.insecure),
    ...(caFile !== undefined ? { caFile } : {}),
    proceedOnTimeout: flags.onTimeout === 'proceed',
    output: flags.json ? 'json' : flags.quiet ? 'quiet' : 'text',
  };
}

function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, `${flag} duration`);
  if (ms <= 0) throw usageError(`invalid ${flag} "${text}": it must be more than 0`);
  return ms;
}
