import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { isIP } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { formatSeconds } from '../lib/net.js';
import { boundedAttempt } from './bounded.js';

/**
 * One DNS question over UDP to a chosen server (so the server a probe names is the one asked,
 * not the system resolver). Answers are rendered as the strings operators write in `expect`:
 * `93.184.216.34`, `mail.example.net`, `10 mx.example.net`, `v=spf1 -all`.
 */

export const DNS_RECORD_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'MX',
  'NS',
  'PTR',
  'SRV',
  'TXT',
  'CAA',
  'SOA',
] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export interface DnsServer {
  host: string;
  port: number;
}

export type DnsOutcome =
  | {
      kind: 'answer';
      /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, … */
      rcode: string;
      /** Answers of the asked type, rendered as strings. */
      answers: string[];
      truncated: boolean;
      latencyMs: number;
    }
  | { kind: 'error'; reason: string; latencyMs: number };

/** `1.1.1.1`, `1.1.1.1:5353`, `[2606:4700::1111]:53`, `dns.lan:53`; port 53 by default. */
export function parseDnsServer(text: string): DnsServer | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (isIP(s) === 6) return { host: s, port: 53 };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = m[3] === undefined ? 53 : Number(m[3]);
  if (host === '' || port < 1 || port > 65535) return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

/** The system's first resolver (from /etc/resolv.conf), for probes that name no server. */
export function systemDnsServer(): DnsServer | undefined {
  const first = getServers()[0];
  if (!first) return undefined;
  return parseDnsServer(first);
}

export function dnsQuery(
  server: DnsServer,
  name: string,
  type: DnsRecordType,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<DnsOutcome> {
  const started = performance.now();
  const id = randomInt(0, 65536);
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
  });
  const fail = (reason: string): DnsOutcome => ({
    kind: 'error',
    reason,
    latencyMs: performance.now() - started,
  });
  return boundedAttempt(
    options,
    {
      timedOut: () => fail(`timed out after ${formatSeconds(options.timeoutMs)}`),
      aborted: () => fail('aborted'),
    },
    (settle) => {
      const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') settle(fail('connection refused (nothing listens on the DNS port)'));
        else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
          settle(fail(`cannot resolve the server ${server.host}`));
        else settle(fail(err.message || err.code || 'failed'));
      });
      socket.on('message', (msg) => {
        let packet: dnsPacket.DecodedPacket & { rcode?: string };
        try {
          packet = dnsPacket.decode(msg) as typeof packet;
        } catch {
          return; // not a DNS answer; keep waiting for ours
        }
        if (packet.id !== id || packet.type !== 'response') return;
        const asked = name.replace(/\.$/, '').toLowerCase();
        const q = packet.questions?.[0];
        if (q && q.name.replace(/\.$/, '').toLowerCase() !== asked) return;
        const answers = (packet.answers ?? []).filter((a) => a.type === type).map(renderAnswer);
        settle({
          kind: 'answer',
          rcode: packet.rcode ?? 'NOERROR',
          answers,
          truncated: packet.flag_tc,
          latencyMs: performance.now() - started,
        });
      });
      socket.send(query, server.port, server.host, (err) => {
        if (err) settle(fail(err.message));
      });
      return () => {
        try {
          socket.close();
        } catch {
          // already closed after an error
        }
      };
    },
  );
}

function renderAnswer(a: dnsPacket.Answer): string {
  const data = (a as { data?: unknown }).data;
  switch (a.type) {
    case 'MX': {
      const d = data as dnsPacket.MxAnswer['data'];
      return `${d.preference ?? 0} ${d.exchange}`;
    }
    case 'SRV': {
      const d = data as dnsPacket.SrvAnswer['data'];
      return `${d.priority ?? 0} ${d.weight ?? 0} ${d.port} ${d.target}`;
    }
    case 'TXT': {
      const d = data as dnsPacket.TxtAnswer['data'];
      const parts = Array.isArray(d) ? d : [d];
      return parts.map((p) => (Buffer.isBuffer(p) ? p.toString('utf8') : String(p))).join('');
    }
    case 'CAA': {
      const d = data as dnsPacket.CaaAnswer['data'];
      return `${d.flags ?? 0} ${d.tag} "${d.value}"`;
    }
    case 'SOA': {
      const d = data as dnsPacket.SoaAnswer['data'];
      return `${d.mname} ${d.rname} ${d.serial ?? 0}`;
    }
    default:
      return typeof data === 'string'
        ? data
        : Buffer.isBuffer(data)
          ? data.toString('hex')
          : JSON.stringify(data);
  }
}

/** Compares answers the way `expect` means them: the same set, ignoring order, case and a final dot. */
export function sameAnswers(got: string[], expected: string[]): boolean {
  const norm = (s: string) => s.trim().replace(/\.$/, '').toLowerCase();
  const a = new Set(got.map(norm));
  const b = new Set(expected.map(norm));
  if (a.size !== b.size) return false;
  for (const v of a) if (!b.has(v)) return false;
  return true;
}
