import type { Clock } from '../lib/clock.js';
import { AppError, toAppError } from '../lib/errors.js';
import { redactSecrets } from '../lib/redact.js';
import type { AlertmanagerPort, NewSilence, PostableAlert } from './alertmanager.js';
import { equalMatcher } from './alertmanager.js';
import {
  type CheckSummary,
  compactDuration,
  type DrillResult,
  type DrillStep,
  isoTime,
  measuredDuration,
  type SilenceSummary,
  type StepName,
} from './model.js';
import type { ObservedCheck, ObservedFlip, ObservedNotification, ObserverPort } from './observer.js';
import { type PollAnswer, type Poller, pollUntil } from './poll.js';
import { describeCheck, evaluatePreflight, observerName, type PreflightFacts } from './preflight.js';
import type { RelayDeliveryRecord, RelayPort } from './relay.js';

/**
 * The drill, step by step: preflight, silence the deadman on Alertmanager, wait for the observer
 * to flip down (and, with alertpath watch, for the page to be sent), expire the silence (always,
 * also when interrupted), wait for recovery, and optionally send a test alert through the relay.
 * Everything it talks to is a port and the clock and poller are injected, so each step is tested
 * without sockets and without waiting.
 */

export interface DrillSettings {
  check: string;
  alert: string;
  maxDetectMs: number;
  timeoutMs: number | undefined;
  preflightOnly: boolean;
  keepSilence: boolean;
  testAlert: boolean;
}

export interface DrillPorts {
  observer: ObserverPort;
  alertmanagers: AlertmanagerPort[];
  relays: RelayPort[];
}

export interface DrillDeps {
  clock: Clock;
  poller: Poller;
  runId: string;
  /** Aborted on SIGINT/SIGTERM; its reason (`SIGTERM`) is reported. */
  signal: AbortSignal;
  /** Each step as it finishes (the text output prints it at once). */
  emit?: (step: DrillStep) => void;
  /** How long every listed Alertmanager has to show (or drop) the silence (default 30 s). */
  peerConfirmMs?: number;
}

export const TEST_ALERT_NAME = 'AlertpathDrill';
export const DRILL_ID_LABEL = 'drill_id';
/** The silence outlives the drill's timeout by this much, then ends by itself. */
export const SILENCE_MARGIN_MS = 5 * 60_000;
/** The default timeout: period + grace + this. */
export const TIMEOUT_MARGIN_MS = 2 * 60_000;
/** However late the flip came, its notification gets at least this long to be sent. */
const NOTIFICATION_MIN_WAIT_MS = 30_000;
const PEER_CONFIRM_MS = 30_000;
const PEER_POLL_MS = 250;

interface ActiveSilence {
  id: string;
  am: AlertmanagerPort;
  startsAt: number;
  endsAt: number;
  expired: boolean;
}

/** A failure of the drill itself (not of an endpoint): the verdict names it. */
class DrillFailure extends Error {}

export async function runDrill(
  settings: DrillSettings,
  ports: DrillPorts,
  deps: DrillDeps,
): Promise<DrillResult> {
  return new Drill(settings, ports, deps).run();
}

class Drill {
  private readonly steps: DrillStep[] = [];
  private phase: StepName = 'check';
  private check: ObservedCheck | undefined;
  private silence: ActiveSilence | undefined;
  /** A silence request that got no answer may still have created one: sweep by comment. */
  private silenceUncertain = false;
  private testAlert: PostableAlert | undefined;
  private testAlertEnd: string | undefined;
  private timeToPageMs: number | null = null;
  private timeToRecoverMs: number | null = null;
  private flipDownAt: number | undefined;
  private silenceExpiredAt: number | undefined;
  private preflightDone = false;
  /** The check's channels by name (Healthchecks lists ids), once the preflight has read them. */
  private channelNames: string[] | undefined;

  constructor(
    private readonly settings: DrillSettings,
    private readonly ports: DrillPorts,
    private readonly deps: DrillDeps,
  ) {}

  private get clock(): Clock {
    return this.deps.clock;
  }

  private get comment(): string {
    return `alertpath drill ${this.deps.runId}`;
  }

