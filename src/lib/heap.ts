/**
 * A min-heap of wake-up times, one live entry per key. Rescheduling a key pushes a new entry and
 * leaves the old one to be skipped when it surfaces (lazy deletion), so every operation is
 * O(log n) with no index bookkeeping. Compacts itself when stale entries pile up.
 */
export class DeadlineHeap {
  private times: number[] = [];
  private keys: string[] = [];
  private readonly live = new Map<string, number>();

  get size(): number {
    return this.live.size;
  }

  /** Sets (or replaces) the wake-up time of `key`; null removes it. */
  set(key: string, at: number | null): void {
    if (at === null) {
      this.live.delete(key);
      return;
    }
    if (this.live.get(key) === at) return;
    this.live.set(key, at);
    this.push(at, key);
    if (this.times.length > 64 && this.times.length > 3 * this.live.size) this.compact();
  }

  get(key: string): number | undefined {
    return this.live.get(key);
  }

  /** The earliest live wake-up time. */
  peek(): number | undefined {
    this.dropStale();
    return this.times[0];
  }

  /** Removes and returns every key due at or before `now`, earliest first. */
  popDue(now: number, max = Number.POSITIVE_INFINITY): Array<{ key: string; at: number }> {
    const out: Array<{ key: string; at: number }> = [];
    for (;;) {
      this.dropStale();
      const at = this.times[0];
      if (at === undefined || at > now || out.length >= max) return out;
      const key = this.keys[0] as string;
      this.pop();
      this.live.delete(key);
      out.push({ key, at });
    }
  }

  clear(): void {
    this.times = [];
    this.keys = [];
    this.live.clear();
  }

  private dropStale(): void {
    while (this.times.length > 0 && this.live.get(this.keys[0] as string) !== this.times[0]) this.pop();
  }

  private compact(): void {
    const entries = [...this.live];
    this.times = [];
    this.keys = [];
    for (const [key, at] of entries) this.push(at, key);
  }

  private push(at: number, key: string): void {
    const t = this.times;
    const k = this.keys;
    let i = t.length;
    t.push(at);
    k.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((t[parent] as number) <= at) break;
      t[i] = t[parent] as number;
      k[i] = k[parent] as string;
      i = parent;
    }
    t[i] = at;
    k[i] = key;
  }

  private pop(): void {
    const t = this.times;
    const k = this.keys;
    const lastT = t.pop() as number;
    const lastK = k.pop() as string;
    const n = t.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (t[r] as number) < (t[l] as number) ? r : l;
      if ((t[c] as number) >= lastT) break;
      t[i] = t[c] as number;
      k[i] = k[c] as string;
      i = c;
    }
    t[i] = lastT;
    k[i] = lastK;
  }
}
