import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { fetchCertificate } from '../../probe/certificate.js';
import { dnsQuery, systemDnsServer } from '../../probe/dns.js';
import { HttpAttempter } from '../../probe/http.js';
import { tcpAttempt } from '../../probe/tcp.js';
import type { TlsTrust } from '../../probe/tls.js';
import type { ProbeResult } from '../checks/model.js';
import { evaluateCertificate, evaluateDns, evaluateHttp, evaluateTcp, type Verdict } from './evaluate.js';
import { hostPort, type ProbeSpec } from './spec.js';

/**
 * One probe run: the attempt (shared with `alertpath wait` through src/probe), then the verdict.
 * Never throws: anything unexpected is a failed result with its reason.
 */

/** Bytes of body read when a body or JSON condition needs it. */
const BODY_LIMIT = 1024 * 1024;

/** One HTTP connection pool per trust setting, shared by every probe with that setting. */
export class AttempterPool {
  private readonly pools = new Map<string, HttpAttempter>();

  get(trust: TlsTrust): HttpAttempter {
    const key = trust.insecure
      ? 'insecure'
      : trust.ca
        ? `ca:${createHash('sha256').update(trust.ca).digest('hex')}`
        : trust.caFile
          ? `file:${trust.caFile}`
          : 'system';
    let a = this.pools.get(key);
    if (!a) {
      a = new HttpAttempter(trust);
      this.pools.set(key, a);
    }
    return a;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(all.map((a) => a.close()));
  }
}

export interface RunDeps {
  clock: Clock;
  attempters: AttempterPool;
}

export async function runProbe(spec: ProbeSpec, deps: RunDeps, signal?: AbortSignal): Promise<ProbeResult> {
  const at = deps.clock.now();
  const started = performance.now();
  let verdict: Verdict;
  let latencyMs: number;
  try {
    ({ verdict, latencyMs } = await attempt(spec, deps, signal));
  } catch (err) {
    verdict = { ok: false, message: `probe failed: ${(err as Error).message || String(err)}` };
    latencyMs = performance.now() - started;
  }
  return { at, ok: verdict.ok, latencyMs, message: verdict.message };
}

async function attempt(
  spec: ProbeSpec,
  deps: RunDeps,
  signal: AbortSignal | undefined,
): Promise<{ verdict: Verdict; latencyMs: number }> {
  const t = spec.target;
  const timeoutMs = spec.timeoutMs;
  const opts = { timeoutMs, ...(signal ? { signal } : {}) };
  switch (t.type) {
    case 'http': {
      const needsBody = t.bodyContains !== undefined || t.json !== undefined;
      const url = new URL(t.url);
      const certificate =
        t.certExpiryMs !== undefined && url.protocol === 'https:'
          ? fetchCertificate(url.hostname.replace(/^\[(.*)\]$/, '$1'), Number(url.port || 443), t.trust, opts)
          : undefined;
      const outcome = await deps.attempters.get(t.trust).attempt(t.url, {
        method: t.method,
        headers: t.headers,
        maxBodyBytes: needsBody ? BODY_LIMIT : 0,
        ...opts,
      });
      const cert = certificate ? await certificate : undefined;
      return { verdict: evaluateHttp(t, outcome, cert, deps.clock.now()), latencyMs: outcome.latencyMs };
    }
    case 'tcp': {
      const outcome = await tcpAttempt(t.host, t.port, opts);
      return { verdict: evaluateTcp(hostPort(t.host, t.port), outcome), latencyMs: outcome.latencyMs };
    }
    case 'dns': {
      const server = t.server ?? systemDnsServer();
      if (!server) return { verdict: { ok: false, message: 'no DNS server: set dns.server' }, latencyMs: 0 };
      const outcome = await dnsQuery(server, t.name, t.recordType, opts);
      return {
        verdict: evaluateDns(t, hostPort(server.host, server.port), outcome),
        latencyMs: outcome.latencyMs,
      };
    }
    case 'tls': {
      const cert = await fetchCertificate(t.host, t.port, t.trust, opts);
      const verdict = evaluateCertificate(
        t.host,
        cert,
        { certExpiryMs: t.certExpiryMs, insecure: !!t.trust.insecure },
        deps.clock.now(),
      );
      return { verdict, latencyMs: cert.latencyMs };
    }
  }
}
