import type { ChannelOutcome } from '../store/types.js';

/**
 * Per-channel health, from the last delivery try through each channel (the store keeps it, so
 * it survives restarts and is shared by instances on one PostgreSQL). A channel whose last try
 * failed permanently is `broken`: checks whose every channel is broken page nobody, and the
 * unrouted alarm (src/watch/checks/) reads this map to say so. A changed channel config (a
 * fixed token) starts again from `unknown`.
 */

export type ChannelHealthState = 'ok' | 'failing' | 'broken' | 'unknown';

export interface ChannelHealth {
  /** ok: last try delivered; failing: it failed transiently; broken: it failed permanently. */
  state: ChannelHealthState;
  /** When the last try ended (epoch ms). */
  at?: number;
  /** Its error, secret-free. */
  error?: string;
}

/** Health of every configured channel (`fingerprint`: of its current config). */
export function channelHealth(
  channels: ReadonlyMap<string, { fingerprint?: string }>,
  outcomes: readonly ChannelOutcome[],
): Map<string, ChannelHealth> {
  const last = new Map(outcomes.map((o) => [o.channel, o]));
  const out = new Map<string, ChannelHealth>();
  for (const [name, channel] of channels) {
    const o = last.get(name);
    if (!o || o.fingerprint !== (channel.fingerprint ?? '')) {
      out.set(name, { state: 'unknown' });
      continue;
    }
    const state: ChannelHealthState = o.ok ? 'ok' : o.permanent ? 'broken' : 'failing';
    out.set(name, { state, at: o.at, ...(o.error ? { error: o.error } : {}) });
  }
  return out;
}

/** A channel that cannot deliver until someone fixes it. */
export function isBroken(health: ChannelHealth | undefined): boolean {
  return health?.state === 'broken';
}
