import type {
  AlertmanagerPort,
  AmAlert,
  AmStatus,
  NewSilence,
  PostableAlert,
  Silence,
} from '../../src/drill/alertmanager.js';
import type {
  ObservedChannel,
  ObservedCheck,
  ObservedFlip,
  ObservedNotification,
  ObserverPort,
} from '../../src/drill/observer.js';
import type { RelayDeliveryRecord, RelayPort } from '../../src/drill/relay.js';
import type { Clock } from '../../src/lib/clock.js';
import { AppError } from '../../src/lib/errors.js';

/**
 * A simulated alert path for the drill's unit tests, driven by a manual clock: Alertmanager
 * pings the observer every `pingEveryMs` unless a silence is active; the observer goes down
 * at last ping + period + grace and pages its channel after `notifyDelayMs`. Time stands still
 * unless the test advances the clock, so a 10-minute drill runs in milliseconds.
 */

export interface WorldOptions {
  periodMs: number;
  graceMs: number;
  pingEveryMs?: number;
  notifyDelayMs?: number;
  notifyFails?: boolean;
  channels?: string[];
  /** Something else keeps pinging the check: silencing Alertmanager does not stop it. */
  otherPinger?: boolean;
  /** Offset of the observer's clock from ours. */
  observerOffsetMs?: number;
  /** Alertmanager peers: how many, and which never receive silences by gossip. */
  peers?: number;
  isolatedPeers?: number[];
  unreachablePeers?: number[];
  refuseSilence?: boolean;
}

const STEP_MS = 100;

export class World {
  readonly options: Required<Omit<WorldOptions, 'isolatedPeers' | 'unreachablePeers'>> & {
    isolatedPeers: number[];
    unreachablePeers: number[];
  };
  status: 'up' | 'down' = 'up';
  lastPing: number;
  readonly flips: Array<{ at: number; up: boolean; to: string }> = [];
  readonly notifications: ObservedNotification[] = [];
  readonly silences: Array<Silence & { createdAt: number }> = [];
  readonly alerts: PostableAlert[] = [];
  readonly deliveries: RelayDeliveryRecord[] = [];
  readonly calls: string[] = [];
  private simulated: number;
  private lastAttempt: number;

  constructor(
    readonly clock: Clock,
    options: WorldOptions,
  ) {
    this.options = {
      pingEveryMs: options.periodMs,
      notifyDelayMs: 300,
      notifyFails: false,
      channels: ['phone'],
      otherPinger: false,
      observerOffsetMs: 0,
      peers: 1,
      refuseSilence: false,
      ...options,
      isolatedPeers: options.isolatedPeers ?? [],
      unreachablePeers: options.unreachablePeers ?? [],
    };
    this.simulated = clock.now();
    this.lastPing = clock.now() - 1000;
    this.lastAttempt = this.lastPing;
    this.flips.push({ at: this.obs(this.lastPing - 3600_000), up: true, to: 'up' });
  }

  /** The observer's clock, in whole seconds as both observers write timestamps. */
  obs(local: number): number {
    return Math.floor((local + this.options.observerOffsetMs) / 1000) * 1000;
  }

  silencedAt(t: number): boolean {
    return this.silences.some(
      (s) => s.status.state !== 'expired' && s.createdAt <= t && Date.parse(s.endsAt) > t,
    );
  }

  /** Runs the simulation up to now. */
  advance(): void {
    const now = this.clock.now();
    for (let t = this.simulated + STEP_MS; t <= now; t += STEP_MS) {
      const pinging = this.options.otherPinger || !this.silencedAt(t);
      if (pinging && t - this.lastAttempt >= this.options.pingEveryMs) {
        this.lastAttempt = t;
        this.lastPing = t;
        if (this.status === 'down') {
          this.status = 'up';
          this.flips.push({ at: this.obs(t), up: true, to: 'up' });
        }
      }
      const deadline = this.lastPing + this.options.periodMs + this.options.graceMs;
      if (this.status === 'up' && t >= deadline) {
        this.status = 'down';
        this.flips.push({ at: this.obs(deadline), up: false, to: 'down' });
        for (const channel of this.options.channels)
          this.notifications.unshift({
            channel,
            event: 'down',
            fallback: false,
            status: 'pending',
            tries: 0,
            created: this.obs(t),
            finished: null,
            error: null,
          });
      }
      for (const n of this.notifications) {
        if (n.status === 'pending' && t - n.created >= this.options.notifyDelayMs) {
          n.status = this.options.notifyFails ? 'failed' : 'sent';
          n.tries = this.options.notifyFails ? 3 : 1;
          n.finished = this.obs(t);
          if (this.options.notifyFails) n.error = 'hooks.example.net answered HTTP 503';
        }
      }
    }
    this.simulated = now - ((now - this.simulated) % STEP_MS);
  }