  private step(name: StepName, ok: boolean, detail: string): void {
    const step: DrillStep = { name, ok, at: this.clock.now(), detail: redactSecrets(detail) };
    this.steps.push(step);
    this.deps.emit?.(step);
  }

  async run(): Promise<DrillResult> {
    let verdict = '';
    let error: AppError | undefined;
    let failed = false;
    let interrupted = false;
    try {
      verdict = await this.main();
    } catch (err) {
      failed = true;
      if (this.deps.signal.aborted) {
        interrupted = true;
        verdict = `drill interrupted by ${String(this.deps.signal.reason ?? 'a signal')}`;
        this.step(this.phase, false, `interrupted (${String(this.deps.signal.reason ?? 'signal')})`);
      } else {
        const what = this.settings.preflightOnly || !this.preflightDone ? 'preflight' : 'drill';
        if (err instanceof DrillFailure) {
          verdict = `${what} failed: ${err.message}`;
        } else {
          error = toAppError(err);
          const message = redactSecrets(error.message);
          this.step(this.phase, false, message);
          verdict = `${what} failed: ${message}`;
        }
      }
    }
    // Cleanup runs whatever happened, and is never interrupted by the signal.
    await this.cleanup(failed && !interrupted);
    if (this.silence && !this.silence.expired) {
      verdict += `; silence ${this.silence.id} stays until ${isoTime(this.silence.endsAt)}`;
    }
    return {
      ok: !failed,
      runId: this.deps.runId,
      mode: this.settings.preflightOnly ? 'preflight' : 'drill',
      steps: this.steps,
      timeToPageMs: this.timeToPageMs,
      timeToRecoverMs: this.timeToRecoverMs,
      check: this.check ? summary(this.check, this.channelNames) : null,
      silence: this.silence ? silenceSummary(this.silence) : null,
      error: error ? { code: error.code, message: redactSecrets(error.message) } : null,
      verdict,
    };
  }

  private async main(): Promise<string> {
    const check = await this.preflight();
    const windowMs = (check.periodMs ?? 0) + check.graceMs;
    const timeoutMs = this.settings.timeoutMs ?? windowMs + TIMEOUT_MARGIN_MS;
    const windowText = `period ${compactDuration(check.periodMs ?? 0)} + grace ${compactDuration(check.graceMs)}`;
    if (this.settings.preflightOnly) {
      const tested = this.settings.testAlert ? await this.testAlertLeg(timeoutMs) : '';
      return `preflight passed: check ${describeCheck(check)} up, ${windowText} ≤ --max-detect ${compactDuration(this.settings.maxDetectMs)}${tested}`;
    }

    this.phase = 'silence';
    const baseline = await this.ports.observer.flips(check.id, this.deps.signal);
    const silence = await this.createSilence(timeoutMs);
    await this.confirmSilenceOnPeers(silence);

    this.phase = 'page';
    const flip = await this.waitForPage(check, baseline, silence, timeoutMs);
    let pageFailure: string | undefined;
    try {
      await this.waitForNotification(check, flip, silence.startsAt + timeoutMs);
    } catch (err) {
      if (!(err instanceof DrillFailure) || this.settings.keepSilence) throw err;
      pageFailure = err.message; // still expire and wait for recovery before failing
    }

    this.phase = 'unsilence';
    await this.expireSilence();
    if (!this.silence?.expired) throw new DrillFailure(`silence ${silence.id} could not be expired`);

    this.phase = 'recovery';
    await this.waitForRecovery(check, [...baseline, flip], timeoutMs);
    if (pageFailure) throw new DrillFailure(pageFailure);

    const tested = this.settings.testAlert ? await this.testAlertLeg(timeoutMs) : '';
    return `drill passed: paged after ${measuredDuration(this.timeToPageMs ?? 0)} (${windowText}); recovered after ${measuredDuration(this.timeToRecoverMs ?? 0)}${tested}`;
  }

  // 1. Preflight -------------------------------------------------------------------------------

