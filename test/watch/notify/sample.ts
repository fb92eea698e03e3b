import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/log.js';
import { DeliveryError } from '../../../src/watch/notify/failure.js';
import { channelConfigSchema, createTransport } from '../../../src/watch/notify/index.js';
import type { Notification } from '../../../src/watch/notify/types.js';

/** Notifications and a transport factory the channel tests share. */

export const down: Notification = {
  event: 'down',
  check: {
    uuid: '5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11',
    name: 'nightly backup',
    slug: 'nightly-backup',
    tags: ['prod', 'db'],
    desc: '',
    url: 'https://watch.example.net/checks/5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11',
    pingUrl: 'http://w/ping/x',
  },
  text: '🔴 DOWN nightly backup: failure reported (exit status 2) at 2026-11-25 03:00:12 UTC',
  reason: 'fail',
  at: Date.UTC(2026, 10, 25, 4, 10),
  lastPing: { at: Date.UTC(2026, 10, 25, 3, 0), body: 'ERROR: disk full\n'.repeat(200) },
};

export const up: Notification = {
  ...down,
  event: 'up',
  reason: 'success',
  text: '🟢 UP nightly backup again after 2h 3m',
};

/** A notification with a hostile name and text: markup, quotes, CR/LF, a lone surrogate. */
export function hostile(base: Notification = down): Notification {
  const name = 'a <b>&amp; "x"\r\nInjected: 1 \ud800 </pre>';
  return {
    ...base,
    check: { ...base.check, name },
    text: `🔴 DOWN ${name}: <script>alert(1)</script> & more`,
  };
}

export function transport(config: unknown, name = 't') {
  const parsed = channelConfigSchema.parse(config);
  return createTransport(name, parsed, { clock: systemClock, logger: silentLogger() });
}

export const signal = () => AbortSignal.timeout(5000);

/** The DeliveryError a try threw (fails when it resolved or threw something else). */
export async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DeliveryError) return err;
    throw new Error(`expected a DeliveryError, got ${String(err)}`);
  }
  throw new Error('expected the try to fail');
}
