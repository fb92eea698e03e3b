import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import type { ProbeResult } from '../checks/model.js';
import type { WatchEngine } from '../engine/index.js';
import type { WatchMetrics } from '../metrics.js';
import { AttempterPool, runProbe } from './run.js';
import { ProbeScheduler } from './scheduler.js';
import type { ProbeSpec } from './spec.js';

/**
 * Active probes: the scheduler runs each configured probe on its grid; each result goes to the
 * engine (history, flap damping, flip, outbox jobs: one transaction) and to /metrics. Nothing
 * here waits for a notification to be sent: the outbox sends on its own.
 */

export interface ProbeBinding {
  /** The check's uuid. */
  uuid: string;
  spec: ProbeSpec;
}

export interface ProberOptions {
  engine: Pick<WatchEngine, 'probeResult'>;
  clock: Clock;
  logger: Logger;
  metrics: WatchMetrics;
  concurrency?: number;
  /** Replaces the network attempt (tests of scheduling and damping). */
  run?: (spec: ProbeSpec, signal: AbortSignal) => Promise<ProbeResult>;
}

export class Prober {
  readonly scheduler: ProbeScheduler;
  private readonly attempters = new AttempterPool();
  private readonly o: ProberOptions;
  private names = new Set<string>();

  constructor(options: ProberOptions) {
    this.o = options;
    this.scheduler = new ProbeScheduler({
      clock: options.clock,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      onStart: (lateMs) => options.metrics.probeStartDelay.observe(lateMs / 1000),
      onError: (err, probe) => options.logger.error({ err, check: probe.name }, 'probe run failed'),
    });
  }

  /** Sets the probes to run (at start and after each config reload). */
  configure(bindings: ProbeBinding[]): void {
    const names = new Set(bindings.map((b) => b.spec.name));
    for (const gone of this.names) {
      if (names.has(gone)) continue;
      this.o.metrics.probeDuration.remove({ check: gone });
      this.o.metrics.probeSuccess.remove({ check: gone });
    }
    this.names = names;
    this.scheduler.update(
      bindings.map(({ uuid, spec }) => ({
        id: uuid,
        name: spec.name,
        intervalMs: spec.intervalMs,
        run: (signal) => this.runOnce(uuid, spec, signal),
      })),
    );
  }

  start(): void {
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.attempters.close();
  }

  private async runOnce(uuid: string, spec: ProbeSpec, signal: AbortSignal): Promise<void> {
    const result = this.o.run
      ? await this.o.run(spec, signal)
      : await runProbe(spec, { clock: this.o.clock, attempters: this.attempters }, signal);
    if (signal.aborted) return; // stopping: a result cut short by the shutdown is not a verdict
    const { metrics, logger } = this.o;
    metrics.probeDuration.set({ check: spec.name }, result.latencyMs / 1000);
    metrics.probeSuccess.set({ check: spec.name }, result.ok ? 1 : 0);
    const done = await this.o.engine.probeResult(uuid, result);
    if (!done) return; // the check was removed meanwhile
    if (done.flip) {
      const log = { check: spec.name, from: done.flip.from, to: done.flip.to, result: result.message };
      if (done.flip.to === 'down') logger.warn(log, 'probe check is down');
      else logger.info(log, `probe check is ${done.flip.to}`);
    } else if (!result.ok) {
      logger.debug({ check: spec.name, result: result.message }, 'probe failed');
    }
  }
}