  private async preflight(): Promise<ObservedCheck> {
    const { observer } = this.ports;
    const signal = this.deps.signal;
    this.phase = 'check';
    const check = await observer.findCheck(this.settings.check, signal);
    this.check = check;
    let channels: PreflightFacts['channels'];
    let notifications: PreflightFacts['notifications'];
    if (check.channels !== undefined && check.channels.length > 0) {
      channels = await observer.channels(signal);
      notifications = await observer.notifications(check.id, signal);
      const known = Array.isArray(channels) ? channels : [];
      this.channelNames = check.channels.map(
        (id) => known.find((c) => c.id === id || c.name === id)?.name || id,
      );
    } else if (check.channels !== undefined) this.channelNames = [];
    this.phase = 'alertmanager';
    const alertmanagers = await Promise.all(
      this.ports.alertmanagers.map(async (am) => {
        try {
          const [status, alerts] = await Promise.all([
            am.status(signal),
            am.alerts([equalMatcher('alertname', this.settings.alert)], signal),
          ]);
          return { url: am.url, status, alerts };
        } catch (err) {
          if (signal.aborted) throw err;
          return { url: am.url, error: toAppError(err) };
        }
      }),
    );
    const answered = alertmanagers.filter((a) => a.error === undefined);
    if (answered.length === 0)
      throw alertmanagers[0]?.error ?? new AppError('AP_USAGE', 'no Alertmanager given');
    const findings = evaluatePreflight(
      {
        now: observer.toObserverTime(this.clock.now()),
        check,
        channels,
        notifications,
        alertmanagers: alertmanagers.map((a) =>
          a.error
            ? { url: a.url, error: a.error.message }
            : { url: a.url, status: a.status, alerts: a.alerts },
        ),
      },
      {
        alert: this.settings.alert,
        maxDetectMs: this.settings.maxDetectMs,
        timeoutMs: this.settings.timeoutMs,
        preflightOnly: this.settings.preflightOnly,
      },
    );
    for (const f of findings) this.step(f.name, f.ok, f.detail);
    const failures = findings.filter((f) => !f.ok);
    if (failures.length > 0) {
      throw new DrillFailure(
        failures.length === 1
          ? (failures[0]?.detail ?? '')
          : `${failures.length} problems; first: ${failures[0]?.detail}`,
      );
    }
    this.preflightDone = true;
    return check;
  }

  // 2. Silence --------------------------------------------------------------------------------

  private async createSilence(timeoutMs: number): Promise<ActiveSilence> {
    const now = this.clock.now();
    const endsAt = now + timeoutMs + SILENCE_MARGIN_MS;
    const body: NewSilence = {
      matchers: [{ name: 'alertname', value: this.settings.alert, isRegex: false, isEqual: true }],
      // Alertmanager starts a silence dated in the past now (by its own clock): a drill host whose
      // clock runs ahead must not create a silence that is only pending.
      startsAt: new Date(now - SILENCE_MARGIN_MS).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy: 'alertpath drill',
      comment: this.comment,
    };
    const unreachable: AppError[] = [];
    for (const am of this.ports.alertmanagers) {
      let id: string;
      try {
        id = await am.createSilence(body);
      } catch (err) {
        const e = toAppError(err);
        if (e.code !== 'AP_UNREACHABLE') throw e;
        // A request that timed out may have created the silence all the same.
        this.silenceUncertain = true;
        unreachable.push(e);
        continue;
      }
      const startsAt = this.clock.now();
      this.silence = { id, am, startsAt, endsAt, expired: false };
      this.step(
        'silence',
        true,
        `silenced alertname="${this.settings.alert}" on ${am.url}: silence ${id} ("${this.comment}"), ends by itself at ${isoTime(endsAt)}`,
      );
      return this.silence;
    }
    throw unreachable[0] ?? new AppError('AP_UNREACHABLE', 'no Alertmanager answered');
  }

  private async confirmSilenceOnPeers(silence: ActiveSilence): Promise<void> {
    if (this.ports.alertmanagers.length < 2) return;
    this.phase = 'silence-peers';
    const missing = await this.onEveryPeer(
      silence.id,
      (state) => state === 'active' || state === 'pending',
      this.deps.signal,
    );
    if (missing.length > 0) {
      const detail = `${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not show silence ${silence.id} after ${compactDuration(this.peerConfirmMs)}: the Alertmanagers are not gossiping, and the deadman would keep going out`;
      this.step('silence-peers', false, detail);
      throw new DrillFailure(detail);
    }
    this.step(
      'silence-peers',
      true,
      `silence ${silence.id} is active on all ${this.ports.alertmanagers.length} Alertmanagers`,
    );
  }

