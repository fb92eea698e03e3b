import { z } from 'zod';
import { zDuration } from '../../lib/schema.js';
import { DEFAULT_ACCEPT, parseAcceptSet } from '../../probe/accept.js';
import { DNS_RECORD_TYPES, parseDnsServer } from '../../probe/dns.js';
import { parseTarget } from '../../probe/target.js';
import { looksLikePemCertificate } from '../../probe/tls.js';
import type { ProbeInfo } from '../checks/model.js';
import { describeTarget, type ProbeSpec, type ProbeTarget } from './spec.js';

/**
 * The probe keys of a `probes:` item (spec: Active probes). The common check keys (name, slug,
 * tags, channels, maintenance, …) are added by ../config.ts. A probe names exactly one of `http`,
 * `tcp`, `dns` or `tls`; keys that belong to another kind are refused rather than ignored.
 */

export const PROBE_DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 10_000,
  failureThreshold: 3,
  successThreshold: 1,
  tlsCertExpiryMs: 14 * 86_400_000,
} as const;

const MIN_INTERVAL_MS = 1000;

const zScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const probeFields = {
  http: z.string().optional(),
  tcp: z.string().optional(),
  dns: z
    .object({
      name: z.string().min(1),
      type: z
        .enum(DNS_RECORD_TYPES, { message: `expected one of ${DNS_RECORD_TYPES.join(', ')}` })
        .default('A'),
      server: z
        .string()
        .refine(
          (s) => parseDnsServer(s) !== undefined,
          'expected HOST, HOST:PORT or [IPv6]:PORT (port 53 by default)',
        )
        .optional(),
      expect: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    })
    .strict()
    .optional(),
  tls: z.string().optional(),
  accept: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).optional(),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET or HEAD')
    .transform((m) => m.toUpperCase())
    .optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
  insecure: z.boolean().optional(),
  /** PEM text; the config loader reads `caFile` into it. */
  ca: z
    .string()
    .refine(looksLikePemCertificate, 'expected a PEM file with at least one certificate')
    .optional(),
  interval: zDuration.optional(),
  timeout: zDuration.optional(),
  failureThreshold: z.number().int().min(1).max(1000).default(PROBE_DEFAULTS.failureThreshold),
  successThreshold: z.number().int().min(1).max(1000).default(PROBE_DEFAULTS.successThreshold),
  maxLatency: zDuration.optional(),
  bodyContains: z.string().min(1).optional(),
  json: z
    .object({
      path: z
        .string()
        .refine((p) => parseJsonPath(p) !== undefined, 'expected a path such as $.status or $.items[0].name'),
      equals: zScalar.optional(),
    })
    .strict()
    .optional(),
  certExpiry: zDuration.optional(),
};

const probeObject = z.object(probeFields);
export type ProbeFields = z.output<typeof probeObject>;

const KINDS = ['http', 'tcp', 'dns', 'tls'] as const;
const HTTP_ONLY = ['accept', 'method', 'headers', 'maxLatency', 'bodyContains', 'json'] as const;
const TLS_KEYS = ['insecure', 'ca'] as const;

type Issue = (path: Array<string | number>, message: string) => void;

/** Cross-key rules of one probe item; `issue` paths are relative to the item. */
export function probeProblems(p: ProbeFields, issue: Issue): void {
  const given = KINDS.filter((k) => p[k] !== undefined);
  if (given.length === 0) {
    issue([], 'a probe needs one of http, tcp, dns or tls');
    return;
  }
  if (given.length > 1) {
    issue(
      [given[1] as string],
      `a probe has exactly one of http, tcp, dns or tls (this one has ${given.join(' and ')})`,
    );
    return;
  }
  const kind = given[0] as (typeof KINDS)[number];
  if (kind !== 'http')
    for (const key of HTTP_ONLY) if (p[key] !== undefined) issue([key], `${key} applies to http probes only`);
  if (kind === 'tcp' || kind === 'dns')
    for (const key of TLS_KEYS)
      if (p[key] !== undefined) issue([key], `${key} applies to http and tls probes only`);
  if ((kind === 'tcp' || kind === 'dns') && p.certExpiry !== undefined)
    issue(['certExpiry'], 'certExpiry applies to https and tls probes only');
  if (p.insecure && p.ca !== undefined) issue(['ca'], 'set either insecure or caFile, not both');

  if (kind === 'http') {
    const t = parseTarget(p.http as string);
    if (!t.ok || t.target.kind !== 'http')
      issue(['http'], t.ok ? 'expected an http:// or https:// URL' : t.reason);
    else if (p.certExpiry !== undefined && !t.target.url.startsWith('https:'))
      issue(['certExpiry'], 'certExpiry needs an https:// URL');
    if (p.accept !== undefined) {
      const a = parseAcceptSet(acceptText(p.accept));
      if (!a.ok) issue(['accept'], a.reason);
    }
  }
  if (kind === 'tcp' && parseHostPort(p.tcp as string, undefined) === undefined)
    issue(['tcp'], `invalid tcp target "${p.tcp}": expected HOST:PORT, e.g. 192.168.1.10:6443`);
  if (kind === 'tls' && parseHostPort(p.tls as string, 443) === undefined)
    issue(['tls'], `invalid tls target "${p.tls}": expected HOST or HOST:PORT (port 443 by default)`);

  const interval = p.interval ?? PROBE_DEFAULTS.intervalMs;
  if (interval < MIN_INTERVAL_MS) issue(['interval'], 'must be at least 1s');
  if (p.timeout !== undefined) {
    if (p.timeout <= 0) issue(['timeout'], 'must be more than 0');
    else if (p.timeout > interval) issue(['timeout'], 'must not be longer than the interval');
  }
  if (p.maxLatency !== undefined && p.maxLatency <= 0) issue(['maxLatency'], 'must be more than 0');
}

