/**
 * Group commit: items queue up and everything queued is committed in one transaction, as soon
 * as no batch is committing (or the one committing has run longer than `overlapAfterMs`, up to
 * `maxBatches` at once); meanwhile the queue grows into the next batch. Each caller is answered
 * after the commit of its batch. When a batch fails as a whole (one bad item, a deadlock with
 * another instance, a lost connection), each of its items is committed again alone, so one bad
 * item fails alone; items of one key keep their arrival order.
 */

export type Outcome<R> = { ok: true; value: R } | { ok: false; err: unknown };

export interface GroupCommitOptions<I, R> {
  /** Commits a batch, with one outcome per item (in order); throws when the batch failed whole. */
  commit(batch: I[]): Promise<Outcome<R>[]>;
  /** Items of one key are retried in order (the check's uuid). */
  keyOf(item: I): string;
  maxBatches: number;
  /** Items per batch at most (bounds one transaction's statements). */
  maxBatch?: number;
  overlapAfterMs?: number;
  /** The error for items queued after close(). */
  closedError: () => Error;
}

interface Queued<I, R> {
  item: I;
  resolve(value: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<I, R> {
  private queue: Queued<I, R>[] = [];
  private flushScheduled = false;
  private closing = false;
  private readonly running = new Set<Promise<void>>();
  private newestStart = 0;
  private overlapTimer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly overlapAfterMs: number;

  constructor(private readonly o: GroupCommitOptions<I, R>) {
    this.maxBatch = o.maxBatch ?? 256;
    this.overlapAfterMs = o.overlapAfterMs ?? 10;
  }

  submit(item: I): Promise<R> {
    if (this.closing) return Promise.reject(this.o.closedError());
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Refuses new items; commits (and answers) everything queued. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.queue.length > 0 || this.running.size > 0) {
      this.startBatches();
      await Promise.all(this.running);
    }
    clearTimeout(this.overlapTimer);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.running.size < this.o.maxBatches) {
      if (this.running.size > 0 && !this.closing) {
        const wait = this.newestStart + this.overlapAfterMs - performance.now();
        if (wait > 0) {
          this.overlapTimer ??= setTimeout(() => {
            this.overlapTimer = undefined;
            this.startBatches();
          }, Math.ceil(wait));
          return;
        }
      }
      const batch = this.queue.splice(0, this.maxBatch);
      this.newestStart = performance.now();
      const run: Promise<void> = this.commitBatch(batch).finally(() => {
        this.running.delete(run);
        if (this.queue.length > 0 && !this.closing) this.scheduleFlush();
      });
      this.running.add(run);
    }
  }

  /** Commits one batch and answers its callers; never rejects. */
  private async commitBatch(batch: Queued<I, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.o.commit(batch.map((q) => q.item));
    } catch {
      await this.retryAlone(batch);
      return;
    }
    for (const [i, q] of batch.entries()) answer(q, outcomes[i]);
  }

  private async retryAlone(batch: Queued<I, R>[]): Promise<void> {
    const byKey = new Map<string, Queued<I, R>[]>();
    for (const q of batch) {
      const key = this.o.keyOf(q.item);
      const list = byKey.get(key);
      if (list) list.push(q);
      else byKey.set(key, [q]);
    }
    await Promise.all(
      [...byKey.values()].map(async (list) => {
        for (const q of list) {
          try {
            answer(q, (await this.o.commit([q.item]))[0]);
          } catch (err) {
            q.reject(err);
          }
        }
      }),
    );
  }
}

function answer<I, R>(q: Queued<I, R>, o: Outcome<R> | undefined): void {
  if (!o) q.reject(new Error('transition lost'));
  else if (o.ok) q.resolve(o.value);
  else q.reject(o.err);
}
