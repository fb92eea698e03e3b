import { z } from 'zod';
import { formatDuration } from '../../lib/duration.js';
import { redactSecrets } from '../../lib/redact.js';
import { zDuration } from '../../lib/schema.js';
import type { CheckDef, CheckState } from '../checks/model.js';
import { zSecret, zServiceUrl } from '../notify/schema.js';

/**
 * Two sites watching each other: `name:` (this instance) and `peers:` (the others). For each
 * peer, this instance keeps a managed check `peer-<name>` that the peer's pings keep up, and
 * pings the peer every `period` at `POST <url>/api/v3/peers/<own name>/ping`.
 */

/** Instance and peer names: they end up in check slugs (`peer-<name>`) and URL paths. */
export const PEER_NAME = /^[a-z0-9][a-z0-9_-]{0,59}$/;
const nameMessage = 'use 1–60 of a-z, 0-9, "-" and "_", starting with a letter or digit';

export const zInstanceName = z.string().regex(PEER_NAME, nameMessage);

export const zPeer = z
  .strictObject({
    name: zInstanceName,
    /** The peer's base URL (its --base-url). */
    url: zServiceUrl,
    /** An API key of the peer (read-only is enough), from `apiKeyFile`. */
    apiKey: zSecret,
    /** How often this instance pings the peer, and expects the peer's pings. */
    period: zDuration.default(60_000),
    grace: zDuration.default(300_000),
    /** Longest one ping may take (default: 10 s, at most the period). */
    timeout: zDuration.optional(),
    channels: z.array(z.string()).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.period < 1000) ctx.addIssue({ code: 'custom', path: ['period'], message: 'must be at least 1s' });
    if (p.grace < 1000) ctx.addIssue({ code: 'custom', path: ['grace'], message: 'must be at least 1s' });
    if (p.timeout !== undefined && (p.timeout < 100 || p.timeout > p.period))
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be between 100ms and the period' });
  });

export type PeerConfig = z.output<typeof zPeer>;

export const PEER_TAG = 'peer';

export const peerCheckName = (peer: string) => `peer-${peer}`;

/** The managed check that the peer's pings keep up. */
export function peerCheckDef(p: PeerConfig): CheckDef {
  return {
    name: peerCheckName(p.name),
    slug: peerCheckName(p.name),
    tags: [PEER_TAG],
    desc: `alertpath watch peer "${p.name}" at ${redactSecrets(p.url)}: it pings this instance every ${formatDuration(p.period)}`,
    schedule: { kind: 'simple', periodMs: p.period },
    graceMs: p.grace,
    manualResume: false,
    methods: 'POST',
    alertmanager: false,
    ...(p.channels ? { channels: p.channels } : {}),
  };
}

/**
 * A peer check's deadline when watching starts (or the check is new): a peer that has never
 * pinged must still be noticed (a `new` check otherwise waits forever), and a deadline that ran
 * out while this instance was down gets one fresh period + grace, so a restart does not page a
 * peer that pinged into the void meanwhile. Undefined when nothing changes.
 */
export function armedPeerState(state: CheckState, def: CheckDef, now: number): CheckState | undefined {
  if (state.status !== 'new' && state.status !== 'up') return undefined;
  if (state.alertAfter !== null && state.alertAfter > now) return undefined;
  const period = def.schedule.kind === 'simple' ? def.schedule.periodMs : 0;
  return { ...state, alertAfter: now + period + def.graceMs };
}

/** The time one ping may take. */
export function peerTimeoutMs(p: PeerConfig): number {
  return p.timeout ?? Math.min(10_000, p.period);
}
