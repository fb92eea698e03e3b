import { formatSeconds } from '../lib/net.js';
import type { WaitEvent } from './run.js';

/** The journal line for an event, exactly as docs/wait.md shows them. */
export function formatWaitEvent(e: WaitEvent): string {
  switch (e.event) {
    case 'waiting':
      return `waiting for ${e.target}: ${e.reason} (attempt ${e.attempt})`;
    case 'ready':
      return `ready: ${e.target} ${e.answer} after ${plural(e.attempts, 'attempt')} (${(e.elapsedMs / 1000).toFixed(1)} s)`;
    case 'timeout':
      return `timed out after ${formatSeconds(e.timeoutMs)} and ${plural(e.attempts, 'attempt')}: ${e.target} (last: ${e.last})`;
  }
}

/** One JSON object per line for `--json`, with snake_case keys and seconds. */
export function jsonWaitEvent(e: WaitEvent, now: Date): string {
  const base = { time: now.toISOString(), event: e.event, target: e.target };
  switch (e.event) {
    case 'waiting':
      return JSON.stringify({ ...base, reason: e.reason, attempt: e.attempt });
    case 'ready':
      return JSON.stringify({
        ...base,
        answer: e.answer,
        attempts: e.attempts,
        elapsed_s: round1(e.elapsedMs),
      });
    case 'timeout':
      return JSON.stringify({
        ...base,
        attempts: e.attempts,
        elapsed_s: round1(e.elapsedMs),
        timeout_s: e.timeoutMs / 1000,
        last: e.last,
      });
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function round1(ms: number): number {
  return Math.round(ms / 100) / 10;
}