  private get peerConfirmMs(): number {
    return this.deps.peerConfirmMs ?? PEER_CONFIRM_MS;
  }

  /** Polls every Alertmanager until its copy of the silence passes `want`; the URLs that never did. */
  private async onEveryPeer(
    id: string,
    want: (state: string | undefined) => boolean,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const pending = new Set(this.ports.alertmanagers);
    // Gossip takes tens of milliseconds: look more often than at the observer.
    const poller = { ...this.deps.poller, intervalMs: Math.min(this.deps.poller.intervalMs, PEER_POLL_MS) };
    await pollUntil(
      poller,
      this.clock.now() + this.peerConfirmMs,
      async () => {
        await Promise.all(
          [...pending].map(async (am) => {
            try {
              if (want((await am.getSilence(id))?.status.state)) pending.delete(am);
            } catch {
              // unreachable for now: asked again at the next poll
            }
          }),
        );
        return pending.size === 0 ? { done: true, value: true } : { done: false };
      },
      signal,
    );
    return [...pending].map((am) => am.url);
  }

  // 3. Wait for the page ------------------------------------------------------------------------

  private async waitForPage(
    check: ObservedCheck,
    baseline: ObservedFlip[],
    silence: ActiveSilence,
    timeoutMs: number,
  ): Promise<ObservedFlip> {
    const { observer } = this.ports;
    const wait = await this.waitForFlip(check, silence.startsAt + timeoutMs, 'down', (fresh) =>
      newFlips(fresh, baseline).find(isDown),
    );
    if (!wait.flip) {
      const detail = `no page within --timeout ${compactDuration(timeoutMs)}: the check is still ${wait.last}${wait.lastError ? ` (last error: ${wait.lastError})` : ' (does something else than Alertmanager ping it?)'}`;
      this.step('page', false, detail);
      throw new DrillFailure(detail);
    }
    const flip = wait.flip;
    this.flipDownAt = flip.at;
    const silencedAt = observer.toObserverTime(silence.startsAt);
    const at = flipInstant(flip.at, silencedAt, observer.toObserverTime(this.clock.now()));
    this.timeToPageMs = Math.max(0, at - silencedAt);
    this.step(
      'page',
      true,
      `${observerName(check)} flipped the check down at ${isoTime(flip.at)}: ${measuredDuration(this.timeToPageMs)} after the silence`,
    );
    return flip;
  }

  /** Polls the observer until the check has `status` and `pick` finds the flip that caused it. */
  private async waitForFlip(
    check: ObservedCheck,
    deadline: number,
    status: 'up' | 'down',
    pick: (flips: ObservedFlip[]) => ObservedFlip | undefined,
  ): Promise<{ flip?: ObservedFlip; last: string; lastError?: string }> {
    const { observer } = this.ports;
    let last = check.status;
    const { found, lastError } = await this.pollTolerant(deadline, async () => {
      const now = await observer.getCheck(check.id, this.deps.signal);
      last = now.status;
      if (now.status !== status) return { done: false };
      const flip = pick(await observer.flips(check.id, this.deps.signal));
      return flip ? { done: true, value: flip } : { done: false };
    });
    return { ...(found ? { flip: found.value } : {}), last, ...(lastError ? { lastError } : {}) };
  }

