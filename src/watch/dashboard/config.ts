import { z } from 'zod';
import { SLUG_PATTERN } from '../checks/model.js';
import { parseHash } from './password.js';

/**
 * The dashboard's config keys (spec: Dashboard, status pages and badges): `users` (the
 * dashboard is off without them, public pages stay on), `statusPages`, `badgeKey`. Hashes come
 * from files (`passwordHashFile`) or inline (`passwordHash`); the config loader reads `…File` keys.
 */

export const zUser = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[^\s:]+$/, 'a user name has no spaces or colons'),
    passwordHash: z.string().superRefine((hash, ctx) => {
      const parsed = parseHash(hash);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    }),
    readOnly: z.boolean().default(false),
  })
  .strict();

export const zStatusPage = z
  .object({
    slug: z.string().regex(SLUG_PATTERN, 'use only a-z, 0-9, hyphens and underscores').max(100),
    title: z.string().min(1).max(200),
    /** Checks with any of these tags are shown. */
    tags: z.array(z.string()).default([]),
    /** And these checks, by name. */
    checks: z.array(z.string()).default([]),
    /** Incident history from flips (default true). */
    showHistory: z.boolean().default(true),
    announcement: z.string().max(2000).optional(),
  })
  .strict();

export const dashboardFields = {
  users: z.array(zUser).default([]),
  statusPages: z.array(zStatusPage).default([]),
  badgeKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,}$/, 'expected at least 8 characters from A-Z, a-z, 0-9, - and _')
    .optional(),
};

export type DashboardUser = z.output<typeof zUser>;
export type StatusPageConfig = z.output<typeof zStatusPage>;
