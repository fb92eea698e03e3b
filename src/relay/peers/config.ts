import { z } from 'zod';
import { zDuration, zHttpUrl } from '../../lib/schema.js';

/**
 * `peers:` in the relay config: the other replicas, by a headless Service's DNS name (its A
 * records, re-resolved every `refresh`) or by a static list of base URLs, and the token they
 * share (`tokenFile`, trimmed like every secret file).
 */
const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/,
    'expected a DNS name such as alertpath-relay-peers.monitoring.svc.cluster.local',
  );

export const peersSchema = z
  .strictObject({
    dns: hostname.optional(),
    urls: z.array(zHttpUrl).min(1).max(64).optional(),
    /** The peers' port with `dns` (default: this replica's own listen port). */
    port: z.number().int().min(1).max(65535).optional(),
    token: z
      .string()
      .min(16, 'the peer token needs at least 16 characters (e.g. `openssl rand -hex 32`)')
      .optional(),
    /** How often `dns` is resolved again (pods come and go). */
    refresh: zDuration.default(30_000),
    /** Longest a request to a peer may take. */
    timeout: zDuration.default(2000),
  })
  .superRefine((p, ctx) => {
    if ((p.dns === undefined) === (p.urls === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'peers needs exactly one of dns (a headless Service) or urls',
      });
    if (p.token === undefined)
      ctx.addIssue({ code: 'custom', message: 'peers needs tokenFile (the token the replicas share)' });
    if (p.refresh < 1000) ctx.addIssue({ code: 'custom', path: ['refresh'], message: 'must be at least 1s' });
    if (p.timeout < 100 || p.timeout > 30_000)
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be between 100ms and 30s' });
  });

export type PeersConfig = z.output<typeof peersSchema>;
