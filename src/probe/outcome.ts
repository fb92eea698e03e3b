/**
 * What one attempt against a target found. `wait` and watch's probes share these, and the
 * one-line `reason` is what operators read in journals and pages.
 */
export type AttemptOutcome =
  | { kind: 'http'; status: number; latencyMs: number; body?: string }
  | { kind: 'connected'; latencyMs: number }
  | { kind: 'error'; reason: string; latencyMs: number };

export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'http':
      return `HTTP ${outcome.status}`;
    case 'connected':
      return 'connected';
    case 'error':
      return outcome.reason;
  }
}
