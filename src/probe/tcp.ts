import { connect } from 'node:net';
import { socketAttempt } from './bounded.js';
import type { AttemptOutcome } from './outcome.js';

/** One TCP connect attempt: open, then close at once. */
export function tcpAttempt(
  host: string,
  port: number,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<AttemptOutcome> {
  return socketAttempt<AttemptOutcome>(options, (settle, failed, elapsed) => {
    const socket = connect({ host, port });
    socket.once('connect', () => settle({ kind: 'connected', latencyMs: elapsed() }));
    socket.once('error', (err) => settle(failed(err)));
    return () => socket.destroy();
  });
}
