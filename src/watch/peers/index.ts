import type { Store } from '../store/types.js';
import { armedPeerState, type PeerConfig, peerCheckDef, peerCheckName, peerTimeoutMs } from './config.js';
import type { PeerTarget } from './pinger.js';

export { PEER_NAME, PEER_TAG, peerCheckName, zInstanceName, zPeer } from './config.js';
export { PeerPinger, type PeerTarget } from './pinger.js';

/** The managed checks the config's peers need (synced with the config's checks and probes). */
export function peerCheckDefs(peers: readonly PeerConfig[]) {
  return peers.map((p) => ({ def: peerCheckDef(p) }));
}

export function peerTargets(peers: readonly PeerConfig[]): PeerTarget[] {
  return peers.map((p) => ({
    name: p.name,
    url: p.url,
    apiKey: p.apiKey,
    periodMs: p.period,
    timeoutMs: peerTimeoutMs(p),
  }));
}

/**
 * After a config sync: gives each peer check a deadline if it has none or if it ran out while
 * this instance was not watching (see `armedPeerState`). Runs before the engine reads deadlines.
 */
export async function armPeerChecks(store: Store, peers: readonly PeerConfig[], now: number): Promise<void> {
  if (peers.length === 0) return;
  const wanted = new Set(peers.map((p) => peerCheckName(p.name)));
  for (const record of await store.listChecks()) {
    if (!record.managed || !wanted.has(record.def.name)) continue;
    await store.transition(record.uuid, (r) => {
      const state = armedPeerState(r.state, r.def, now);
      return state ? { state, result: null } : { result: null };
    });
  }
}
