import type { Context } from 'hono';
import type { Alert } from '../alertmanager/payload.js';
import { AppError } from '../lib/errors.js';

/**
 * Which drill alerts this replica delivered to Discord, for `alertpath drill --test-alert
 * --relay`: a bounded ring of the last deliveries of alerts that carry a `drill_id` label,
 * recorded once Discord accepted them. Other alerts are not kept, so ordinary traffic never
 * pushes a drill's record out. Per replica and in memory: a restart forgets it.
 */

export const DRILL_LABEL = 'drill_id';
const CAPACITY = 1000;
const DRILL_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface DrillDelivery {
  drillId: string;
  route: string;
  receiver: string;
  alertname: string;
  status: 'firing' | 'resolved';
  at: number;
}

/** One delivery as `GET /deliveries` answers it. */
export interface DrillDeliveryJson {
  route: string;
  receiver: string;
  alertname: string;
  status: 'firing' | 'resolved';
  at: string;
}

export interface DrillDeliveriesJson {
  drill_id: string;
  deliveries: DrillDeliveryJson[];
}

export class DrillDeliveries {
  private readonly ring: DrillDelivery[] = [];
  private next = 0;

  constructor(private readonly capacity = CAPACITY) {}

  /** Records the alerts of a delivered notification that carry a drill id. */
  record(route: string, receiver: string, alerts: readonly Alert[], at: number): void {
    for (const a of alerts) {
      const drillId = a.labels[DRILL_LABEL];
      if (drillId === undefined || drillId === '') continue;
      const entry: DrillDelivery = {
        drillId,
        route,
        receiver,
        alertname: a.labels.alertname ?? '',
        status: a.status === 'resolved' ? 'resolved' : 'firing',
        at,
      };
      if (this.ring.length < this.capacity) this.ring.push(entry);
      else this.ring[this.next] = entry;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  find(drillId: string): DrillDelivery[] {
    return this.ring.filter((d) => d.drillId === drillId).sort((a, b) => a.at - b.at);
  }
}

/** `GET /deliveries?drill_id=<id>` (authenticated like the webhook, by the caller's middleware). */
export function deliveriesHandler(log: DrillDeliveries) {
  return (c: Context) => {
    const id = c.req.query(DRILL_LABEL);
    if (id === undefined || !DRILL_ID.test(id))
      throw new AppError('AP_USAGE', 'drill_id is required: 1 to 128 letters, digits, ".", "_" or "-"');
    const body: DrillDeliveriesJson = {
      drill_id: id,
      deliveries: log.find(id).map((d) => ({
        route: d.route,
        receiver: d.receiver,
        alertname: d.alertname,
        status: d.status,
        at: new Date(d.at).toISOString(),
      })),
    };
    return c.json(body);
  };
}