  private async waitForNotification(
    check: ObservedCheck,
    flip: ObservedFlip,
    pageDeadline: number,
  ): Promise<void> {
    this.phase = 'notification';
    const { observer } = this.ports;
    const first = await observer.notifications(check.id, this.deps.signal);
    if (first === 'unsupported' || first === 'forbidden') {
      this.step(
        'notification',
        true,
        first === 'unsupported'
          ? `${observerName(check)} does not expose notification outcomes: confirm the page reached ${this.channelNames?.join(', ') || 'its channels'}`
          : 'not checked: the API key may not read notifications (use a read-write key)',
      );
      return;
    }
    const waitMs = Math.max(pageDeadline - this.clock.now(), NOTIFICATION_MIN_WAIT_MS);
    let pending: typeof first | undefined = first;
    let progress = 'none queued';
    type Outcome = { ok: true; sent: ObservedNotification } | { ok: false; mine: ObservedNotification[] };
    const { found: outcome, lastError } = await this.pollTolerant(
      this.clock.now() + waitMs,
      async (): Promise<PollAnswer<Outcome>> => {
        const list = pending ?? (await observer.notifications(check.id, this.deps.signal));
        pending = undefined;
        if (!Array.isArray(list)) return { done: false };
        const mine = list.filter((n) => n.event === 'down' && n.created >= flip.at);
        const sent = mine
          .filter((n) => n.status === 'sent')
          .sort((a, b) => (a.finished ?? 0) - (b.finished ?? 0))[0];
        if (sent) return { done: true, value: { ok: true, sent } };
        if (mine.length > 0 && mine.every((n) => n.status === 'failed'))
          return { done: true, value: { ok: false, mine } };
        if (mine.length > 0) progress = mine.map((n) => `${n.channel}: ${n.status}`).join(', ');
        return { done: false };
      },
    );
    if (outcome?.value.ok) {
      const sent = outcome.value.sent;
      this.step(
        'notification',
        true,
        `paged through channel "${sent.channel}"${sent.fallback ? ' (fallback)' : ''}: sent at ${isoTime(sent.finished ?? sent.created)}`,
      );
      return;
    }
    const detail =
      outcome && !outcome.value.ok
        ? `the check went down, but every notification failed: ${outcome.value.mine.map((n) => `${n.channel}: ${n.error ?? 'failed'}`).join('; ')}`
        : `the check went down, but no notification was sent within ${compactDuration(waitMs)} of the flip (${progress}${lastError ? `; last error: ${lastError}` : ''}): no channel, a maintenance window, or a channel still retrying`;
    this.step('notification', false, detail);
    throw new DrillFailure(detail);
  }

  // 4. Unsilence -------------------------------------------------------------------------------

  private async expireSilence(): Promise<void> {
    const silence = this.silence;
    if (!silence || silence.expired) return;
    const order = [silence.am, ...this.ports.alertmanagers.filter((am) => am !== silence.am)];
    const errors: string[] = [];
    for (const am of order) {
      try {
        await am.expireSilence(silence.id);
        silence.expired = true;
        break;
      } catch (err) {
        errors.push(toAppError(err).message);
      }
    }
    const expiredAt = this.clock.now();
    if (!silence.expired) {
      this.step(
        'unsilence',
        false,
        `could not expire silence ${silence.id} (${errors.join('; ')}); it ends by itself at ${isoTime(silence.endsAt)}`,
      );
      return;
    }
    let peers = '';
    if (this.ports.alertmanagers.length > 1) {
      const still = await this.onEveryPeer(silence.id, (state) => state === undefined || state === 'expired');
      if (still.length > 0) {
        silence.expired = false;
        this.step(
          'unsilence',
          false,
          `expired silence ${silence.id}, but ${still.join(', ')} still show${still.length === 1 ? 's' : ''} it active; it ends by itself at ${isoTime(silence.endsAt)}`,
        );
        return;
      }
      peers = ` (expired on all ${this.ports.alertmanagers.length} Alertmanagers)`;
    }
    this.silenceExpiredAt = expiredAt;
    this.step('unsilence', true, `expired silence ${silence.id}${peers}`);
  }

  // 5. Recovery --------------------------------------------------------------------------------

  private async waitForRecovery(
    check: ObservedCheck,
    known: ObservedFlip[],
    timeoutMs: number,
  ): Promise<void> {
    const { observer } = this.ports;
    const from = this.silenceExpiredAt ?? this.clock.now();
    const wait = await this.waitForFlip({ ...check, status: 'down' }, from + timeoutMs, 'up', (fresh) =>
      newFlips(fresh, known).find((f) => f.up && f.at >= (this.flipDownAt ?? 0)),
    );
    if (!wait.flip) {
      const detail = `the check did not recover within ${compactDuration(timeoutMs)} after the silence was expired: still ${wait.last}${wait.lastError ? ` (last error: ${wait.lastError})` : ''}; is "${this.settings.alert}" still firing and routed to the observer?`;
      this.step('recovery', false, detail);
      throw new DrillFailure(detail);
    }
    const expiredAt = observer.toObserverTime(from);
    const at = flipInstant(wait.flip.at, expiredAt, observer.toObserverTime(this.clock.now()));
    this.timeToRecoverMs = Math.max(0, at - expiredAt);
    this.step(
      'recovery',
      true,
      `the check is up again at ${isoTime(wait.flip.at)}: ${measuredDuration(this.timeToRecoverMs)} after the silence was expired`,
    );
  }

