import { z } from 'zod';
import { DEDUPE_TTL_MS, EDIT_TTL_MS, MAX_CHUNKS, MAX_GROUPS } from './state.js';

/**
 * What relay replicas say to each other, and its bounds. Anything outside them is refused whole
 * (400, nothing applied):
 *
 * - `POST /peer/updates` `{"from": "<instance>", "ops": [...]}` → `{"applied": N}`: changes to
 *   the message map (`m` set, `f` forget) and delivered chunks (`c`), at most MAX_OPS per request;
 * - `POST /peer/sync` `{"from": "<instance>", "port": 9095}` → `{"from", "messages": [...],
 *   "chunks": [...]}`: everything the peer holds, for a replica that starts. With `peers.dns`, the
 *   answering replica starts replicating to the asker at once (its address and `port`), before
 *   the DNS name lists it.
 *
 * Both carry `Authorization: Bearer <peers.token>`, and every answer the header
 * `x-alertpath-peer: <instance>`, so a replica that finds itself in its peer list (a headless
 * Service lists every pod) stops talking to itself.
 */

export const PEER_HEADER = 'x-alertpath-peer';
/** Changes in one `/peer/updates` request. */
export const MAX_OPS = 10_000;
/** Bytes of one `/peer/updates` body (10 000 ops of a few messages each fit well inside). */
export const MAX_UPDATE_BYTES = 4 * 1024 * 1024;
/** Bytes of one `/peer/sync` answer (a full map: 50 000 groups and 200 000 chunks). */
export const MAX_SYNC_BYTES = 64 * 1024 * 1024;
/** Messages one group may have (a group of a 4 MiB notification renders to fewer). */
export const MAX_GROUP_MESSAGES = 1000;

const zInstance = z.string().regex(/^[0-9a-f]{24}$/, 'expected an instance id');
const zGroupKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected a group key hash');
const zChunkKey = z.string().regex(/^[A-Za-z0-9_-]{43}:\d{1,4}$/, 'expected a chunk key');
const zSnowflake = z.string().regex(/^\d{1,20}$/, 'expected a Discord id');
const zIds = z.array(zSnowflake.nullable()).min(1).max(MAX_GROUP_MESSAGES);
const zTtl = (max: number) => z.number().int().positive().max(max);

export const zOp = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('m'),
    k: zGroupKey,
    ids: zIds,
    th: zSnowflake.optional(),
    ttl: zTtl(EDIT_TTL_MS),
  }),
  z.strictObject({ t: z.literal('f'), k: zGroupKey }),
  z.strictObject({ t: z.literal('c'), k: zChunkKey, ttl: zTtl(DEDUPE_TTL_MS) }),
]);

export const zUpdates = z.strictObject({
  from: zInstance,
  ops: z.array(zOp).max(MAX_OPS, `at most ${MAX_OPS} changes per request`),
});

/** `port`: the asking replica's own port, so a peer found by DNS is replicated to at once. */
export const zSyncRequest = z.strictObject({
  from: zInstance,
  port: z.number().int().min(1).max(65535).optional(),
});

export const zSnapshot = z.strictObject({
  from: zInstance,
  messages: z
    .array(z.tuple([zGroupKey, zIds, zSnowflake.nullable(), zTtl(EDIT_TTL_MS)]))
    .max(MAX_GROUPS, `at most ${MAX_GROUPS} groups`),
  chunks: z.array(z.tuple([zChunkKey, zTtl(DEDUPE_TTL_MS)])).max(MAX_CHUNKS, `at most ${MAX_CHUNKS} chunks`),
});

export type Updates = z.output<typeof zUpdates>;
export type Snapshot = z.output<typeof zSnapshot>;

/** The first problem of a refused body, as `ops.3.k: expected a chunk key`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  const path = issue.path.filter((p) => typeof p !== 'symbol').join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
