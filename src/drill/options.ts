import { readFileSync } from 'node:fs';
import { secretFromEnv } from '../lib/config.js';
import { parseDuration } from '../lib/duration.js';
import { usageError } from '../lib/errors.js';
import { readSecretFile } from '../lib/secret-file.js';
import { UUID_PATTERN } from '../watch/checks/model.js';
import { authorizationHeader } from './http.js';
import type { DrillSettings } from './run.js';

/** The flags of `alertpath drill`, as commander hands them over. */
export interface DrillFlags {
  alertmanager?: string[];
  observer?: string;
  check?: string;
  apiKeyFile?: string;
  alert: string;
  maxDetect: string;
  timeout?: string;
  preflightOnly?: boolean;
  keepSilence?: boolean;
  format: string;
  relay?: string[];
  testAlert?: boolean;
  reportPing?: string;
  alertmanagerBearerFile?: string;
  alertmanagerBasicAuthFile?: string;
  relayBearerFile?: string;
  relayBasicAuthFile?: string;
}

export const DRILL_DEFAULTS = { alert: 'Watchdog', maxDetect: '15m', format: 'text' };

/** Everything a drill needs, validated; secrets read. */
export interface DrillPlan extends DrillSettings {
  alertmanagers: string[];
  alertmanagerAuth: string | undefined;
  observer: string;
  apiKey: string;
  relays: string[];
  relayAuth: string | undefined;
  reportPing: string | undefined;
  format: 'text' | 'json';
}

const SLUG = /^[a-z0-9_-]+$/;
const LABEL_VALUE_MAX = 256;

/** Turns flags into a plan, or throws a one-line usage error (exit 2) naming what was wrong. */
export function buildDrillPlan(
  flags: DrillFlags,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): DrillPlan {
  const alertmanagers = (flags.alertmanager ?? []).map((u) => baseUrl(u, '--alertmanager'));
  if (alertmanagers.length === 0)
    throw usageError('--alertmanager URL is required (repeat it for each peer of a cluster)');
  if (new Set(alertmanagers).size !== alertmanagers.length)
    throw usageError('--alertmanager: the same URL is given twice');
  if (!flags.observer) throw usageError('--observer URL is required (alertpath watch or Healthchecks.io)');
  const observer = baseUrl(flags.observer, '--observer').replace(/\/api\/v\d\/?$/, '');
  if (!flags.check)
    throw usageError('--check UUID|SLUG is required: the observer check that receives the deadman');
  const check = flags.check.trim();
  if (!UUID_PATTERN.test(check) && !SLUG.test(check))
    throw usageError(`--check "${flags.check}": expected a check uuid or a slug (a-z, 0-9, - and _)`);

  const apiKey = flags.apiKeyFile
    ? secretFile(flags.apiKeyFile, '--api-key-file', readFile)
    : secretFromEnv('ALERTPATH_OBSERVER_API_KEY', env, readFile);
  if (apiKey === undefined || apiKey === '')
    throw usageError(
      "the observer's API key is needed: --api-key-file FILE, or ALERTPATH_OBSERVER_API_KEY_FILE / ALERTPATH_OBSERVER_API_KEY",
    );

  const alert = flags.alert.trim();
  if (alert === '' || alert.length > LABEL_VALUE_MAX)
    throw usageError("--alert: expected the deadman alert's name");
  const maxDetectMs = positive(flags.maxDetect, '--max-detect');
  const timeoutMs = flags.timeout === undefined ? undefined : positive(flags.timeout, '--timeout');
  if (flags.format !== 'text' && flags.format !== 'json')
    throw usageError(`--format "${flags.format}": expected text or json`);

  const relays = (flags.relay ?? []).map((u) => baseUrl(u, '--relay'));
  if (relays.length > 0 && !flags.testAlert)
    throw usageError('--relay is used by --test-alert: add --test-alert to send a test alert through it');
  if (flags.preflightOnly && flags.keepSilence)
    throw usageError('--keep-silence has no effect with --preflight-only');
  const reportPing = flags.reportPing === undefined ? undefined : baseUrl(flags.reportPing, '--report-ping');

  return {
    alertmanagers,
    alertmanagerAuth: auth(
      flags.alertmanagerBearerFile,
      flags.alertmanagerBasicAuthFile,
      '--alertmanager',
      readFile,
    ),
    observer,
    apiKey,
    check,
    alert,
    maxDetectMs,
    timeoutMs,
    preflightOnly: flags.preflightOnly === true,
    keepSilence: flags.keepSilence === true,
    testAlert: flags.testAlert === true,
    relays,
    relayAuth: auth(flags.relayBearerFile, flags.relayBasicAuthFile, '--relay', readFile),
    reportPing,
    format: flags.format,
  };
}

function baseUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw usageError(`${flag} "${text}": expected an http(s):// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`${flag} "${text}": expected an http(s):// URL`);
  if (url.username || url.password)
    throw usageError(`${flag}: put credentials in a file (${flag}-bearer-file, …), not in the URL`);
  return url.toString().replace(/\/+$/, '');
}

/** Longer than any period + grace an observer accepts (Healthchecks: 365 d each). */
const MAX_DURATION_MS = 800 * 86_400_000;

function positive(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms <= 0) throw usageError(`${flag} must be more than 0`);
  if (ms > MAX_DURATION_MS) throw usageError(`${flag} must be at most 800d`);
  return ms;
}

function secretFile(path: string, flag: string, readFile: (p: string) => string): string {
  const value = readSecretFile(path, { what: flag, readFile, code: 'AP_USAGE' });
  if (/[\r\n]/.test(value)) throw usageError(`${flag}: "${path}" must hold the secret on one line`);
  return value;
}

function auth(
  bearerFile: string | undefined,
  basicFile: string | undefined,
  flag: string,
  readFile: (p: string) => string,
): string | undefined {
  if (bearerFile && basicFile)
    throw usageError(`${flag}-bearer-file and ${flag}-basic-auth-file: give one, not both`);
  if (bearerFile)
    return authorizationHeader('bearer', secretFile(bearerFile, `${flag}-bearer-file`, readFile));
  if (basicFile) {
    const secret = secretFile(basicFile, `${flag}-basic-auth-file`, readFile);
    if (!secret.includes(':') || secret.startsWith(':'))
      throw usageError(`${flag}-basic-auth-file: expected "user:password" in "${basicFile}"`);
    return authorizationHeader('basic', secret);
  }
  return undefined;
}
