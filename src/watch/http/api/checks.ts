import { Hono } from 'hono';
import { AppError } from '../../../lib/errors.js';
import { applyDefinition } from '../../checks/machine.js';
import { type CheckRecord, defaultDef, newCheck } from '../../checks/model.js';
import { applySpec, type CheckSpec, matchesUnique, parseCheckSpec } from '../check-spec.js';
import {
  type ApiContext,
  type ApiDeps,
  type ApiEnv,
  findCheck,
  forbidden,
  invalid,
  notFound,
  readJsonBody,
  renderCheck,
} from './context.js';

/**
 * Checks: list, create (with `unique` upserts), read, update, delete, pause and resume. Checks
 * from the config file can be paused and resumed here, not redefined or deleted.
 */
export function checkRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const json = (c: ApiContext, record: CheckRecord, status: 200 | 201 = 200) =>
    c.json(renderCheck(deps, c, record), status);

  /** The request's definition: its body validated as Healthchecks does, its channels resolved. */
  const specOf = async (c: ApiContext) => {
    const parsed = parseCheckSpec(await readJsonBody(c));
    if (!parsed.ok) throw invalid(parsed.error);
    return { spec: parsed.spec, channels: resolveChannels(deps, parsed.spec) };
  };

  const update = async (uuid: string, spec: CheckSpec, channels: string[] | undefined) => {
    const updated = await deps.store.updateDefinition(uuid, (r) => {
      const def = applySpec(r.def, spec, channels);
      return { def, state: applyDefinition(def, r.state) };
    });
    if (!updated) throw notFound();
    deps.engine.track(uuid, updated.state);
    return updated;
  };

  app.get('/checks/', async (c) => {
    const tags = c.req.queries('tag') ?? [];
    const slug = c.req.query('slug');
    const checks = (await deps.store.listChecks()).filter(
      (r) => tags.every((t) => r.def.tags.includes(t)) && (slug === undefined || r.def.slug === slug),
    );
    return c.json({ checks: checks.map((r) => renderCheck(deps, c, r)) });
  });

  app.post('/checks/', async (c) => {
    const { spec, channels } = await specOf(c);
    if (spec.unique && spec.unique.length > 0) {
      const existing = (await deps.store.listChecks()).find((r) => matchesUnique(r.def, spec));
      if (existing) {
        if (existing.managed) throw forbidden('this check is defined in the config file');
        return json(c, await update(existing.uuid, spec, channels), 200);
      }
    }
    const record = newCheck(applySpec(defaultDef(), spec, channels), {
      uuid: deps.ids.uuid(),
      now: deps.clock.now(),
    });
    await deps.store.insertCheck(record);
    return json(c, record, 201);
  });

  app.get('/checks/:id', async (c) => json(c, await findCheck(deps, c, c.req.param('id'), true)));

  app.post('/checks/:id', async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    if (found.managed) throw forbidden('this check is defined in the config file; change it there');
    const { spec, channels } = await specOf(c);
    return json(c, await update(found.uuid, spec, channels));
  });

  app.delete('/checks/:id', async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    if (found.managed) throw forbidden('this check is defined in the config file; remove it there');
    await deps.store.deleteCheck(found.uuid);
    deps.engine.track(found.uuid, undefined);
    return json(c, found);
  });

  app.post('/checks/:id/pause', async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    const r = await deps.engine.pause(found.uuid);
    if (!r) throw notFound();
    return json(c, r);
  });

  app.post('/checks/:id/resume', async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    if (found.state.status !== 'paused') throw new AppError('AP_CONFLICT', 'check is not paused');
    const r = await deps.engine.resume(found.uuid);
    if (!r) throw notFound();
    return json(c, r);
  });

  return app;
}

/** `*` = every channel, `` = none, else a comma-separated list of names. */
function resolveChannels(deps: ApiDeps, spec: CheckSpec): string[] | undefined {
  if (spec.channels === undefined) return undefined;
  const all = deps.settings().channels.map((ch) => ch.name);
  if (spec.channels === '*') return all;
  if (spec.channels === '') return [];
  const out: string[] = [];
  for (const name of spec.channels.split(',')) {
    if (name === '') throw invalid('empty channel identifier');
    if (!all.includes(name)) throw invalid(`invalid channel identifier: ${name}`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
