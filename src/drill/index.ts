import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../lib/clock.js';
import { ERROR_CODES, toAppError } from '../lib/errors.js';
import { postReport } from '../lib/outbound.js';
import { redactSecrets } from '../lib/redact.js';
import { AlertmanagerClient } from './alertmanager.js';
import type { DrillResult, DrillStep } from './model.js';
import { ObserverClient } from './observer.js';
import type { DrillPlan } from './options.js';
import { RelayClient } from './relay.js';
import { formatJson, formatStep } from './report.js';
import { runDrill } from './run.js';

export { buildDrillPlan, DRILL_DEFAULTS, type DrillFlags } from './options.js';

/** Polls every 2 s, ±20 %. */
const POLL_INTERVAL_MS = 2000;
const POLL_JITTER = 0.2;
const REPORT_DEADLINE_MS = 15_000;
const REPORT_BODY_MAX = 10_000;

export interface DrillIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  clock?: Clock;
  /** Signals that interrupt the drill (default SIGINT and SIGTERM of this process). */
  signals?: NodeJS.Signals[];
}

/**
 * Runs `alertpath drill` to completion and returns the exit code: 0 passed, 1 failed, 2 usage
 * error or an endpoint that cannot be reached (from the AP_* table in src/lib/errors.ts).
 * SIGINT and SIGTERM stop the waiting; the silence is expired before it exits all the same.
 */
export async function runDrillCommand(plan: DrillPlan, io: DrillIo): Promise<number> {
  const clock = io.clock ?? systemClock;
  const runId = randomBytes(6).toString('hex');
  const interrupt = new AbortController();
  const signals = io.signals ?? ['SIGINT', 'SIGTERM'];
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      io.stderr.write(`alertpath: ${signal} again: still expiring the silence, please wait\n`);
      return;
    }
    io.stderr.write(`alertpath: ${signal}: stopping the drill and expiring its silence\n`);
    interrupt.abort(signal);
  };
  for (const s of signals) process.on(s, onSignal);

  const text = plan.format === 'text';
  const emit = (step: DrillStep) => {
    if (text) io.stdout.write(`${formatStep(step)}\n`);
  };
  let result: DrillResult;
  try {
    result = await runDrill(
      plan,
      {
        observer: new ObserverClient(plan.observer, plan.apiKey, clock),
        alertmanagers: plan.alertmanagers.map(
          (url) => new AlertmanagerClient(url, plan.alertmanagerAuth, clock),
        ),
        relays: plan.relays.map((url) => new RelayClient(url, plan.relayAuth, clock)),
      },
      {
        clock,
        poller: { clock, intervalMs: POLL_INTERVAL_MS, jitter: POLL_JITTER, random: Math.random },
        runId,
        signal: interrupt.signal,
        emit,
      },
    );
    if (plan.reportPing) await reportResult(plan.reportPing, result, clock, emit);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }

  if (text) io.stdout.write(`${result.verdict}\n`);
  else io.stdout.write(formatJson(result));
  if (result.error) io.stderr.write(`alertpath: ${firstLine(result.error.message)}\n`);
  else if (!result.ok && !text) io.stderr.write(`alertpath: ${firstLine(result.verdict)}\n`);
  if (result.ok) return 0;
  return result.error ? ERROR_CODES[result.error.code].exit : ERROR_CODES.AP_DRILL_FAILED.exit;
}

/**
 * Sends the result to an observer check as a ping body: to URL when the drill passed, to
 * URL/fail when it did not (Healthchecks' and watch's convention), so a failed drill pages.
 */
async function reportResult(
  url: string,
  result: DrillResult,
  clock: Clock,
  emit: (step: DrillStep) => void,
): Promise<void> {
  const target = new URL(url);
  if (!result.ok) target.pathname = `${target.pathname.replace(/\/+$/, '')}/fail`;
  const body = [...result.steps.map(formatStep), result.verdict].join('\n').slice(0, REPORT_BODY_MAX);
  let step: DrillStep;
  try {
    await postReport(target.toString(), body, { deadline: clock.now() + REPORT_DEADLINE_MS, clock });
    step = {
      name: 'report-ping',
      ok: true,
      at: clock.now(),
      detail: `reported ${result.ok ? 'success' : 'failure'} to ${target.origin}/… (${result.ok ? 'the ping URL' : 'its /fail'})`,
    };
  } catch (err) {
    // The verdict stands; the report check, a deadman itself, pages when reports stop.
    step = {
      name: 'report-ping',
      ok: false,
      at: clock.now(),
      detail: redactSecrets(toAppError(err).message),
    };
  }
  result.steps.push(step);
  emit(step);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
