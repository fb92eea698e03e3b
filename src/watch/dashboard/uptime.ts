/**
 * Uptime from flips, pure: a check's history is the sequence of its flips, so the state at any
 * moment is the `to` of the last flip before it (or the `from` of the first flip after it). From
 * that come the status page's 90 day bars, the checks list's strip of the last 30 periods and the
 * badges' uptime over 24 h / 7 d / 30 d. `late` is never stored (it is the grace window), so it
 * counts as up; `new` and `paused` count as no data.
 */

export type Slot = 'up' | 'down' | 'none';

export interface FlipLike {
  at: number;
  from: string;
  to: string;
}

export interface Interval {
  start: number;
  end: number;
  state: Slot;
}

export interface Bucket {
  start: number;
  end: number;
  upMs: number;
  downMs: number;
  /** The worst state seen in the bucket: any downtime makes it `down`. */
  worst: Slot;
}

function slotOf(status: string): Slot {
  if (status === 'down') return 'down';
  if (status === 'up' || status === 'late') return 'up';
  return 'none';
}

/**
 * The check's states over [from, to), as intervals: `flips` in any order, `current` the status
 * now, `createdAt` before which there is no data.
 */
export function timeline(
  flips: readonly FlipLike[],
  range: { from: number; to: number; createdAt: number; current: string },
): Interval[] {
  const sorted = [...flips].filter((f) => f.at <= range.to).sort((a, b) => a.at - b.at);
  const out: Interval[] = [];
  const start = Math.max(range.from, range.createdAt);
  if (start >= range.to) return out;
  // The state at `start`: the last flip at or before it, else the first flip's `from`, else now's.
  let state: Slot | undefined;
  let i = 0;
  while (i < sorted.length && (sorted[i] as FlipLike).at <= start)
    state = slotOf((sorted[i++] as FlipLike).to);
  state ??= slotOf(sorted[i]?.from ?? range.current);
  let at = start;
  for (; i < sorted.length; i++) {
    const f = sorted[i] as FlipLike;
    if (f.at > at) out.push({ start: at, end: f.at, state });
    at = Math.max(at, f.at);
    state = slotOf(f.to);
  }
  out.push({ start: at, end: range.to, state });
  return out;
}

/** `count` buckets of `size` ms ending at `end` (oldest first), from a timeline. */
export function buckets(intervals: readonly Interval[], end: number, size: number, count: number): Bucket[] {
  const first = end - size * count;
  const out: Bucket[] = [];
  for (let k = 0; k < count; k++)
    out.push({ start: first + k * size, end: first + (k + 1) * size, upMs: 0, downMs: 0, worst: 'none' });
  for (const iv of intervals) {
    if (iv.state === 'none') continue;
    const lo = Math.max(iv.start, first);
    const hi = Math.min(iv.end, end);
    if (hi <= lo) {
      // A check that went down this very moment: its bucket shows it, though no time has passed.
      if (iv.state === 'down' && iv.start === iv.end && iv.start >= first && iv.start <= end) {
        const b = out[Math.min(count - 1, Math.floor((iv.start - first) / size))];
        if (b) b.worst = 'down';
      }
      continue;
    }
    let k = Math.floor((lo - first) / size);
    for (let t = lo; t < hi && k < count; k++) {
      const b = out[k] as Bucket;
      const stop = Math.min(hi, b.end);
      if (iv.state === 'down') {
        b.downMs += stop - t;
        b.worst = 'down';
      } else {
        b.upMs += stop - t;
        if (b.worst === 'none') b.worst = 'up';
      }
      t = stop;
    }
  }
  return out;
}

/** Up time over up plus down time, 0–1; null when there is no data at all. */
export function uptimeRatio(intervals: readonly Interval[], from: number, to: number): number | null {
  let up = 0;
  let down = 0;
  for (const iv of intervals) {
    const lo = Math.max(iv.start, from);
    const hi = Math.min(iv.end, to);
    if (hi <= lo) continue;
    if (iv.state === 'up') up += hi - lo;
    else if (iv.state === 'down') down += hi - lo;
  }
  return up + down === 0 ? null : up / (up + down);
}

/** `99.95%`, `100%`, `no data`: two decimals, never rounded up to 100. */
export function formatUptime(ratio: number | null): string {
  if (ratio === null) return 'no data';
  if (ratio >= 1) return '100%';
  const pct = Math.floor(ratio * 10_000) / 100;
  return `${pct.toFixed(2)}%`;
}

/** Start of the UTC day of `t`. */
export function utcDay(t: number): number {
  return Math.floor(t / 86_400_000) * 86_400_000;
}

export interface Incident {
  start: number;
  /** null: still down. */
  end: number | null;
  /** Why it went down: `timeout`, `fail` or `probe`. */
  reason: string;
}

/** Down periods from flips (newest first), each from a flip to down until the next flip away. */
export function incidents(flips: ReadonlyArray<FlipLike & { reason: string }>): Incident[] {
  const sorted = [...flips].sort((a, b) => a.at - b.at);
  const out: Incident[] = [];
  let open: Incident | undefined;
  for (const f of sorted) {
    if (f.to === 'down' && !open) {
      open = { start: f.at, end: null, reason: f.reason };
      out.push(open);
    } else if (f.to !== 'down' && open) {
      open.end = f.at;
      open = undefined;
    }
  }
  return out.reverse();
}
