import type { Clock } from '../../lib/clock.js';
import { DeadlineHeap } from '../../lib/heap.js';
import { type IdSource, randomIds } from '../../lib/ids.js';
import type { Logger } from '../../lib/log.js';
import { TimerLoop } from '../../lib/timer-loop.js';
import { applyPause, applyPing, applyProbeResult, applyResume, applyTimeout } from '../checks/machine.js';
import {
  type CheckRecord,
  type CheckState,
  type Flip,
  type PingInput,
  type PingKind,
  type ProbeResult,
  wakeTime,
} from '../checks/model.js';
import type { WatchMetrics } from '../metrics.js';
import type { ChannelTransport } from '../notify/types.js';
import type { NewJob, Store, TransitionWrite } from '../store/types.js';
import { type OutboxOptions, OutboxSender } from './outbox.js';
import { type Defaults, planFlip, planReminder, policyFor } from './plan.js';

/**
 * The alerting engine: every check's next wake-up (deadline or reminder) sits in a timer heap
 * rebuilt from the store at start; the engine sleeps until the earliest one, so a check flips
 * within milliseconds of its deadline, and deadlines that passed while the process was down fire
 * at start. Pings, deadlines, pauses and resumes all go through `store.transition`, which writes
 * the new state, the flip and its notification jobs in one transaction.
 */

export interface EngineSettings {
  defaults: Defaults;
  baseUrl: string;
  transports: ReadonlyMap<string, ChannelTransport>;
}

export interface EngineOptions {
  store: Store;
  clock: Clock;
  /** Notification group ids (default: random UUIDs). */
  ids?: IdSource;
  logger: Logger;
  metrics: WatchMetrics;
  settings: EngineSettings;
  outbox?: Pick<OutboxOptions, 'maxTries' | 'retryBaseMs' | 'sendTimeoutMs' | 'random' | 'onChannelOutcome'>;
  /**
   * How often to merge the store's wake-up times into the heap (0: never). A shared store
   * (PostgreSQL) defaults to 10 s, so an instance also fires deadlines set by pings another
   * instance received; the transition re-reads the state, so a deadline held by several
   * instances, or moved meanwhile, flips at most once.
   */
  resyncMs?: number;
}

export interface PingOutcome {
  kind: PingKind;
  record: CheckRecord;
}

/** Deadlines handled per store round trip when many fall due at once (a restart after downtime). */
const DUE_BATCH = 5000;
const MAX_SLEEP_MS = 60_000;

export class WatchEngine extends TimerLoop {
  readonly heap = new DeadlineHeap();
  readonly outbox: OutboxSender;
  private settings: EngineSettings;
  private readonly store: Store;
  private readonly ids: IdSource;
  private readonly logger: Logger;
  private readonly metrics: WatchMetrics;
  private readonly resyncMs: number;
  private nextResync = 0;

  constructor(options: EngineOptions) {
    super(options.clock);
    this.store = options.store;
    this.resyncMs = options.resyncMs ?? (options.store.shared ? 10_000 : 0);
    this.ids = options.ids ?? randomIds;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.settings = options.settings;
    this.outbox = new OutboxSender({
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
      transports: () => this.settings.transports,
      ...options.outbox,
    });
  }

  /** Rebuilds the heap from the store and starts the deadline and outbox loops. */
  override async start(): Promise<void> {
    await this.reloadDeadlines();
    super.start();
    this.outbox.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.outbox.stop();
  }

  reconfigure(settings: EngineSettings): void {
    this.settings = settings;
    this.outbox.kick();
  }

  /** Re-reads every wake-up time (at start, and after config sync). */
  async reloadDeadlines(): Promise<void> {
    this.heap.clear();
    for (const { uuid, at } of await this.store.wakeTimes()) this.heap.set(uuid, at);
    this.nextResync = this.clock.now() + this.resyncMs;
    this.poke();
  }

  /** Adds wake-ups other instances wrote (a shared store); keeps the earlier of two times. */
  private async resync(): Promise<void> {
    for (const { uuid, at } of await this.store.wakeTimes()) {
      const held = this.heap.get(uuid);
      if (held === undefined || at < held) this.heap.set(uuid, at);
    }
  }

  /** A check changed outside the engine (API update, delete): reschedule it. */
  track(uuid: string, state: CheckState | undefined): void {
    this.heap.set(uuid, state ? wakeTime(state) : null);
    this.poke();
  }

  async ping(uuid: string, input: PingInput): Promise<PingOutcome | undefined> {
    const done = await this.store.transition(uuid, (record) => {
      const t = applyPing(record, input);
      const write: TransitionWrite<{ kind: PingKind; jobs: number }> = {
        state: t.state,
        ping: {
          kind: t.kind,
          at: input.at,
          method: input.method,
          rid: input.rid ?? null,
          exitStatus: input.exitStatus ?? null,
          duration: t.duration,
          remoteAddr: input.remoteAddr ?? '',
          userAgent: input.userAgent ?? '',
          scheme: input.scheme ?? 'http',
          body: input.bodyBytes ?? (input.body !== undefined ? Buffer.from(input.body, 'utf8') : null),
        },
        result: { kind: t.kind, jobs: 0 },
      };
      if (t.flip) {
        const f = this.flipWrite(record, t.state, t.flip, input.at, { ping: input });
        Object.assign(write, f);
        write.result.jobs = f.jobs.length;
      }
      return write;
    });
    if (!done) return undefined;
    this.metrics.pings.inc({ kind: done.result.kind });
    this.afterTransition(uuid, done.record.state, done.result.jobs > 0);
    return { kind: done.result.kind, record: done.record };
  }

