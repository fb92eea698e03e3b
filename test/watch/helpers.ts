import type { CheckDef, CheckRecord, PingInput, PingRecord } from '../../src/watch/checks/model.js';
import { initialState } from '../../src/watch/checks/model.js';
import type { Notification } from '../../src/watch/notify/types.js';

export const T0 = Date.UTC(2026, 10, 25, 3, 0, 12);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

export function def(over: Partial<CheckDef> = {}): CheckDef {
  return {
    name: 'nightly-backup',
    slug: 'nightly-backup',
    tags: [],
    desc: '',
    schedule: { kind: 'simple', periodMs: HOUR },
    graceMs: 10 * MIN,
    manualResume: false,
    methods: '',
    alertmanager: true,
    ...over,
  };
}

export function record(
  over: Partial<CheckDef> = {},
  uuid = '5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11',
): CheckRecord {
  return { uuid, managed: false, createdAt: T0, def: def(over), state: initialState() };
}

export function ping(at: number, over: Partial<PingInput> = {}): PingInput {
  return { action: 'success', at, method: 'GET', ...over };
}

/** A channel transport that records what it is asked to send and fails while `failing` is set. */
export class FakeTransport {
  readonly type = 'fake';
  readonly sent: Notification[] = [];
  readonly tries: Array<{ at: number; ok: boolean }> = [];
  failing = false;
  private waiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    private readonly now: () => number = Date.now,
  ) {}

  async send(n: Notification): Promise<void> {
    this.tries.push({ at: this.now(), ok: !this.failing });
    for (const w of this.waiters.splice(0)) w();
    if (this.failing) throw new Error(`${this.name} is down (HTTP 503)`);
    this.sent.push(n);
  }

  /** Resolves once `count` tries have been made. */
  async waitForTries(count: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.tries.length < count) {
      if (Date.now() > until)
        throw new Error(`${this.name}: expected ${count} tries, saw ${this.tries.length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

/** Lets group commits (setImmediate) and follow-up promises run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((r) => setImmediate(r));
    for (let j = 0; j < 10; j++) await Promise.resolve();
  }
}

/** A ping as a transition writes it (store tests). */
export function storedPing(over: Partial<Omit<PingRecord, 'n'>> = {}): Omit<PingRecord, 'n'> {
  return {
    kind: 'success',
    at: T0,
    method: 'POST',
    rid: null,
    exitStatus: null,
    duration: null,
    remoteAddr: '',
    userAgent: '',
    scheme: 'http',
    body: null,
    ...over,
  };
}
