import { failText, probeDownText, reminderText, timeoutText, upText } from '../checks/message.js';
import type {
  CheckDef,
  CheckRecord,
  CheckState,
  Flip,
  MaintenanceWindow,
  PingInput,
} from '../checks/model.js';
import { maintenanceEnd } from '../checks/schedule.js';
import type { Notification, NotifyEvent } from '../notify/types.js';
import type { NewJob } from '../store/types.js';

/**
 * Who hears about a flip or a reminder, and what they read. Pure: the outbox jobs are computed
 * here and written by the store in the same transaction as the flip.
 */

export interface NotifyPolicy {
  channels: string[];
  fallback: string[];
  repeatMs: number;
  maintenance: MaintenanceWindow[];
}

export interface Defaults {
  channels: string[];
  fallback: string[];
  repeatMs: number;
  maintenance: MaintenanceWindow[];
}

export function policyFor(def: CheckDef, defaults: Defaults): NotifyPolicy {
  return {
    channels: def.channels ?? defaults.channels,
    fallback: defaults.fallback,
    repeatMs: def.repeatMs ?? defaults.repeatMs,
    maintenance: def.maintenance ?? defaults.maintenance,
  };
}

export interface Links {
  baseUrl: string;
}

export interface Plan {
  jobs: NewJob[];
  nextReminder: number | null;
}

function checkInfo(record: CheckRecord, links: Links): Notification['check'] {
  return {
    uuid: record.uuid,
    name: record.def.name,
    slug: record.def.slug,
    tags: record.def.tags,
    desc: record.def.desc,
    pingUrl: `${links.baseUrl}/ping/${record.uuid}`,
  };
}

function jobsFor(
  policy: NotifyPolicy,
  group: string,
  n: Notification,
  now: number,
  causedAt: number,
): NewJob[] {
  return policy.channels.map((channel) => ({
    group,
    channel,
    event: n.event,
    notification: n,
    fallbackChannels: policy.fallback,
    dueAt: now,
    causedAt,
  }));
}

/**
 * Jobs for a flip. `before` is the record before the flip, `state` after it; `now` is when the
 * engine noticed (a deadline that passed while the process was down is noticed late).
 */
export function planFlip(args: {
  before: CheckRecord;
  state: CheckState;
  flip: Flip;
  ping?: PingInput;
  /** For probe flips: the failing condition and how many failures in a row led to it. */
  probe?: { condition: string; failures: number };
  policy: NotifyPolicy;
  links: Links;
  now: number;
  group: string;
}): Plan {
  const { before, flip, policy, now } = args;
  const def = before.def;
  let event: NotifyEvent | undefined;
  let text = '';
  if (flip.to === 'down') {
    event = 'down';
    text =
      flip.reason === 'fail'
        ? failText(def, flip.at, args.ping?.exitStatus, args.ping?.body)
        : flip.reason === 'probe' && args.probe
          ? probeDownText(def, args.probe.condition, args.probe.failures)
          : timeoutText(def, before.state, flip);
  } else if (flip.to === 'up' && flip.from === 'down') {
    event = 'up';
    text = upText(def, before.state.downSince, flip.at);
  }
  if (!event) return { jobs: [], nextReminder: flip.to === 'down' ? args.state.nextReminder : null };

  const reminderAfter = (from: number) => (policy.repeatMs > 0 ? from + policy.repeatMs : null);
  const quietUntil = maintenanceEnd(policy.maintenance, now);
  if (quietUntil !== undefined) {
    // Suppressed; if still down when the window ends, the reminder tells.
    return { jobs: [], nextReminder: event === 'down' ? quietUntil : null };
  }
  const notification: Notification = {
    event,
    check: checkInfo(before, args.links),
    text,
    reason: flip.reason,
    at: flip.at,
    ...(args.ping && (flip.reason === 'fail' || flip.reason === 'success')
      ? {
          lastPing: {
            at: args.ping.at,
            ...(args.ping.body !== undefined ? { body: args.ping.body } : {}),
            ...(args.ping.exitStatus !== undefined ? { exitStatus: args.ping.exitStatus } : {}),
          },
        }
      : before.state.lastPing !== null
        ? { lastPing: { at: before.state.lastPing } }
        : {}),
  };
  return {
    jobs: jobsFor(policy, args.group, notification, now, flip.at),
    nextReminder: event === 'down' ? reminderAfter(Math.max(now, flip.at)) : null,
  };
}

/** A reminder while down, every `repeat`. */
export function planReminder(args: {
  record: CheckRecord;
  policy: NotifyPolicy;
  links: Links;
  now: number;
  group: string;
}): Plan {
  const { record, policy, now } = args;
  const due = record.state.nextReminder;
  if (record.state.status !== 'down' || due === null) return { jobs: [], nextReminder: null };
  if (now < due) return { jobs: [], nextReminder: due };
  const quietUntil = maintenanceEnd(policy.maintenance, now);
  if (quietUntil !== undefined) return { jobs: [], nextReminder: quietUntil };
  const notification: Notification = {
    event: 'reminder',
    check: checkInfo(record, args.links),
    text: reminderText(record.def, record.state, now),
    reason: record.def.probe ? 'probe' : 'timeout',
    at: now,
    ...(record.state.lastPing !== null ? { lastPing: { at: record.state.lastPing } } : {}),
  };
  return {
    jobs: jobsFor(policy, args.group, notification, now, due),
    nextReminder: policy.repeatMs > 0 ? now + policy.repeatMs : null,
  };
}
