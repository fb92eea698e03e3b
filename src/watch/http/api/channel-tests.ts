import { Hono } from 'hono';
import { AppError } from '../../../lib/errors.js';
import { testNotification } from '../../notify/test-message.js';
import { type ApiContext, type ApiDeps, type ApiEnv, endpoint } from './context.js';

/**
 * `POST /api/v3/channels/<name>/test` (read-write keys): sends a test notification through one
 * channel now and answers with the outcome: 200 when it was delivered; 502 when the channel
 * refused it for good (a wrong token, a deleted webhook), 503 when it may work later, each with
 * the error. The outcome also counts as the channel's last try (its health).
 */
export function channelTestRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const test = async (c: ApiContext) => {
    const name = c.req.param('name') ?? '';
    const kind = deps.settings().channels.find((ch) => ch.name === name)?.type;
    if (kind === undefined) throw new AppError('AP_NOT_FOUND', `no channel named "${name}"`);
    const n = testNotification({
      channel: name,
      baseUrl: deps.settings().baseUrl,
      uuid: deps.ids.uuid(),
      now: deps.clock.now(),
    });
    const sent = await deps.engine.outbox.sendNow(name, n, `test.${n.check.uuid}`);
    if (!sent.found) throw new AppError('AP_NOT_FOUND', `no channel named "${name}"`);
    const failure = sent.outcome;
    if (!failure) return c.json({ channel: name, kind, ok: true });
    return c.json(
      {
        error: failure.message,
        channel: name,
        kind,
        ok: false,
        permanent: failure.kind === 'permanent',
        ...(failure.retryAfterMs !== undefined
          ? { retry_after: Math.ceil(failure.retryAfterMs / 1000) }
          : {}),
      },
      failure.kind === 'permanent' ? 502 : 503,
    );
  };
  for (const path of ['/channels/:name/test', '/channels/:name/test/'])
    endpoint(app, path, deps, { POST: ['write', test] });
  return app;
}
