import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { TimerLoop } from '../../lib/timer-loop.js';
import { failureOf, transientFailure } from '../notify/failure.js';
import { sendHttp } from '../notify/http.js';
import { joinUrl } from '../notify/schema.js';
import { withDeadline } from '../notify/timeout.js';

/** One peer this instance pings. */
export interface PeerTarget {
  name: string;
  url: string;
  apiKey: string;
  periodMs: number;
  timeoutMs: number;
}

interface Slot {
  target: PeerTarget;
  nextAt: number;
  busy: boolean;
  /** Last outcome, to log changes only: undefined before the first ping. */
  ok?: boolean;
}

/**
 * Pings every peer every `period` (start to start; a ping never overlaps the previous one of the
 * same peer) at `POST <url>/api/v3/peers/<own name>/ping`. A peer that does not answer costs
 * one bounded request per period and a log line when it stops and starts answering; nothing
 * else. The first ping goes out at start, so a restarted instance is seen up again at once.
 */
export class PeerPinger extends TimerLoop {
  private own: string | undefined;
  private slots = new Map<string, Slot>();

  constructor(
    clock: Clock,
    private readonly logger: Logger,
  ) {
    super(clock);
  }

  /** The peers of the current config; unchanged peers keep their schedule. */
  configure(ownName: string | undefined, targets: PeerTarget[]): void {
    this.own = ownName;
    const next = new Map<string, Slot>();
    const now = this.clock.now();
    for (const target of targets) {
      const old = this.slots.get(target.name);
      const same = old && JSON.stringify(old.target) === JSON.stringify(target);
      next.set(target.name, same ? old : { target, nextAt: now, busy: false });
    }
    this.slots = next;
    this.alarm.wake();
  }

  protected async loop(): Promise<void> {
    while (this.running) {
      const now = this.clock.now();
      let wait = 60_000;
      for (const slot of this.slots.values()) {
        if (slot.busy) continue;
        if (slot.nextAt <= now) {
          slot.busy = true;
          slot.nextAt = now + slot.target.periodMs;
          this.inFlightWork(this.ping(slot), () => {
            slot.busy = false;
            this.alarm.wake();
          });
        }
        wait = Math.min(wait, Math.max(0, slot.nextAt - now));
      }
      await this.alarm.sleep(wait);
    }
  }

  private async ping(slot: Slot): Promise<void> {
    const { target } = slot;
    const own = this.own;
    if (own === undefined) return;
    const url = joinUrl(target.url, `api/v3/peers/${encodeURIComponent(own)}/ping`);
    let error: string | undefined;
    try {
      await withDeadline(
        target.timeoutMs,
        this.abort.signal,
        (signal) =>
          sendHttp(url, {
            method: 'POST',
            headers: { 'x-api-key': target.apiKey, 'content-type': 'application/json' },
            body: '{}',
            signal,
            timeoutMs: target.timeoutMs,
          }),
        () => transientFailure(`no answer within ${target.timeoutMs} ms`),
      );
    } catch (err) {
      if (!this.running) return;
      error = failureOf(err).message;
    }
    const ok = error === undefined;
    if (ok !== slot.ok) {
      if (ok) this.logger.info({ peer: target.name }, 'peer answers our pings');
      else
        this.logger.warn(
          { peer: target.name, error },
          /HTTP 404/.test(error ?? '')
            ? `peer does not know this instance: add a peer named "${own}" to its config`
            : 'cannot ping peer; it will notice our silence',
        );
      slot.ok = ok;
    }
  }
}
