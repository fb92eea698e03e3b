import { createHash } from 'node:crypto';
import { TtlCache } from '../../lib/ttl-cache.js';

/**
 * What a relay replica remembers between notifications, and what its peers replicate:
 * - per alert group, the ids of the messages it posted (and the forum thread they live in), so a
 *   later notification edits them in place (24 h);
 * - the chunks it delivered, so a retried flush posts nothing twice (10 min).
 * Keys are hashes (fixed length, nothing of the labels in them), which keeps what peers exchange
 * small and simple to bound. Every local change is handed to `onChange` (the replicator); changes
 * that come from a peer are applied without being handed on, so nothing loops.
 */

export const EDIT_TTL_MS = 24 * 3600_000;
export const DEDUPE_TTL_MS = 10 * 60_000;
export const MAX_GROUPS = 50_000;
export const MAX_CHUNKS = 200_000;

export interface GroupMessages {
  /** One id per message of the group, by chunk index; null for a chunk not posted by this group state. */
  ids: Array<string | null>;
  /** The forum thread the group's post created (threadName routes). */
  threadId?: string;
}

/** One change, as peers exchange it (short field names: thousands of these go by per second). */
export type StateOp =
  | { t: 'm'; k: string; ids: Array<string | null>; th?: string; ttl: number }
  | { t: 'f'; k: string }
  | { t: 'c'; k: string; ttl: number };

export interface StateSnapshot {
  messages: Array<[key: string, ids: Array<string | null>, threadId: string | null, ttlMs: number]>;
  chunks: Array<[key: string, ttlMs: number]>;
}

/** The message-map key of a route's alert group. */
export function groupKeyOf(routeName: string, groupKey: string): string {
  return createHash('sha256').update(`${routeName}\u0000${groupKey}`).digest('base64url');
}

export class RelayState {
  private readonly messages: TtlCache<string, GroupMessages>;
  private readonly chunks: TtlCache<string, true>;
  /** Receives every local change (set by the replicator when peers are configured). */
  onChange: ((op: StateOp) => void) | undefined;

  constructor(now: () => number) {
    this.messages = new TtlCache(EDIT_TTL_MS, MAX_GROUPS, now);
    this.chunks = new TtlCache(DEDUPE_TTL_MS, MAX_CHUNKS, now);
  }

  getMessages(key: string): GroupMessages | undefined {
    return this.messages.get(key);
  }

  setMessages(key: string, value: GroupMessages): void {
    this.messages.set(key, value);
    this.onChange?.({
      t: 'm',
      k: key,
      ids: value.ids,
      ...(value.threadId ? { th: value.threadId } : {}),
      ttl: EDIT_TTL_MS,
    });
  }

  forgetMessages(key: string): void {
    this.messages.delete(key);
    this.onChange?.({ t: 'f', k: key });
  }

  hasChunk(key: string): boolean {
    return this.chunks.has(key);
  }

  markChunk(key: string): void {
    this.chunks.set(key, true);
    this.onChange?.({ t: 'c', k: key, ttl: DEDUPE_TTL_MS });
  }

  /** Applies changes from a peer (already validated), without handing them on. */
  apply(ops: readonly StateOp[]): void {
    for (const op of ops) {
      if (op.t === 'c') this.chunks.set(op.k, true, op.ttl);
      else if (op.t === 'f') this.messages.delete(op.k);
      else this.messages.set(op.k, { ids: op.ids, ...(op.th ? { threadId: op.th } : {}) }, op.ttl);
    }
  }

  /** Everything live, for a starting peer. */
  snapshot(): StateSnapshot {
    const messages: StateSnapshot['messages'] = [];
    for (const [k, v, ttl] of this.messages.entries()) messages.push([k, v.ids, v.threadId ?? null, ttl]);
    const chunks: StateSnapshot['chunks'] = [];
    for (const [k, , ttl] of this.chunks.entries()) chunks.push([k, ttl]);
    return { messages, chunks };
  }

  /** Takes in a peer's snapshot: entries this replica already has keep their own value. */
  load(snapshot: StateSnapshot): number {
    let n = 0;
    for (const [k, ids, th, ttl] of snapshot.messages) {
      if (this.messages.has(k)) continue;
      this.messages.set(k, { ids, ...(th ? { threadId: th } : {}) }, ttl);
      n++;
    }
    for (const [k, ttl] of snapshot.chunks) {
      if (this.chunks.has(k)) continue;
      this.chunks.set(k, true, ttl);
      n++;
    }
    return n;
  }

  get sizes(): { groups: number; chunks: number } {
    return { groups: this.messages.size, chunks: this.chunks.size };
  }
}
