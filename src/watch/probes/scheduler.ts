import { setMaxListeners } from 'node:events';
import type { Clock } from '../../lib/clock.js';
import { DeadlineHeap } from '../../lib/heap.js';
import { TimerLoop } from '../../lib/timer-loop.js';

/**
 * The one scheduler behind every probe: a timer heap of next start times, a bounded number of
 * runs in flight, and a FIFO of runs waiting for a free slot.
 *
 * - Each probe's starts sit on a fixed grid: `phase + k * interval`, where the phase is a stable
 *   hash of its name. So 5 000 probes at 30 s spread evenly over the 30 s, and keep their place
 *   across restarts and reloads.
 * - A probe is off the heap while it runs, so it never overlaps itself. A run that overruns its
 *   next slot starts the next one late (once); slots missed entirely are skipped.
 * - Time comes from the injected clock, so tests drive it with a ManualClock.
 */

export interface ScheduledProbe {
  /** Stable identity (the check's uuid). */
  id: string;
  /** Hashed for the phase. */
  name: string;
  intervalMs: number;
  /** One run; should not throw (a throw is reported through `onError`). */
  run(signal: AbortSignal): Promise<void>;
}

export interface SchedulerOptions {
  clock: Clock;
  /** Runs in flight at most (default 64). */
  concurrency?: number;
  /** Called as each run starts, with how late it is (actual start − scheduled start). */
  onStart?: (lateMs: number, probe: ScheduledProbe) => void;
  onError?: (err: unknown, probe: ScheduledProbe) => void;
}

interface Entry {
  probe: ScheduledProbe;
  phase: number;
  running: boolean;
}

export const DEFAULT_PROBE_CONCURRENCY = 64;
const MAX_SLEEP_MS = 60_000;

/** FNV-1a over the name: the same name gets the same place in its interval on every start. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function phaseOf(name: string, intervalMs: number): number {
  return stableHash(name) % intervalMs;
}

/** The first grid time (`phase + k * interval`) at or after `t`. */
export function slotAtOrAfter(t: number, intervalMs: number, phase: number): number {
  const offset = (((phase - t) % intervalMs) + intervalMs) % intervalMs;
  return t + offset;
}

export class ProbeScheduler extends TimerLoop {
  private readonly concurrency: number;
  private readonly onStart: SchedulerOptions['onStart'];
  private readonly onError: SchedulerOptions['onError'];
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new DeadlineHeap();
  private ready: Array<{ id: string; at: number }> = [];
  private readyHead = 0;
  private active = 0;

  constructor(options: SchedulerOptions) {
    super(options.clock);
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_PROBE_CONCURRENCY);
    this.onStart = options.onStart;
    this.onError = options.onError;
    // Every run in flight listens to the one stop signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** Runs in flight right now. */
  get activeRuns(): number {
    return this.active;
  }

  /** Scheduled start of a probe that is not running (tests, introspection). */
  nextStart(id: string): number | undefined {
    return this.heap.get(id);
  }

  /**
   * Replaces the set of probes. A probe that stays (same id) keeps its place on the grid unless
   * its name or interval changed; a removed probe's run in flight finishes and is not rescheduled.
   */
  update(probes: ScheduledProbe[]): void {
    const now = this.clock.now();
    const keep = new Set<string>();
    for (const probe of probes) {
      keep.add(probe.id);
      const phase = phaseOf(probe.name, probe.intervalMs);
      const entry = this.entries.get(probe.id);
      if (entry) {
        const moved = entry.phase !== phase || entry.probe.intervalMs !== probe.intervalMs;
        entry.probe = probe;
        entry.phase = phase;
        if (moved && !entry.running) this.heap.set(probe.id, slotAtOrAfter(now, probe.intervalMs, phase));
        continue;
      }
      this.entries.set(probe.id, { probe, phase, running: false });
      this.heap.set(probe.id, slotAtOrAfter(now, probe.intervalMs, phase));
    }
    for (const id of [...this.entries.keys()]) {
      if (keep.has(id)) continue;
      this.entries.delete(id);
      this.heap.set(id, null);
    }
    this.poke();
  }

  protected async loop(): Promise<void> {
    while (this.running) {
      const now = this.clock.now();
      for (const d of this.heap.popDue(now)) this.ready.push({ id: d.key, at: d.at });
      this.dispatch();
      const next = this.heap.peek();
      const waitMs = next === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, next - now));
      if (waitMs === 0) continue;
      await this.alarm.sleep(waitMs);
    }
  }

  /** Starts waiting runs while slots are free. */
  private dispatch(): void {
    while (this.running && this.active < this.concurrency && this.readyHead < this.ready.length) {
      const item = this.ready[this.readyHead++] as { id: string; at: number };
      const entry = this.entries.get(item.id);
      if (!entry || entry.running) continue;
      this.begin(entry, item.at);
    }
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
  }

  private begin(entry: Entry, scheduledAt: number): void {
    const probe = entry.probe;
    entry.running = true;
    this.active++;
    this.onStart?.(Math.max(0, this.clock.now() - scheduledAt), probe);
    // A signal per run, linked to the stop signal by a listener removed after the run. (Handing
    // the long-lived stop signal itself to AbortSignal.any in every attempt leaks on Node 20.)
    const runAbort = new AbortController();
    const onStop = () => runAbort.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    let run: Promise<void>;
    try {
      run = probe.run(runAbort.signal);
    } catch (err) {
      run = Promise.reject(err);
    }
    this.inFlightWork(
      run.catch((err: unknown) => this.onError?.(err, probe)),
      () => {
        this.abort.signal.removeEventListener('abort', onStop);
        this.active--;
        entry.running = false;
        if (this.entries.get(probe.id) === entry) this.reschedule(entry, scheduledAt);
        this.dispatch();
      },
    );
  }

  private reschedule(entry: Entry, scheduledAt: number): void {
    const { intervalMs } = entry.probe;
    const now = this.clock.now();
    // The next slot after this one; when the run overran it, the latest missed slot (so the
    // probe starts at once, late, once) and slots missed entirely are skipped.
    const next = Math.max(
      slotAtOrAfter(scheduledAt + 1, intervalMs, entry.phase),
      slotAtOrAfter(now - intervalMs + 1, intervalMs, entry.phase),
    );
    this.heap.set(entry.probe.id, next);
    this.poke();
  }

  /** Wakes the loop if the earliest start moved before the one it sleeps towards. */
  private poke(): void {
    const next = this.heap.peek();
    if (next !== undefined) this.alarm.wakeBefore(next);
  }
}
