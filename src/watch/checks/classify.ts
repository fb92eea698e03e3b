import { looksLikeWebhookPayload } from '../../alertmanager/payload.js';
import type { CheckDef, CheckState, PingInput, PingKind } from './model.js';

/**
 * What a ping means for a check: success, fail, start, log or ign. Pure; the order of the rules
 * is the contract:
 *   0. a probe check takes no pings: its status comes from probe results (a `/log` is kept);
 *   1. a paused check with manual resume ignores every ping;
 *   2. a check with `methods: POST` ignores other methods;
 *   3. `/log` is a log entry, whatever the body says;
 *   4. an Alertmanager webhook body: `resolved` is ign (a resolved Watchdog is no sign of life),
 *      `firing` is a success;
 *   5. keyword filters, for plain pings: failure first, then success, then start; no match is ign
 *      (or fail with `defaultFail`);
 *   6. otherwise what the URL asked for (an exit status above 0 is a fail).
 */
export function classifyPing(def: CheckDef, state: Pick<CheckState, 'status'>, ping: PingInput): PingKind {
  if (def.schedule.kind === 'probe')
    return ping.action === 'log' && ping.exitStatus === undefined ? 'log' : 'ign';
  if (state.status === 'paused' && def.manualResume) return 'ign';
  if (def.methods === 'POST' && ping.method !== 'POST') return 'ign';
  const requested = requestedKind(ping);
  if (requested === 'log') return 'log';

  const body = ping.body;
  if (def.alertmanager && body !== undefined && body.length > 0 && body.trimStart().startsWith('{')) {
    const status = alertmanagerStatus(body);
    if (status === 'resolved') return 'ign';
    if (status === 'firing' && requested === 'success') return 'success';
  }

  const filter = def.filter;
  if (filter && requested === 'success' && ping.exitStatus === undefined) {
    const text = body ?? '';
    if (containsAny(text, filter.failure)) return 'fail';
    if (containsAny(text, filter.success)) return 'success';
    if (containsAny(text, filter.start)) return 'start';
    return filter.defaultFail ? 'fail' : 'ign';
  }
  return requested;
}

function requestedKind(ping: PingInput): 'success' | 'fail' | 'start' | 'log' {
  if (ping.exitStatus !== undefined) return ping.exitStatus === 0 ? 'success' : 'fail';
  return ping.action;
}

function containsAny(text: string, keywords: string[]): boolean {
  for (const k of keywords) if (k.length > 0 && text.includes(k)) return true;
  return false;
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