function acceptText(v: string | number | Array<string | number>): string {
  return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

/** `host:port`, `[v6]:port`, `tcp://host:port`; `defaultPort` makes the port optional. */
export function parseHostPort(
  text: string,
  defaultPort: number | undefined,
): { host: string; port: number } | undefined {
  const s = text.trim().replace(/^(tcp|tls):\/\//, '');
  const m = /^(?:\[([^\]]+)\]|([^:[\]/\s]+))(?::(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (!host || port === undefined || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The runtime spec of a valid probe item (after `probeProblems` found nothing). */
export function probeSpec(name: string, p: ProbeFields): ProbeSpec {
  const intervalMs = p.interval ?? PROBE_DEFAULTS.intervalMs;
  const timeoutMs = p.timeout ?? Math.min(PROBE_DEFAULTS.timeoutMs, intervalMs);
  const trust = p.insecure ? { insecure: true } : p.ca !== undefined ? { ca: p.ca } : {};
  let target: ProbeTarget;
  if (p.http !== undefined) {
    const accept = parseAcceptSet(p.accept === undefined ? DEFAULT_ACCEPT : acceptText(p.accept));
    if (!accept.ok) throw new Error(accept.reason);
    target = {
      type: 'http',
      url: p.http,
      method: p.method ?? 'GET',
      headers: p.headers ?? {},
      accept: accept.set,
      trust,
      ...(p.maxLatency !== undefined ? { maxLatencyMs: p.maxLatency } : {}),
      ...(p.bodyContains !== undefined ? { bodyContains: p.bodyContains } : {}),
      ...(p.json ? { json: p.json } : {}),
      ...(p.certExpiry !== undefined ? { certExpiryMs: p.certExpiry } : {}),
    };
  } else if (p.tcp !== undefined) {
    target = { type: 'tcp', ...(parseHostPort(p.tcp, undefined) as { host: string; port: number }) };
  } else if (p.dns !== undefined) {
    const server = p.dns.server !== undefined ? parseDnsServer(p.dns.server) : undefined;
    target = {
      type: 'dns',
      name: p.dns.name,
      recordType: p.dns.type,
      ...(server ? { server } : {}),
      ...(p.dns.expect ? { expect: p.dns.expect } : {}),
    };
  } else {
    target = {
      type: 'tls',
      ...(parseHostPort(p.tls as string, 443) as { host: string; port: number }),
      trust,
      certExpiryMs: p.certExpiry ?? PROBE_DEFAULTS.tlsCertExpiryMs,
    };
  }
  return { name, intervalMs, timeoutMs, target };
}

/** What the stored check knows of the probe (no headers, no CA). */
export function probeInfo(spec: ProbeSpec, p: ProbeFields): ProbeInfo {
  return {
    type: spec.target.type,
    target: describeTarget(spec.target),
    timeoutMs: spec.timeoutMs,
    failureThreshold: p.failureThreshold,
    successThreshold: p.successThreshold,
  };
}

export type JsonPathStep = string | number;

/**
 * A small JSONPath subset: `$`, `.key`, `[index]`, `['key']` / `["key"]`. Returns the steps, or
 * undefined when the text is not such a path.
 */
export function parseJsonPath(text: string): JsonPathStep[] | undefined {
  const s = text.trim();
  if (!s.startsWith('$')) return undefined;
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < s.length) {
    const rest = s.slice(i);
    let m = /^\.([A-Za-z_$][\w$-]*)/.exec(rest);
    if (m) {
      steps.push(m[1] as string);
      i += m[0].length;
      continue;
    }
    m = /^\[(\d+)\]/.exec(rest);
    if (m) {
      steps.push(Number(m[1]));
      i += m[0].length;
      continue;
    }
    m = /^\[(?:'([^']*)'|"([^"]*)")\]/.exec(rest);
    if (m) {
      steps.push((m[1] ?? m[2]) as string);
      i += m[0].length;
      continue;
    }
    return undefined;
  }
  return steps;
}

/** The value at `steps` in `doc`, or undefined when the path leads nowhere. */
export function valueAt(doc: unknown, steps: JsonPathStep[]): unknown {
  let v: unknown = doc;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
      if (!Object.hasOwn(v, step)) return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}
