/**
 * A budget of bytes that requests hold while they are read, parsed and answered, so the memory
 * their bodies cost is bounded whatever arrives at once. A request that does not fit is refused
 * (the caller answers 503 + `Retry-After`: backpressure, not loss, since Alertmanager retries 5xx).
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly capacity: number) {}

  /** One request's share: it takes bytes as they come, and gives all of them back at once. */
  lease(): BudgetLease {
    let held = 0;
    return {
      take: (bytes) => {
        if (this.used + bytes > this.capacity) return false;
        this.used += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        this.used -= held;
        held = 0;
      },
    };
  }

  get inUse(): number {
    return this.used;
  }
}

export interface BudgetLease {
  /** Takes `bytes` if they fit in what is left; false (and nothing taken) when they do not. */
  take(bytes: number): boolean;
  release(): void;
}
