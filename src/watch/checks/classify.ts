import { looksLikeWebhookPayload } from '../../alertmanager/payload.js';
import { type CheckDef, type CheckState, matchesKeywords, type PingInput, type PingKind } from './model.js';

/**
 * What a ping means for a check: success, fail, start, log or ign. Pure; the order of the rules
 * is the contract (Healthchecks' own, plus rule 4):
 *   0. a probe check takes no pings: its status comes from probe results (a `/log` is kept);
 *   1. a paused check with manual resume ignores every ping;
 *   2. a check with `methods: POST` ignores other methods;
 *   3. what the URL asks for: `/start`, `/fail`, `/log`, an exit status (above 0 is a fail), or
 *      success;
 *   4. an Alertmanager webhook body: `resolved` is ign (a resolved Watchdog is no sign of life),
 *      `firing` is a success;
 *   5. with `filter_http_body`, the body's keywords decide, whatever the URL asked for: failure
 *      first, then success, then start; no match is ign (or fail with `filter_default_fail`).
 */
export function classifyPing(def: CheckDef, state: Pick<CheckState, 'status'>, ping: PingInput): PingKind {
  if (def.schedule.kind === 'probe')
    return ping.action === 'log' && ping.exitStatus === undefined ? 'log' : 'ign';
  if (state.status === 'paused' && def.manualResume) return 'ign';
  if (def.methods === 'POST' && ping.method !== 'POST') return 'ign';
  const requested = requestedKind(ping);

  const body = ping.body;
  if (
    requested !== 'log' &&
    def.alertmanager &&
    body !== undefined &&
    body.length > 0 &&
    body.trimStart().startsWith('{')
  ) {
    const status = alertmanagerStatus(body);
    if (status === 'resolved') return 'ign';
    if (status === 'firing' && requested === 'success') return 'success';
  }

  const filter = def.filter;
  if (filter?.httpBody) {
    const text = body ?? '';
    if (matchesKeywords(text, filter.failureKw)) return 'fail';
    if (matchesKeywords(text, filter.successKw)) return 'success';
    if (matchesKeywords(text, filter.startKw)) return 'start';
    return filter.defaultFail ? 'fail' : 'ign';
  }
  return requested;
}

function requestedKind(ping: PingInput): 'success' | 'fail' | 'start' | 'log' {
  if (ping.exitStatus !== undefined) return ping.exitStatus === 0 ? 'success' : 'fail';
  return ping.action;
}

/** `firing` / `resolved` when the body is an Alertmanager webhook payload, else undefined. */
export function alertmanagerStatus(body: string): 'firing' | 'resolved' | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!looksLikeWebhookPayload(parsed)) return undefined;
  return parsed.status === 'resolved' ? 'resolved' : parsed.status === 'firing' ? 'firing' : undefined;
}
