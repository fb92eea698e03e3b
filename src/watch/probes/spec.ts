import { redactSecrets } from '../../lib/redact.js';
import type { AcceptSet } from '../../probe/accept.js';
import type { DnsRecordType, DnsServer } from '../../probe/dns.js';
import type { TlsTrust } from '../../probe/tls.js';

/**
 * A probe as the prober runs it: resolved from the config (defaults applied, targets parsed).
 * Kept in memory only; the store holds the check and its `ProbeInfo`, never headers or CAs.
 */
export interface ProbeSpec {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  target: ProbeTarget;
}

export interface JsonCondition {
  /** `$.status`, `$.items[0].name`, `$["odd key"]`. */
  path: string;
  /** Omitted: the path must exist (and not be null). */
  equals?: string | number | boolean | null;
}

export type ProbeTarget =
  | {
      type: 'http';
      url: string;
      method: string;
      headers: Record<string, string>;
      accept: AcceptSet;
      trust: TlsTrust;
      maxLatencyMs?: number;
      bodyContains?: string;
      json?: JsonCondition;
      /** https only: fail when the certificate expires within this. */
      certExpiryMs?: number;
    }
  | { type: 'tcp'; host: string; port: number }
  | {
      type: 'dns';
      name: string;
      recordType: DnsRecordType;
      /** undefined: the system's first resolver, read at each probe. */
      server?: DnsServer;
      expect?: string[];
    }
  | { type: 'tls'; host: string; port: number; trust: TlsTrust; certExpiryMs: number };

/** `host:port` for messages, with IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** What is probed, for people (and `ProbeInfo.target`). */
export function describeTarget(t: ProbeTarget): string {
  switch (t.type) {
    case 'http':
      return redactSecrets(t.url);
    case 'tcp':
    case 'tls':
      return hostPort(t.host, t.port);
    case 'dns':
      return `${t.name} ${t.recordType}${t.server ? ` via ${hostPort(t.server.host, t.server.port)}` : ''}`;
  }
}
