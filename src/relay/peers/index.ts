import { randomBytes } from 'node:crypto';

export { type PeersConfig, peersSchema } from './config.js';
export { discoverPeers, type ResolveA } from './discovery.js';
export { MAX_OPS, MAX_UPDATE_BYTES, PEER_HEADER } from './protocol.js';
export { createPeerMetrics, type PeerMetrics, PeerReplicator } from './replicator.js';
export { peerRoutes } from './routes.js';
export { type GroupMessages, groupKeyOf, RelayState, type StateOp } from './state.js';

/** A random id for this process, so a replica knows itself in its own peer list. */
export function newInstanceId(): string {
  return randomBytes(12).toString('hex');
}
