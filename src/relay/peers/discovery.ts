import { Resolver } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import type { PeersConfig } from './config.js';

/**
 * Where the peers are: the static `urls`, or one `http://<A record>:<port>` per address of the
 * `dns` name (a headless Service has one per ready pod). Addresses of this host on this
 * replica's own port are left out; anything else that turns out to be this replica is found by
 * the instance header of its answer (see protocol.ts).
 */
export type ResolveA = (name: string) => Promise<string[]>;

export function systemResolveA(timeoutMs: number): ResolveA {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  return (name) => resolver.resolve4(name);
}

export interface Discovered {
  urls: string[];
  /** Why the DNS name gave nothing (only with `dns`). */
  error?: string;
}

export async function discoverPeers(
  config: PeersConfig,
  ownPort: number,
  resolveA: ResolveA,
  local: ReadonlySet<string> = localAddresses(),
): Promise<Discovered> {
  if (config.urls) {
    const urls = config.urls.map((u) => u.replace(/\/+$/, '')).filter((u) => !isOwn(u, ownPort, local));
    return { urls: [...new Set(urls)] };
  }
  const port = config.port ?? ownPort;
  try {
    const addresses = await resolveA(config.dns ?? '');
    const urls = [...new Set(addresses)]
      .sort()
      .filter((a) => !(port === ownPort && local.has(a)))
      .map((a) => `http://${a}:${port}`);
    return { urls };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return {
      urls: [],
      error: code === 'ENOTFOUND' || code === 'ENODATA' ? 'no such name' : (code ?? String(err)),
    };
  }
}

function isOwn(url: string, ownPort: number, local: ReadonlySet<string>): boolean {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return port === ownPort && local.has(u.hostname.replace(/^\[|\]$/g, ''));
}

export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}
