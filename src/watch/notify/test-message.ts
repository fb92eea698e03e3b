import type { Notification } from './types.js';

/**
 * The notification `POST /api/v3/channels/<name>/test` sends: a down of a made-up check (as
 * Healthchecks' test sends), marked as a test so services that open incidents close them again.
 */
export function testNotification(args: {
  channel: string;
  baseUrl: string;
  uuid: string;
  now: number;
}): Notification {
  return {
    event: 'down',
    test: true,
    check: {
      uuid: args.uuid,
      name: 'alertpath watch',
      slug: 'alertpath-watch',
      tags: [],
      desc: '',
      url: args.baseUrl,
    },
    text: `🔔 TEST notification from alertpath watch (${args.baseUrl}) through channel "${args.channel}": it works.`,
    reason: 'timeout',
    at: args.now,
  };
}
