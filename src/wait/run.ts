import type { Clock } from '../lib/clock.js';
import type { AcceptSet } from '../probe/accept.js';
import { type AttemptOutcome, describeOutcome } from '../probe/outcome.js';
import type { Target } from '../probe/target.js';

/** What happens while waiting; the CLI turns these into log lines or JSON objects. */
export type WaitEvent =
  | { event: 'waiting'; target: string; reason: string; attempt: number }
  | { event: 'ready'; target: string; answer: string; attempts: number; elapsedMs: number }
  | {
      event: 'timeout';
      target: string;
      attempts: number;
      elapsedMs: number;
      timeoutMs: number;
      last: string;
    };

export interface WaitLoop {
  targets: Target[];
  intervalMs: number;
  timeoutMs: number;
  attemptTimeoutMs: number;
  accept: AcceptSet;
}

export interface WaitDeps {
  clock: Clock;
  /** One attempt, bounded by `timeoutMs`. Never throws: failures are outcomes. */
  attempt(target: Target, timeoutMs: number, signal: AbortSignal): Promise<AttemptOutcome>;
  emit(event: WaitEvent): void;
  /** Aborted on SIGINT/SIGTERM: the loop stops at once and resolves as not ready. */
  signal: AbortSignal;
}

/**
 * Waits until every target is ready or the timeout passes. Targets are checked concurrently;
 * attempts *start* every interval (an attempt that runs longer delays the next one, never overlaps
 * it), and a change of reason is reported once, not once per attempt.
 * Resolves true when every target was ready.
 */
export async function waitForTargets(loop: WaitLoop, deps: WaitDeps): Promise<boolean> {
  const startedAt = deps.clock.now();
  const results = await Promise.all(loop.targets.map((t) => waitForOne(t, loop, deps, startedAt)));
  return results.every(Boolean);
}

async function waitForOne(
  target: Target,
  loop: WaitLoop,
  deps: WaitDeps,
  startedAt: number,
): Promise<boolean> {
  const { clock, signal } = deps;
  const deadline = startedAt + loop.timeoutMs;
  let attempts = 0;
  let lastReason: string | undefined;

  while (!signal.aborted) {
    const now = clock.now();
    if (now >= deadline) break;
    attempts++;
    const bound = Math.min(loop.attemptTimeoutMs, deadline - now);
    const outcome = await deps.attempt(target, bound, signal);
    if (signal.aborted) return false;
    const verdict = judge(outcome, loop.accept);
    const cutByDeadline = !verdict.ready && bound < loop.attemptTimeoutMs && clock.now() >= deadline;
    if (cutByDeadline && lastReason !== undefined) break; // says nothing new: the wait itself ran out
    if (verdict.ready) {
      deps.emit({
        event: 'ready',
        target: target.url,
        answer: verdict.answer,
        attempts,
        elapsedMs: clock.now() - startedAt,
      });
      return true;
    }
    if (verdict.reason !== lastReason) {
      lastReason = verdict.reason;
      deps.emit({ event: 'waiting', target: target.url, reason: verdict.reason, attempt: attempts });
    }
    const nextStart = Math.max(startedAt + attempts * loop.intervalMs, clock.now());
    if (nextStart >= deadline) {
      await sleepUntil(clock, deadline, signal);
      break;
    }
    await sleepUntil(clock, nextStart, signal);
  }
  if (signal.aborted) return false;
  deps.emit({
    event: 'timeout',
    target: target.url,
    attempts,
    elapsedMs: clock.now() - startedAt,
    timeoutMs: loop.timeoutMs,
    last: lastReason ?? 'no attempt finished',
  });
  return false;
}

type Verdict = { ready: true; answer: string } | { ready: false; reason: string };

/** Ready means: an accepted HTTP status, or an open TCP connection. Anything else is the reason why not. */
export function judge(outcome: AttemptOutcome, accept: AcceptSet): Verdict {
  if (outcome.kind === 'connected') return { ready: true, answer: 'accepted a connection' };
  if (outcome.kind === 'http' && accept.has(outcome.status)) {
    return { ready: true, answer: `answered HTTP ${outcome.status}` };
  }
  return { ready: false, reason: describeOutcome(outcome) };
}

async function sleepUntil(clock: Clock, at: number, signal: AbortSignal): Promise<void> {
  const ms = at - clock.now();
  if (ms <= 0) return;
  try {
    await clock.sleep(ms, signal);
  } catch {
    // aborted: the caller checks the signal
  }
}
