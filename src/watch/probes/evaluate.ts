import { formatDuration } from '../../lib/duration.js';
import { formatSeconds } from '../../lib/net.js';
import { redactSecrets } from '../../lib/redact.js';
import type { CertificateOutcome } from '../../probe/certificate.js';
import { describeCertificateError } from '../../probe/certificate.js';
import { type DnsOutcome, sameAnswers } from '../../probe/dns.js';
import type { AttemptOutcome } from '../../probe/outcome.js';
import { parseJsonPath, valueAt } from './config.js';
import type { ProbeTarget } from './spec.js';

/**
 * From what an attempt found to a verdict and the one line an operator reads in the page: the
 * failing condition (`HTTP 503 from https://…`, `certificate for example.net expires in 6 days`)
 * or a short summary of a success. Pure: time comes in as `now`.
 */
export interface Verdict {
  ok: boolean;
  message: string;
}

const DAY_MS = 86_400_000;

type HttpTarget = Extract<ProbeTarget, { type: 'http' }>;
type DnsTarget = Extract<ProbeTarget, { type: 'dns' }>;

export function evaluateHttp(
  t: HttpTarget,
  outcome: AttemptOutcome,
  certificate: CertificateOutcome | undefined,
  now: number,
): Verdict {
  const url = redactSecrets(t.url);
  if (outcome.kind === 'error') return fail(`no answer from ${url}: ${outcome.reason}`);
  if (outcome.kind !== 'http') return fail(`no HTTP answer from ${url}`);
  if (!t.accept.has(outcome.status)) return fail(`HTTP ${outcome.status} from ${url}`);
  if (t.maxLatencyMs !== undefined && outcome.latencyMs > t.maxLatencyMs)
    return fail(
      `slow answer from ${url}: ${formatSeconds(outcome.latencyMs)} (maxLatency ${formatSeconds(t.maxLatencyMs)})`,
    );
  const body = outcome.body ?? '';
  if (t.bodyContains !== undefined && !body.includes(t.bodyContains))
    return fail(`the body from ${url} does not contain "${t.bodyContains}"`);
  if (t.json) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      return fail(`the body from ${url} is not JSON`);
    }
    const value = valueAt(doc, parseJsonPath(t.json.path) ?? []);
    if (value === undefined || (value === null && t.json.equals === undefined))
      return fail(`${t.json.path} not found in the JSON from ${url}`);
    if (t.json.equals !== undefined && !jsonEquals(value, t.json.equals))
      return fail(
        `${t.json.path} is ${show(value)} in the JSON from ${url}, expected ${show(t.json.equals)}`,
      );
  }
  if (t.certExpiryMs !== undefined) {
    const host = new URL(t.url).hostname.replace(/^\[(.*)\]$/, '$1');
    const v = evaluateCertificate(
      host,
      certificate,
      { certExpiryMs: t.certExpiryMs, insecure: !!t.trust.insecure },
      now,
    );
    if (!v.ok) return v;
  }
  return { ok: true, message: `HTTP ${outcome.status} from ${url} in ${Math.round(outcome.latencyMs)} ms` };
}

export function evaluateTcp(target: string, outcome: AttemptOutcome): Verdict {
  if (outcome.kind === 'error') return fail(`no connection to ${target}: ${outcome.reason}`);
  return { ok: true, message: `connected to ${target} in ${Math.round(outcome.latencyMs)} ms` };
}

export function evaluateDns(t: DnsTarget, serverText: string, outcome: DnsOutcome): Verdict {
  const what = `DNS ${t.name} ${t.recordType} via ${serverText}`;
  if (outcome.kind === 'error') return fail(`${what}: ${outcome.reason}`);
  if (outcome.rcode !== 'NOERROR') return fail(`${what}: ${outcome.rcode}`);
  const got = outcome.answers;
  if (t.expect) {
    if (!sameAnswers(got, t.expect))
      return fail(
        `${what}: got ${got.length > 0 ? got.join(', ') : 'no answer'}, expected ${t.expect.join(', ')}`,
      );
  } else if (got.length === 0) {
    return fail(`${what}: no ${t.recordType} record`);
  }
  return { ok: true, message: `${what}: ${got.join(', ')}` };
}

/**
 * The certificate of `host`: trusted (unless `insecure`), valid now, and not expiring within
 * `certExpiryMs`.
 */
export function evaluateCertificate(
  host: string,
  cert: CertificateOutcome | undefined,
  opts: { certExpiryMs: number; insecure: boolean },
  now: number,
): Verdict {
  if (!cert) return fail(`no certificate from ${host}`);
  if (cert.kind === 'error') return fail(`TLS to ${host}: ${cert.reason}`);
  const left = cert.validTo - now;
  if (left <= 0 || cert.authorizationError === 'CERT_HAS_EXPIRED')
    return fail(`certificate for ${host} expired ${inDays(-left)} ago`);
  if (cert.validFrom > now) return fail(`certificate for ${host} is not valid yet`);
  if (!opts.insecure && !cert.authorized)
    return fail(
      `certificate for ${host} is not trusted: ${describeCertificateError(cert.authorizationError ?? 'not trusted')}`,
    );
  if (left < opts.certExpiryMs) return fail(`certificate for ${host} expires in ${inDays(left)}`);
  return {
    ok: true,
    message: `certificate for ${host} valid until ${new Date(cert.validTo).toISOString().slice(0, 10)} (${inDays(left)})`,
  };
}

/** `6 days` from two days up, else `1d 11h`, `5h 3m`. */
export function inDays(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.round(ms / DAY_MS)} days`;
  return formatDuration(ms);
}

function jsonEquals(value: unknown, expected: string | number | boolean | null): boolean {
  if (value === expected) return true;
  if (value === null || expected === null) return false;
  if (typeof value === 'object') return false;
  return String(value) === String(expected);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

function fail(message: string): Verdict {
  return { ok: false, message };
}