  // 6. Test alert ------------------------------------------------------------------------------

  private async testAlertLeg(timeoutMs: number): Promise<string> {
    this.phase = 'test-alert';
    const posted = this.clock.now();
    const alert: PostableAlert = {
      labels: { alertname: TEST_ALERT_NAME, [DRILL_ID_LABEL]: this.deps.runId, severity: 'info' },
      annotations: {
        summary: 'alertpath drill test alert: nothing to do, it resolves itself',
        description: `Sent by alertpath drill run ${this.deps.runId} to prove that alerts reach this channel.`,
      },
      startsAt: new Date(posted).toISOString(),
      endsAt: new Date(posted + timeoutMs + SILENCE_MARGIN_MS).toISOString(),
    };
    this.testAlert = alert;
    const accepted = await this.postToAll(alert);
    this.step(
      'test-alert',
      true,
      `posted ${TEST_ALERT_NAME}{drill_id="${this.deps.runId}"} to ${accepted} of ${this.ports.alertmanagers.length} Alertmanagers`,
    );
    if (this.ports.relays.length === 0) return '; test alert posted (delivery not confirmed: no --relay)';

    this.phase = 'relay-delivery';
    const { found, lastError } = await this.pollTolerant(
      posted + timeoutMs,
      async (): Promise<PollAnswer<RelayDeliveryRecord>> => {
        // Any replica may have delivered it; one that does not answer now is asked again.
        const answers = await Promise.allSettled(
          this.ports.relays.map((relay) => relay.deliveries(this.deps.runId, this.deps.signal)),
        );
        const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
        const hit = answers
          .flatMap((a) => (a.status === 'fulfilled' ? a.value : []))
          .find((d) => d.status === 'firing');
        if (hit) return { done: true, value: hit };
        if (failed) throw failed.reason;
        return { done: false };
      },
    );
    if (!found) {
      const detail = `no relay reported delivering the test alert to Discord within ${compactDuration(timeoutMs)}${lastError ? ` (last error: ${lastError})` : ''}: is ${TEST_ALERT_NAME} routed to the relay?`;
      this.step('relay-delivery', false, detail);
      throw new DrillFailure(detail);
    }
    const d = found.value;
    const after = Math.max(0, d.at - posted);
    this.step(
      'relay-delivery',
      true,
      `${d.relay} delivered it to Discord (route ${d.route}, receiver ${d.receiver}) at ${isoTime(d.at)}, ${compactDuration(after)} after posting`,
    );
    return `; test alert delivered to Discord after ${compactDuration(after)}`;
  }

  private async postToAll(alert: PostableAlert): Promise<number> {
    const results = await Promise.allSettled(this.ports.alertmanagers.map((am) => am.postAlerts([alert])));
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    if (accepted === 0) throw (results[0] as PromiseRejectedResult).reason;
    return accepted;
  }

  // Cleanup ------------------------------------------------------------------------------------

  private async cleanup(failed: boolean): Promise<void> {
    if (this.testAlert) {
      this.testAlertEnd = this.testAlert.endsAt;
      const resolved = { ...this.testAlert, endsAt: new Date(this.clock.now()).toISOString() };
      this.testAlert = undefined;
      try {
        const n = await this.postToAll(resolved);
        this.step(
          'resolve-test-alert',
          true,
          `resolved the test alert on ${n} of ${this.ports.alertmanagers.length} Alertmanagers`,
        );
      } catch (err) {
        this.step(
          'resolve-test-alert',
          false,
          `could not resolve the test alert (${toAppError(err).message}); it ends by itself at ${isoTime(Date.parse(this.testAlertEnd ?? resolved.endsAt))}`,
        );
      }
    }
    const silence = this.silence;
    if (silence && !silence.expired) {
      if (failed && this.settings.keepSilence) {
        this.step(
          'unsilence',
          true,
          `kept silence ${silence.id} (--keep-silence); it ends by itself at ${isoTime(silence.endsAt)}`,
        );
      } else {
        await this.expireSilence();
      }
    }
    if (this.silenceUncertain && !(failed && this.settings.keepSilence)) await this.sweepSilences();
  }