  /**
   * A probe result: records it in the history and feeds the state machine (flap damping, reason
   * `probe`). Resolves once committed; sending is the outbox's business, so a slow or failing
   * channel never holds up the prober.
   */
  async probeResult(
    uuid: string,
    result: ProbeResult,
  ): Promise<{ record: CheckRecord; flip?: Flip } | undefined> {
    const done = await this.store.transition(uuid, (record) => {
      const t = applyProbeResult(record, result);
      const write: TransitionWrite<{ flip?: Flip; jobs: number }> = {
        state: t.state,
        probeResult: result,
        result: { jobs: 0 },
      };
      if (t.flip) {
        const f = this.flipWrite(record, t.state, t.flip, result.at, {
          probe: { condition: result.message, failures: t.failures },
        });
        Object.assign(write, f);
        write.result = { flip: t.flip, jobs: f.jobs.length };
      }
      return write;
    });
    if (!done) return undefined;
    this.afterTransition(uuid, done.record.state, done.result.jobs > 0);
    return { record: done.record, ...(done.result.flip ? { flip: done.result.flip } : {}) };
  }

  async pause(uuid: string): Promise<CheckRecord | undefined> {
    return this.simple(uuid, (r) => applyPause(r, this.clock.now()));
  }

  async resume(uuid: string): Promise<CheckRecord | undefined> {
    return this.simple(uuid, (r) => applyResume(r, this.clock.now()));
  }

  private async simple(
    uuid: string,
    apply: (r: CheckRecord) => { state: CheckState; flip?: Flip },
  ): Promise<CheckRecord | undefined> {
    const done = await this.store.transition(uuid, (record) => {
      const t = apply(record);
      return { state: t.state, ...(t.flip ? { flip: t.flip } : {}), result: null };
    });
    if (!done) return undefined;
    this.afterTransition(uuid, done.record.state, false);
    return done.record;
  }

  /** A deadline or reminder time came: flip down, or send a reminder. */
  private async due(uuid: string): Promise<void> {
    const done = await this.store.transition(uuid, (record) => {
      const now = this.clock.now();
      const { state } = record;
      if (state.alertAfter !== null && now >= state.alertAfter) {
        const t = applyTimeout(record, now);
        if (t.flip) {
          const f = this.flipWrite(record, t.state, t.flip, now, {});
          return { ...f, result: f.jobs.length };
        }
      }
      if (state.status === 'down' && state.nextReminder !== null && now >= state.nextReminder) {
        const plan = planReminder({
          record,
          policy: policyFor(record.def, this.settings.defaults),
          links: { baseUrl: this.settings.baseUrl },
          now,
          group: this.ids.uuid(),
        });
        return {
          state: { ...state, nextReminder: plan.nextReminder },
          jobs: plan.jobs,
          result: plan.jobs.length,
        };
      }
      return { result: 0 };
    });
    if (!done) return;
    this.afterTransition(uuid, done.record.state, done.result > 0);
  }

  /** What a flip writes: the new state (with its next reminder), the flip and its jobs. */
  private flipWrite(
    before: CheckRecord,
    state: CheckState,
    flip: Flip,
    now: number,
    cause: Pick<Parameters<typeof planFlip>[0], 'ping' | 'probe'>,
  ): { state: CheckState; flip: Flip; jobs: NewJob[] } {
    const plan = planFlip({
      before,
      state,
      flip,
      ...cause,
      policy: policyFor(before.def, this.settings.defaults),
      links: { baseUrl: this.settings.baseUrl },
      now,
      group: this.ids.uuid(),
    });
    return { state: { ...state, nextReminder: plan.nextReminder }, flip, jobs: plan.jobs };
  }

  private afterTransition(uuid: string, state: CheckState, mayHaveJobs: boolean): void {
    this.heap.set(uuid, wakeTime(state));
    this.poke();
    if (mayHaveJobs) this.outbox.kick();
  }

  /** Wakes the loop if the earliest wake-up moved before the one it sleeps towards. */
  private poke(): void {
    const next = this.heap.peek();
    if (next !== undefined) this.alarm.wakeBefore(next);
  }

  protected async loop(): Promise<void> {
    while (this.running) {
      const now = this.clock.now();
      const due = this.heap.popDue(now, DUE_BATCH);
      if (due.length > 0) {
        const results = await Promise.allSettled(due.map((d) => this.due(d.key)));
        results.forEach((r, i) => {
          if (r.status === 'rejected') {
            const key = due[i]?.key as string;
            this.logger.error({ err: r.reason, check: key }, 'deadline handling failed; retrying in 1 s');
            if (this.heap.get(key) === undefined) this.heap.set(key, this.clock.now() + 1000);
          }
        });
        continue;
      }
      if (this.resyncMs > 0 && now >= this.nextResync) {
        this.nextResync = now + this.resyncMs;
        try {
          await this.resync();
        } catch (err) {
          this.logger.error({ err }, 'cannot re-read deadlines from the store');
        }
        continue;
      }
      const next = this.resyncMs > 0 ? minOf(this.heap.peek(), this.nextResync) : this.heap.peek();
      const waitMs = next === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, next - now));
      await this.alarm.sleep(waitMs);
    }
  }
}

function minOf(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}
