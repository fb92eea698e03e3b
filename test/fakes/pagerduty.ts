import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, FakeService, jsonBody, WindowLimit } from './service.js';

/**
 * A fake PagerDuty Events API v2 (`POST /v2/enqueue`) with its rules: 32-character routing keys
 * (and only known ones), `event_action` trigger / acknowledge / resolve, `dedup_key` at most 255
 * characters and required to acknowledge or resolve, a trigger's `payload.summary` (at most 1024
 * characters), `source` and `severity` (critical, error, warning, info) required, 512 KB per
 * event, 400 `{status: "invalid event", message, errors}`, 429 when a service receives events
 * too fast, and 202 `{status: "success", dedup_key}`. Alerts are kept per dedup_key: a trigger
 * opens one (or adds to the open one), a resolve closes it.
 */

export interface PagerDutyAlert {
  dedupKey: string;
  routingKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Every event applied to it, in order. */
  events: Array<Record<string, unknown>>;
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

export class FakePagerDuty extends FakeService {
  readonly alerts: PagerDutyAlert[] = [];
  readonly routingKeys = new Set<string>();
  /** Events per routing key per window. */
  readonly limit = new WindowLimit(1000, 1000);

  addRoutingKey(): string {
    const k = randomBytes(16).toString('hex');
    this.routingKeys.add(k);
    return k;
  }

  /** The open (not resolved) alert with this key. */
  open(dedupKey: string): PagerDutyAlert | undefined {
    return this.alerts.find((a) => a.dedupKey === dedupKey && a.status !== 'resolved');
  }

  protected answer(req: FakeRequest): FakeAnswer {
    if (req.path !== '/v2/enqueue' || req.method !== 'POST')
      return { status: 404, body: { message: 'Not Found' } };
    if (Buffer.byteLength(req.body) > 512 * 1024)
      return { status: 413, body: { status: 'invalid event', message: 'Event object is too large' } };
    const e = jsonBody(req);
    if (!e) return invalid(['Could not parse the request body as a JSON object']);
    const errors: string[] = [];
    const routingKey = typeof e.routing_key === 'string' ? e.routing_key : '';
    if (routingKey.length !== 32)
      errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    else if (!this.routingKeys.has(routingKey)) errors.push("'routing_key' is invalid");
    const action = e.event_action;
    if (typeof action !== 'string' || !ACTIONS.has(action))
      errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
    const dedup = e.dedup_key;
    if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length > 255))
      errors.push("'dedup_key' is too long (maximum is 255 characters)");
    if ((action === 'acknowledge' || action === 'resolve') && (typeof dedup !== 'string' || dedup === ''))
      errors.push("'dedup_key' is missing or blank");
    if (action === 'trigger') {
      const p = (e.payload ?? {}) as Record<string, unknown>;
      if (typeof p.summary !== 'string' || p.summary.trim() === '')
        errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024)
        errors.push("'payload.summary' is too long (maximum is 1024 characters)");
      if (typeof p.source !== 'string' || p.source.trim() === '')
        errors.push("'payload.source' is missing or blank");
      if (typeof p.severity !== 'string' || !SEVERITIES.has(p.severity))
        errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
    }
    if (errors.length > 0) return invalid(errors);
    if (this.limit.take(routingKey) > 0)
      return {
        status: 429,
        body: {
          status: 'throttle event',
          message: 'Requests for this service are arriving too quickly. Please retry later.',
        },
      };
    const key = typeof dedup === 'string' && dedup !== '' ? dedup : randomBytes(16).toString('hex');
    const alert = this.open(key);
    if (action === 'trigger') {
      if (alert) alert.events.push(e);
      else this.alerts.push({ dedupKey: key, routingKey, status: 'triggered', events: [e] });
    } else if (alert && alert.routingKey === routingKey) {
      alert.status = action === 'resolve' ? 'resolved' : 'acknowledged';
      alert.events.push(e);
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: key } };
  }
}

function invalid(errors: string[]): FakeAnswer {
  return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}
