import { Hono } from 'hono';
import { AppError } from '../../../lib/errors.js';
import { PEER_NAME, PEER_TAG, peerCheckName } from '../../peers/index.js';
import { remoteAddress } from '../ping.js';
import { type ApiContext, type ApiDeps, type ApiEnv, endpoint } from './context.js';

/**
 * `POST /api/v3/peers/<name>/ping`: a peer (another alertpath watch, named `<name>` in this
 * instance's `peers:`) says it is alive, keeping the check `peer-<name>` up. Any API key of this
 * instance is accepted, read-only ones included: a peer needs no power beyond this.
 */
export function peerRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const ping = async (c: ApiContext) => {
    const name = c.req.param('name') ?? '';
    const notAPeer = () => new AppError('AP_NOT_FOUND', `no peer named "${name}" in this instance's config`);
    if (!PEER_NAME.test(name)) throw notAPeer();
    const check = (await deps.store.checksBySlug(peerCheckName(name))).find(
      (r) => r.managed && r.def.tags.includes(PEER_TAG),
    );
    if (!check) throw notAPeer();
    const done = await deps.engine.ping(check.uuid, {
      action: 'success',
      at: deps.clock.now(),
      method: 'POST',
      remoteAddr: remoteAddress(c),
      userAgent: (c.req.header('user-agent') ?? '').slice(0, 200),
      scheme: c.req.header('x-forwarded-proto') ?? 'http',
    });
    if (!done) throw notAPeer();
    return c.json({ peer: name, check: check.def.name, status: done.record.state.status });
  };
  for (const path of ['/peers/:name/ping', '/peers/:name/ping/'])
    endpoint(app, path, deps, { POST: ['read', ping] });
  return app;
}