  /** Expires any silence this run made that it did not get an answer for. */
  private async sweepSilences(): Promise<void> {
    for (const am of this.ports.alertmanagers) {
      try {
        const stray = (await am.listSilences([equalMatcher('alertname', this.settings.alert)])).filter(
          (s) => s.comment === this.comment && s.status.state !== 'expired' && s.id !== this.silence?.id,
        );
        for (const s of stray) {
          await am.expireSilence(s.id);
          this.step(
            'unsilence',
            true,
            `expired silence ${s.id} on ${am.url} (made by a request that got no answer)`,
          );
        }
      } catch {
        // this Alertmanager does not answer; its silences end by themselves
      }
    }
  }

  /**
   * Polls until `look` is done or the deadline passes. An endpoint error that another look may
   * not see (a timeout, a 503) is remembered and the polling goes on; a refused key or a check
   * that is gone ends it.
   */
  private async pollTolerant<T>(
    deadline: number,
    look: () => Promise<PollAnswer<T>>,
  ): Promise<{ found: { value: T } | undefined; lastError: string | undefined }> {
    let lastError: string | undefined;
    const found = await pollUntil(
      this.deps.poller,
      deadline,
      async () => {
        try {
          const answer = await look();
          lastError = undefined;
          return answer;
        } catch (err) {
          if (this.deps.signal.aborted || isPermanent(err)) throw err;
          lastError = toAppError(err).message;
          return { done: false };
        }
      },
      this.deps.signal,
    );
    return { found, lastError };
  }
}

/**
 * When a flip happened, from the observer's record: both observers date flips in whole seconds
 * (truncated), so the flip lies in `[recorded, recorded + 1 s)`, after `notBefore` (the silence or
 * its expiry caused it) and before `notAfter` (when the drill saw it). The middle of that interval
 * is within half a second of the truth.
 */
export function flipInstant(recorded: number, notBefore: number, notAfter: number): number {
  const lo = Math.max(recorded, notBefore);
  const hi = Math.min(recorded + 999, notAfter);
  return hi < lo ? recorded : Math.round((lo + hi) / 2);
}

/** Flips not in `known` (same time and direction), as a multiset. */
function newFlips(flips: ObservedFlip[], known: ObservedFlip[]): ObservedFlip[] {
  const remaining = [...known];
  const out: ObservedFlip[] = [];
  for (const f of [...flips].sort((a, b) => a.at - b.at)) {
    const i = remaining.findIndex((k) => k.at === f.at && k.up === f.up);
    if (i >= 0) remaining.splice(i, 1);
    else out.push(f);
  }
  return out;
}

function isDown(f: ObservedFlip): boolean {
  return !f.up && (f.to === undefined || f.to === 'down');
}

/** Errors that polling again will not fix: a refused key, a check that is gone. */
function isPermanent(err: unknown): boolean {
  if (!(err instanceof AppError)) return false;
  return ['AP_UNAUTHORIZED', 'AP_FORBIDDEN', 'AP_NOT_FOUND', 'AP_USAGE'].includes(err.code);
}

function summary(c: ObservedCheck, channelNames: string[] | undefined): CheckSummary {
  return {
    uuid: c.uuid ?? null,
    name: c.name,
    slug: c.slug,
    status: c.status,
    periodSeconds: c.periodMs === undefined ? null : c.periodMs / 1000,
    graceSeconds: c.graceMs / 1000,
    channels: channelNames ?? c.channels ?? null,
    observer: c.flavor,
  };
}

function silenceSummary(s: ActiveSilence): SilenceSummary {
  return {
    id: s.id,
    alertmanager: s.am.url,
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    expired: s.expired,
  };
}
