import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import type { DrillDeliveriesJson } from '../relay/deliveries.js';
import { authorizedEndpoint, call, describeAnswer, type Endpoint, jsonOf } from './http.js';

/** The relay's `GET /deliveries?drill_id=`: which drill alerts this replica delivered to Discord. */

const deliveriesSchema = z.object({
  drill_id: z.string(),
  deliveries: z.array(
    z.object({
      route: z.string(),
      receiver: z.string(),
      alertname: z.string(),
      status: z.enum(['firing', 'resolved']),
      at: z.string(),
    }),
  ),
}) satisfies z.ZodType<DrillDeliveriesJson>;

export interface RelayDeliveryRecord {
  relay: string;
  route: string;
  receiver: string;
  status: 'firing' | 'resolved';
  at: number;
}

export interface RelayPort {
  readonly url: string;
  deliveries(drillId: string, signal?: AbortSignal): Promise<RelayDeliveryRecord[]>;
}

export class RelayClient implements RelayPort {
  private readonly endpoint: Endpoint;

  constructor(
    readonly url: string,
    authorization: string | undefined,
    private readonly clock: Clock,
  ) {
    this.endpoint = authorizedEndpoint(`the relay ${url}`, url, authorization);
  }

  async deliveries(drillId: string, signal?: AbortSignal): Promise<RelayDeliveryRecord[]> {
    const answer = await call(this.endpoint, 'GET', '/deliveries', {
      query: { drill_id: drillId },
      clock: this.clock,
      ...(signal ? { signal } : {}),
    });
    if (answer.status === 401)
      throw new AppError(
        'AP_UNAUTHORIZED',
        `${this.endpoint.what} refused the credentials (${describeAnswer(answer)}): check --relay-bearer-file / --relay-basic-auth-file`,
      );
    if (answer.status === 404)
      throw new AppError(
        'AP_USAGE',
        `${this.endpoint.what} has no GET /deliveries (HTTP 404): is it an alertpath relay of this version?`,
      );
    if (answer.status !== 200)
      throw new AppError(
        answer.status >= 500 ? 'AP_UNAVAILABLE' : 'AP_UPSTREAM_REJECTED',
        `${this.endpoint.what} answered ${describeAnswer(answer)} for /deliveries`,
      );
    const parsed = deliveriesSchema.safeParse(jsonOf(answer));
    if (!parsed.success)
      throw new AppError(
        'AP_USAGE',
        `${this.endpoint.what} does not answer /deliveries like an alertpath relay`,
      );
    return parsed.data.deliveries.map((d) => ({
      relay: this.url,
      route: d.route,
      receiver: d.receiver,
      status: d.status,
      at: Date.parse(d.at),
    }));
  }
}
