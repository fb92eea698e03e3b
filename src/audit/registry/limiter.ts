/**
 * Bounded concurrency, overall and per key (registry host). A task first takes a slot for its key,
 * then an overall slot, so tasks queued behind one slow registry never hold slots other registries
 * could use.
 */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  }

  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}

export class KeyedLimiter {
  private readonly overall: Semaphore;
  private readonly perKey = new Map<string, Semaphore>();

  constructor(
    overall: number,
    private readonly perKeyMax: number,
  ) {
    this.overall = new Semaphore(overall);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let keyed = this.perKey.get(key);
    if (!keyed) {
      keyed = new Semaphore(this.perKeyMax);
      this.perKey.set(key, keyed);
    }
    await keyed.acquire();
    try {
      await this.overall.acquire();
      try {
        return await task();
      } finally {
        this.overall.release();
      }
    } finally {
      keyed.release();
    }
  }
}
