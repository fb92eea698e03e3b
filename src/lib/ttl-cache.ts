/**
 * A bounded map whose entries expire after `ttlMs` (clock time). Setting a key moves it to the
 * back; when full, the oldest entry goes first. Lookups never return an expired entry.
 */
export class TtlCache<K, V> {
  private readonly map = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets `key` for `ttlMs` (default: the cache's TTL; a replicated entry keeps what it had left). */
  set(key: K, value: V, ttlMs: number = this.ttlMs): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: this.now() + Math.min(ttlMs, this.ttlMs) });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** The live entries, oldest first, with the time each has left. */
  *entries(): Generator<[K, V, number]> {
    const now = this.now();
    for (const [key, hit] of this.map) if (hit.expires > now) yield [key, hit.value, hit.expires - now];
  }

  get size(): number {
    return this.map.size;
  }
}
