import { systemClock } from '../lib/clock.js';
import { HttpAttempter } from '../probe/http.js';
import { tcpAttempt } from '../probe/tcp.js';
import type { WaitPlan } from './options.js';
import { formatWaitEvent, jsonWaitEvent } from './report.js';
import { type WaitEvent, waitForTargets } from './run.js';

/** Exit code when SIGINT or SIGTERM ends the wait, as a shell reports it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs a wait to completion and returns the exit code: 0 ready (or proceed on timeout), 1 timed
 * out, 130 interrupted. Lines go to stderr, so stdout stays clean for whatever runs next.
 */
export async function runWait(
  plan: WaitPlan,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const http = new HttpAttempter({
    insecure: plan.insecure,
    ...(plan.caFile ? { caFile: plan.caFile } : {}),
  });
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const emit = (event: WaitEvent) => {
    if (plan.output === 'quiet' && event.event === 'waiting') return;
    stderr.write(`${plan.output === 'json' ? jsonWaitEvent(event, new Date()) : formatWaitEvent(event)}\n`);
  };

  try {
    const ready = await waitForTargets(plan, {
      clock: systemClock,
      emit,
      signal: interrupt.signal,
      attempt: (target, timeoutMs, signal) =>
        target.kind === 'tcp'
          ? tcpAttempt(target.host, target.port, { timeoutMs, signal })
          : http.attempt(target.url, { method: plan.method, headers: plan.headers, timeoutMs, signal }),
    });
    if (interrupt.signal.aborted) {
      const line = 'interrupted before every target was ready';
      stderr.write(
        `${plan.output === 'json' ? JSON.stringify({ time: new Date().toISOString(), event: 'interrupted' }) : line}\n`,
      );
      return EXIT_INTERRUPTED;
    }
    return ready || plan.proceedOnTimeout ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await http.close().catch(() => {});
  }
}
