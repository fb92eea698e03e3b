import { Counter, Gauge, type Registry } from 'prom-client';
import { request } from 'undici';
import { backoffDelay } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { describeNetworkError, userAgent } from '../../lib/net.js';
import type { PeersConfig } from './config.js';
import { discoverPeers, type ResolveA, systemResolveA } from './discovery.js';
import { firstIssue, MAX_SYNC_BYTES, MAX_UPDATE_BYTES, PEER_HEADER, zSnapshot } from './protocol.js';
import type { RelayState, StateOp } from './state.js';

/**
 * Sends this replica's changes (message map, delivered chunks) to every peer, asynchronously:
 * each change is queued per peer and goes out in batches (those of ~10 ms), one request in flight
 * per peer, so
 * delivery never waits for a peer and a burst of notifications costs a few requests. A peer that
 * does not answer keeps its queue (bounded: past MAX_QUEUE the oldest half is dropped) and is
 * retried with backoff; nothing else changes. At start the replica asks its peers for their whole
 * state (`/peer/sync`, at once) before it calls itself ready; that too is bounded by the peer timeout.
 */

const MAX_QUEUE = 100_000;
/** How many peers a starting replica asks for their state. */
const SYNC_PEERS = 4;
/** How long changes gather before they are sent. */
const BATCH_MS = 10;
/** Changes in one request this replica sends (the receiving side takes up to MAX_OPS). */
const SEND_OPS = 1000;

export interface PeerMetrics {
  requests: Counter<'kind' | 'outcome'>;
  received: Counter<'kind' | 'code'>;
  dropped: Counter;
  peers: Gauge;
  lookups: Counter<'outcome'>;
}

export function createPeerMetrics(registry: Registry): PeerMetrics {
  return {
    requests: new Counter({
      name: 'alertpath_relay_peer_requests_total',
      help: 'Requests this replica sent to its peers, by kind (updates, sync) and outcome (ok, refused, failed).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    received: new Counter({
      name: 'alertpath_relay_peer_received_total',
      help: 'Peer requests this replica answered, by kind and HTTP status.',
      labelNames: ['kind', 'code'],
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'alertpath_relay_peer_dropped_changes_total',
      help: 'Changes never sent to a peer because its queue overflowed while it did not answer.',
      registers: [registry],
    }),
    lookups: new Counter({
      name: 'alertpath_relay_peer_dns_lookups_total',
      help: 'Lookups of peers.dns, by outcome (ok, failed).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    peers: new Gauge({
      name: 'alertpath_relay_peers',
      help: 'Peers this replica currently replicates to.',
      registers: [registry],
    }),
  };
}

export interface ReplicatorDeps {
  state: RelayState;
  logger: Logger;
  clock: Clock;
  metrics: PeerMetrics;
  /** This process's instance id (24 hex digits). */
  instance: string;
  resolveA?: ResolveA;
  localAddresses?: ReadonlySet<string>;
}

