import { z } from 'zod';
import type { WebhookPayload } from '../alertmanager/payload.js';
import { MESSAGE_FLAGS, THREAD_NAME_MAX } from '../discord/index.js';

/**
 * Discord forum and media channels, and quiet notifications, for a route's `discord:` block:
 * - `threadName: "{{ alertname }}"` makes each alert group a post of its own (`thread_name` on
 *   the group's first message; its later messages and edits carry the post's `thread_id`);
 * - `appliedTags: { critical: ["111"] }` tags that post by severity (`applied_tags`, at most 5;
 *   Discord sets them only when the post is created);
 * - `suppressNotifications: [info, resolved]` sends those with `flags: SUPPRESS_NOTIFICATIONS`
 *   (4096): the message appears, nobody gets a push or desktop notification.
 */

export const LOOKS = ['critical', 'warning', 'info', 'resolved'] as const;
export type Look = (typeof LOOKS)[number];

const tagId = z.string().regex(/^\d{1,20}$/, 'expected a forum tag id');
const tags = z.array(tagId).max(5, 'Discord applies at most 5 tags to a post');

export const forumKeys = {
  threadName: z
    .string()
    .min(1)
    .max(500)
    .refine((s) => s.trim() !== '', 'must not be blank')
    .optional(),
  appliedTags: z
    .strictObject({
      critical: tags.optional(),
      warning: tags.optional(),
      info: tags.optional(),
      resolved: tags.optional(),
    })
    .optional(),
  suppressNotifications: z.array(z.enum(LOOKS)).optional(),
};

/** The checks across keys of a route's `discord:` block (threadId vs threadName, tags without a post). */
export function checkForumKeys(
  d: { threadId?: string | undefined; threadName?: string | undefined; appliedTags?: object | undefined },
  ctx: z.RefinementCtx,
): void {
  if (d.threadName !== undefined && d.threadId !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['threadName'],
      message: 'set threadName (a forum post per alert group) or threadId (one existing thread), not both',
    });
  if (d.appliedTags !== undefined && d.threadName === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['appliedTags'],
      message: 'appliedTags tag the forum post threadName creates: set threadName too',
    });
}

export interface ForumRoute {
  threadName?: string | undefined;
  appliedTags?: Partial<Record<Look, string[]>> | undefined;
  suppressNotifications?: readonly Look[] | undefined;
}

/**
 * A post's name from the template: `{{ name }}` is the group's label `name` (group labels, then
 * common labels, then the first alert's), `{{ status }}` the notification's status. Whitespace
 * is folded, and the name cut to Discord's 100 characters; a name that comes out empty is the
 * group's alertname.
 */
export function threadNameOf(template: string, payload: WebhookPayload): string {
  const label = (name: string): string => {
    if (name === 'status') return payload.status;
    return payload.groupLabels[name] ?? payload.commonLabels[name] ?? payload.alerts[0]?.labels[name] ?? '';
  };
  const text = template
    .replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => label(name))
    .replace(/\s+/g, ' ')
    .trim();
  const name = text || label('alertname') || 'alerts';
  return name.length > THREAD_NAME_MAX ? `${name.slice(0, THREAD_NAME_MAX - 1)}…` : name;
}

/** What the group's first message adds to create its forum post. */
export function newPostFields(
  route: ForumRoute,
  payload: WebhookPayload,
  look: Look,
): { thread_name: string; applied_tags?: string[] } | undefined {
  if (route.threadName === undefined) return undefined;
  const applied = route.appliedTags?.[look];
  return {
    thread_name: threadNameOf(route.threadName, payload),
    ...(applied && applied.length > 0 ? { applied_tags: [...new Set(applied)] } : {}),
  };
}

/** `flags` for a new message of this look, or undefined. */
export function flagsFor(route: ForumRoute, look: Look): number | undefined {
  return route.suppressNotifications?.includes(look) ? MESSAGE_FLAGS.SUPPRESS_NOTIFICATIONS : undefined;
}