  checkNow(): ObservedCheck {
    this.advance();
    const t = this.clock.now();
    const late = this.status === 'up' && t >= this.lastPing + this.options.periodMs;
    return {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      uuid: 'c0ffee00-0000-4000-8000-000000000001',
      name: 'watchdog',
      slug: 'watchdog',
      status: late ? 'grace' : this.status,
      lastPing: this.obs(this.lastPing),
      periodMs: this.options.periodMs,
      schedule: undefined,
      graceMs: this.options.graceMs,
      channels: this.options.channels,
      flavor: 'alertpath',
      probe: false,
    };
  }

  observer(): ObserverPort {
    const world = this;
    return {
      url: 'https://watch.example.net',
      async findCheck(ref) {
        world.calls.push(`findCheck ${ref}`);
        if (ref !== 'watchdog')
          throw new AppError('AP_NOT_FOUND', `the observer has no check with slug "${ref}"`);
        return world.checkNow();
      },
      async getCheck() {
        world.calls.push('getCheck');
        return world.checkNow();
      },
      async flips(): Promise<ObservedFlip[]> {
        world.advance();
        return [...world.flips].reverse();
      },
      async channels(): Promise<ObservedChannel[]> {
        return world.options.channels.map((c) => ({ id: c, name: c, kind: 'ntfy' }));
      },
      async notifications() {
        world.advance();
        return world.notifications.map((n) => ({ ...n }));
      },
      toObserverTime: (local) => local + world.options.observerOffsetMs,
    };
  }

  alertmanagers(): AlertmanagerPort[] {
    return Array.from({ length: this.options.peers }, (_, i) => this.alertmanager(i));
  }

  private alertmanager(i: number): AlertmanagerPort {
    const world = this;
    const url = `http://am-${i}.example.net:9093`;
    const reachable = () => {
      if (world.options.unreachablePeers.includes(i))
        throw new AppError('AP_UNREACHABLE', `cannot reach Alertmanager ${url}: connection refused`);
    };
    const visible = (s: Silence & { createdAt: number }) =>
      !world.options.isolatedPeers.includes(i) || s.createdAt < 0;
    return {
      url,
      async status(): Promise<AmStatus> {
        reachable();
        return {
          cluster: {
            status: world.options.peers > 1 ? 'ready' : 'disabled',
            peers: Array.from({ length: world.options.peers }, (_, j) => ({
              name: `p${j}`,
              address: `10.0.0.${j}:9094`,
            })),
          },
        };
      },
      async alerts(): Promise<AmAlert[]> {
        reachable();
        world.advance();
        const silencedBy = world.silences.filter((s) => s.status.state === 'active').map((s) => s.id);
        return [
          {
            labels: { alertname: 'Watchdog' },
            status: { state: silencedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
            receivers: [{ name: 'deadman' }],
          },
        ];
      },
      async createSilence(s: NewSilence): Promise<string> {
        reachable();
        world.calls.push(`createSilence ${url}`);
        if (world.options.refuseSilence)
          throw new AppError(
            'AP_UPSTREAM_REJECTED',
            `Alertmanager ${url} refused the silence: HTTP 400: bad matchers`,
          );
        world.advance();
        const id = `silence-${world.silences.length + 1}`;
        world.silences.push({
          id,
          status: { state: 'active' },
          comment: s.comment,
          createdBy: s.createdBy,
          startsAt: new Date(world.clock.now()).toISOString(),
          endsAt: s.endsAt,
          matchers: s.matchers,
          createdAt: world.clock.now(),
        });
        return id;
      },
      async getSilence(id) {
        reachable();
        const s = world.silences.find((x) => x.id === id);
        return s && visible(s) ? { ...s, status: { ...s.status } } : undefined;
      },
      async listSilences() {
        reachable();
        return world.silences.filter(visible).map((s) => ({ ...s }));
      },
      async expireSilence(id) {
        reachable();
        world.calls.push(`expireSilence ${url}`);
        world.advance();
        const s = world.silences.find((x) => x.id === id);
        if (!s) throw new AppError('AP_UPSTREAM_REJECTED', 'silence not found');
        s.status.state = 'expired';
        s.endsAt = new Date(world.clock.now()).toISOString();
      },
      async postAlerts(alerts) {
        reachable();
        world.alerts.push(...alerts);
        for (const a of alerts)
          if (Date.parse(a.endsAt) > world.clock.now())
            world.deliveries.push({
              relay: 'http://relay.example.net:9095',
              route: 'default',
              receiver: 'discord',
              status: 'firing',
              at: world.clock.now() + 1500,
            });
      },
    };
  }

  relay(): RelayPort {
    const world = this;
    return {
      url: 'http://relay.example.net:9095',
      async deliveries(drillId) {
        world.calls.push(`deliveries ${drillId}`);
        return world.deliveries.filter((d) => d.at <= world.clock.now());
      },
    };
  }

  activeSilences(): Silence[] {
    return this.silences.filter((s) => s.status.state !== 'expired');
  }
}