interface Peer {
  url: string;
  /** Added because it asked us for a sync (DNS mode), not yet listed by the DNS name. */
  announcedAt?: number;
  queue: StateOp[];
  sending: boolean;
  failures: number;
  /** Last known state, to log changes only. */
  up: boolean | undefined;
  retryAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class PeerReplicator {
  private readonly peers = new Map<string, Peer>();
  /** URLs that answered with this replica's own instance id. */
  private readonly selves = new Set<string>();
  private readonly abort = new AbortController();
  private readonly resolveA: ResolveA;
  private ownPort = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private dnsError: string | undefined;
  private synced = false;

  constructor(
    private readonly config: PeersConfig,
    private readonly deps: ReplicatorDeps,
  ) {
    this.resolveA = deps.resolveA ?? systemResolveA(config.timeout);
  }

  /** True once the start-up sync has run (whatever its outcome). */
  get ready(): boolean {
    return this.synced;
  }

  get peerUrls(): string[] {
    return [...this.peers.keys()];
  }

  /** Finds the peers, syncs from one, then replicates every local change. Never throws. */
  async start(ownPort: number): Promise<void> {
    this.ownPort = ownPort;
    this.deps.state.onChange = (op) => this.enqueue(op);
    try {
      await this.refresh();
      await this.syncFromPeers();
    } catch (err) {
      this.deps.logger.warn({ err }, 'peers: start-up sync failed; delivering as without it');
    }
    this.synced = true;
    if (this.config.dns !== undefined) this.scheduleRefresh();
  }

  /** Sends what is queued (for at most `withinMs`), then stops. */
  async stop(withinMs = 1000): Promise<void> {
    clearTimeout(this.refreshTimer);
    const until = Date.now() + withinMs;
    while (
      Date.now() < until &&
      [...this.peers.values()].some((p) => p.sending || (p.queue.length > 0 && p.failures === 0))
    )
      await new Promise((r) => setTimeout(r, 10));
    this.abort.abort();
    for (const p of this.peers.values()) clearTimeout(p.timer);
    this.deps.state.onChange = undefined;
  }

  /**
   * A replica asked us for a sync from `url`. With `dns`, it is replicated to from now on, before
   * the name lists it (a refresh keeps it for two periods while the name does not); a static
   * list is what the operator wrote and stays as it is.
   */
  announced(url: string): void {
    if (this.config.dns === undefined || this.peers.has(url) || this.selves.has(url)) return;
    this.peers.set(url, this.newPeer(url, this.deps.clock.now()));
    this.deps.metrics.peers.set(this.peers.size);
    this.deps.logger.info({ peer: url }, 'peers: a starting replica asked for our map; replicating to it');
  }

  private newPeer(url: string, announcedAt?: number): Peer {
    return {
      url,
      queue: [],
      sending: false,
      failures: 0,
      up: undefined,
      retryAt: 0,
      timer: undefined,
      ...(announcedAt === undefined ? {} : { announcedAt }),
    };
  }

  private enqueue(op: StateOp): void {
    for (const peer of this.peers.values()) {
      if (peer.queue.length >= MAX_QUEUE) {
        const half = Math.floor(MAX_QUEUE / 2);
        peer.queue.splice(0, half);
        this.deps.metrics.dropped.inc(half);
      }
      peer.queue.push(op);
      this.kick(peer);
    }
  }

  private kick(peer: Peer): void {
    if (peer.sending || peer.queue.length === 0 || this.abort.signal.aborted) return;
    const wait = peer.retryAt - this.deps.clock.now();
    if (wait > 0) {
      if (!peer.timer) {
        peer.timer = setTimeout(() => {
          peer.timer = undefined;
          this.kick(peer);
        }, wait);
        peer.timer.unref();
      }
      return;
    }
    peer.sending = true;
    // Changes of the next few milliseconds go out in one request: at thousands of notifications a
    // second that is a hundred requests, not thousands, and a peer learns a change within ~10 ms.
    setTimeout(() => void this.send(peer), BATCH_MS).unref();
  }

  private async send(peer: Peer): Promise<void> {
    const batch = peer.queue.splice(0, batchLength(peer.queue));
    let ok = false;
    let problem = '';
    let retry = true;
    try {
      const res = await request(`${peer.url}/peer/updates`, {
        method: 'POST',
        body: JSON.stringify({ from: this.deps.instance, ops: batch }),
        headers: this.headers(),
        headersTimeout: this.config.timeout,
        bodyTimeout: this.config.timeout,
        signal: this.abort.signal,
      });
      await res.body.dump();
      if (this.isSelf(peer.url, res.headers[PEER_HEADER])) return;
      ok = res.statusCode === 200;
      if (!ok) {
        problem = `HTTP ${res.statusCode}`;
        // A refusal (wrong token, a body it does not take) would be refused again: drop the batch.
        retry = res.statusCode >= 500 || res.statusCode === 429;
        if (res.statusCode === 401)
          problem = 'HTTP 401: the peer refuses our token (peers.tokenFile differs?)';
      }
    } catch (err) {
      if (this.abort.signal.aborted) return;
      problem = describeNetworkError(err, this.config.timeout, false);
    } finally {
      peer.sending = false;
    }
    this.deps.metrics.requests.inc({ kind: 'updates', outcome: ok ? 'ok' : retry ? 'failed' : 'refused' });
    if (ok) {
      peer.failures = 0;
      peer.retryAt = 0;
    } else {
      if (retry && peer.queue.length + batch.length <= MAX_QUEUE) peer.queue.unshift(...batch);
      else this.deps.metrics.dropped.inc(batch.length);
      peer.retryAt = this.deps.clock.now() + backoffDelay(peer.failures++, Math.random, 250, 5000);
    }
    this.noteState(peer, ok, problem);
    this.kick(peer);
  }

  private noteState(peer: Peer, ok: boolean, problem: string): void {
    if (peer.up === ok) return;
    peer.up = ok;
    if (ok) this.deps.logger.info({ peer: peer.url }, 'peers: replicating to peer');
    else
      this.deps.logger.warn(
        { peer: peer.url, error: problem },
        'peers: peer does not take our changes; delivery goes on, a duplicate message is possible until it does',
      );
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.config.token ?? ''}`,
      'content-type': 'application/json',
      'user-agent': userAgent('relay peer'),
    };
  }

  private isSelf(url: string, header: string | string[] | undefined): boolean {
    if (header !== this.deps.instance) return false;
    this.selves.add(url);
    const peer = this.peers.get(url);
    if (peer) clearTimeout(peer.timer);
    this.peers.delete(url);
    this.deps.metrics.peers.set(this.peers.size);
    return true;
  }

  /** Resolves the peers again; new ones start with an empty queue (they sync themselves). */
  private async refresh(): Promise<void> {
    const found = await discoverPeers(this.config, this.ownPort, this.resolveA, this.deps.localAddresses);
    if (this.config.dns !== undefined)
      this.deps.metrics.lookups.inc({ outcome: found.error === undefined ? 'ok' : 'failed' });
    if (found.error !== undefined) {
      if (this.dnsError !== found.error)
        this.deps.logger.warn(
          { dns: this.config.dns, error: found.error },
          `peers: cannot resolve ${this.config.dns} (${found.error}); delivering as without peers until it resolves`,
        );
      this.dnsError = found.error;
    } else if (this.dnsError !== undefined) {
      this.deps.logger.info(
        { dns: this.config.dns, peers: found.urls.length },
        'peers: the DNS name resolves again',
      );
      this.dnsError = undefined;
    }
    const wanted = new Set(found.urls.filter((u) => !this.selves.has(u)));
    const now = this.deps.clock.now();
    for (const [url, peer] of this.peers) {
      if (wanted.has(url)) delete peer.announcedAt;
      else if (found.error === undefined) {
        if (peer.announcedAt !== undefined && now - peer.announcedAt < 2 * this.config.refresh) continue;
        clearTimeout(peer.timer);
        this.peers.delete(url);
      }
    }
    for (const url of wanted) if (!this.peers.has(url)) this.peers.set(url, this.newPeer(url));
    this.deps.metrics.peers.set(this.peers.size);
  }

  private scheduleRefresh(): void {
    this.refreshTimer = setTimeout(() => {
      this.refresh().then(
        () => this.scheduleRefresh(),
        () => this.scheduleRefresh(),
      );
    }, this.config.refresh);
    this.refreshTimer.unref();
  }

  /**
   * Takes in the state of every peer (at most SYNC_PEERS, asked at once): each one asked also
   * starts replicating to this replica (see `announced`), so none of their later changes is
   * missed while their DNS view catches up.
   */
  private async syncFromPeers(): Promise<void> {
    const urls = [...this.peers.keys()].slice(0, SYNC_PEERS);
    await Promise.all(urls.map((url) => this.syncFrom(url)));
  }

  private async syncFrom(url: string): Promise<void> {
    try {
      const res = await request(`${url}/peer/sync`, {
        method: 'POST',
        body: JSON.stringify({ from: this.deps.instance, port: this.ownPort }),
        headers: this.headers(),
        headersTimeout: this.config.timeout,
        bodyTimeout: this.config.timeout,
        signal: this.abort.signal,
      });
      if (this.isSelf(url, res.headers[PEER_HEADER]) || res.statusCode !== 200) {
        await res.body.dump();
        if (this.peers.has(url)) {
          this.deps.metrics.requests.inc({ kind: 'sync', outcome: 'refused' });
          this.deps.logger.warn({ peer: url, status: res.statusCode }, 'peers: start-up sync refused');
        }
        return;
      }
      const text = await readCapped(res.body, MAX_SYNC_BYTES);
      const parsed = zSnapshot.safeParse(JSON.parse(text));
      if (!parsed.success) {
        this.deps.metrics.requests.inc({ kind: 'sync', outcome: 'refused' });
        this.deps.logger.warn(
          { peer: url, error: firstIssue(parsed.error) },
          'peers: start-up sync answer refused',
        );
        return;
      }
      const loaded = this.deps.state.load(parsed.data);
      this.deps.metrics.requests.inc({ kind: 'sync', outcome: 'ok' });
      this.deps.logger.info({ peer: url, entries: loaded }, 'peers: synced from peer');
    } catch (err) {
      this.deps.metrics.requests.inc({ kind: 'sync', outcome: 'failed' });
      this.deps.logger.warn(
        { peer: url, error: describeNetworkError(err, this.config.timeout, false) },
        'peers: start-up sync failed',
      );
    }
  }
}

/**
 * How many queued changes go in one request: at most SEND_OPS (a tenth of what a peer takes, so
 * that building one request never holds the event loop for more than a fraction of a
 * millisecond, even when a slow peer let the queue grow), and well inside MAX_UPDATE_BYTES.
 */
export function batchLength(queue: readonly StateOp[]): number {
  let bytes = 0;
  let n = 0;
  for (const op of queue) {
    // Generous per change: keys are 43-46 characters, ids at most 20 digits.
    bytes += op.t === 'm' ? 96 + 24 * op.ids.length : 96;
    if (n >= SEND_OPS || (n > 0 && bytes > MAX_UPDATE_BYTES / 2)) break;
    n++;
  }
  return n;
}

async function readCapped(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new Error(`answer over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
