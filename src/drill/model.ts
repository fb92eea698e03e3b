import { formatDuration } from '../lib/duration.js';
import type { ErrorCode } from '../lib/errors.js';

/** What a drill reports: its steps, in order, and the verdict. */

export type StepName =
  | 'check'
  | 'detect-window'
  | 'channels'
  | 'alertmanager'
  | 'silence'
  | 'silence-peers'
  | 'page'
  | 'notification'
  | 'unsilence'
  | 'recovery'
  | 'test-alert'
  | 'relay-delivery'
  | 'resolve-test-alert'
  | 'report-ping';

export interface DrillStep {
  name: StepName;
  ok: boolean;
  /** Epoch ms (local clock) when the step finished. */
  at: number;
  detail: string;
}

export interface CheckSummary {
  uuid: string | null;
  name: string;
  slug: string;
  status: string;
  periodSeconds: number | null;
  graceSeconds: number;
  /** Channel names; null when the API key cannot see them. */
  channels: string[] | null;
  observer: 'alertpath' | 'healthchecks';
}

export interface SilenceSummary {
  id: string;
  alertmanager: string;
  startsAt: string;
  endsAt: string;
  expired: boolean;
}

export interface DrillResult {
  ok: boolean;
  runId: string;
  mode: 'drill' | 'preflight';
  steps: DrillStep[];
  timeToPageMs: number | null;
  timeToRecoverMs: number | null;
  check: CheckSummary | null;
  silence: SilenceSummary | null;
  /** Why it could not run or stopped (an unreachable endpoint, a refused key); decides the exit code. */
  error: { code: ErrorCode; message: string } | null;
  verdict: string;
}

/** `7m12s`, `5s`, `2d3h`: the compact form of the verdict line. */
export function compactDuration(ms: number): string {
  return formatDuration(ms).replace(/ /g, '');
}

/** A measured time, at the observers' one-second resolution: `7m12s`, `4s`, `0s`. */
export function measuredDuration(ms: number): string {
  const rounded = Math.round(ms / 1000) * 1000;
  return rounded === 0 ? '0s' : compactDuration(rounded);
}

/** `23:02:48Z`-style times in details: ISO 8601 UTC, whole seconds. */
export function isoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
