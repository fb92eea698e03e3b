import { Hono } from 'hono';
import { AppError } from '../../../lib/errors.js';
import { applyDefinition } from '../../checks/machine.js';
import { type CheckRecord, defaultDef, newCheck } from '../../checks/model.js';
import { applySpec, type CheckSpec, matchesUnique, parseCheckSpec, unknownField } from '../check-spec.js';
import {
  type ApiContext,
  type ApiDeps,
  type ApiEnv,
  checkEndpoint,
  endpoint,
  findCheck,
  forbidden,
  idKind,
  invalid,
  type JsonBody,
  notFound,
  renderCheck,
} from './context.js';

/**
 * Checks: list, create (with `unique` upserts), read (by uuid, or by `unique_key`), update,
 * delete, pause and resume. Checks from the config file can be paused and resumed here, not
 * redefined or deleted.
 */
export function checkRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const json = (c: ApiContext, record: CheckRecord, status: 200 | 201 = 200) =>
    c.json(renderCheck(deps, c, record), status);

  /** The request's definition: its body validated as Healthchecks does, its channels resolved. */
  const specOf = (body: JsonBody) => {
    const parsed = parseCheckSpec(body);
    if (!parsed.ok) throw invalid(parsed.error);
    return { spec: parsed.spec, channels: resolveChannels(deps, parsed.spec) };
  };

  const update = async (c: ApiContext, uuid: string, spec: CheckSpec, channels: string[] | undefined) => {
    const updated = await deps.store.updateDefinition(uuid, (r) => {
      const def = applySpec(r.def, spec, channels, c.get('version'));
      return { def, state: applyDefinition(def, r.state) };
    });
    if (!updated) throw notFound();
    deps.engine.track(uuid, updated.state);
    return updated;
  };

  /** Pause and resume carry nothing but, perhaps, the key. */
  const noFields = (body: JsonBody) => {
    const extra = unknownField(body);
    if (extra !== undefined) throw invalid(`json validation error: ${extra} is not a known field`);
  };

  endpoint(app, '/checks/', deps, {
    GET: [
      'read',
      async (c) => {
        const tags = (c.req.queries('tag') ?? []).filter((t) => t.length > 0);
        const slug = c.req.query('slug');
        const checks = (await deps.store.listChecks()).filter(
          (r) => tags.every((t) => r.def.tags.includes(t)) && (!slug || r.def.slug === slug),
        );
        return c.json({ checks: checks.map((r) => renderCheck(deps, c, r)) });
      },
    ],
    POST: [
      'write',
      async (c, body) => {
        const { spec, channels } = specOf(body);
        if (spec.unique && spec.unique.length > 0) {
          const existing = (await deps.store.listChecks()).find((r) => matchesUnique(r.def, spec));
          if (existing) {
            if (existing.managed) throw forbidden('this check is defined in the config file');
            return json(c, await update(c, existing.uuid, spec, channels), 200);
          }
        }
        const def = applySpec(defaultDef(), spec, channels, c.get('version'));
        const record = newCheck(def, { uuid: deps.ids.uuid(), now: deps.clock.now() });
        await deps.store.insertCheck(record);
        return json(c, record, 201);
      },
    ],
  });

  endpoint(app, '/checks/:id', deps, (c) => {
    const kind = idKind(c.req.param('id') as string);
    if (kind === 'unique-key')
      return { GET: ['read', async (c) => json(c, await findCheck(deps, c.req.param('id') as string))] };
    if (kind !== 'uuid') return undefined;
    const found = () => findCheck(deps, c.req.param('id') as string);
    return {
      GET: ['read', async (c) => json(c, await found())],
      POST: [
        'write',
        async (c, body) => {
          const check = await found();
          if (check.managed) throw forbidden('this check is defined in the config file; change it there');
          const { spec, channels } = specOf(body);
          return json(c, await update(c, check.uuid, spec, channels));
        },
      ],
      DELETE: [
        'write',
        async (c) => {
          const check = await found();
          if (check.managed) throw forbidden('this check is defined in the config file; remove it there');
          await deps.store.deleteCheck(check.uuid);
          deps.engine.track(check.uuid, undefined);
          return json(c, check);
        },
      ],
    };
  });

  checkEndpoint(app, '/checks/:id/pause', deps, {
    POST: [
      'write',
      async (c, check, body) => {
        noFields(body);
        const r = await deps.engine.pause(check.uuid);
        if (!r) throw notFound();
        return json(c, r);
      },
    ],
  });

  checkEndpoint(app, '/checks/:id/resume', deps, {
    POST: [
      'write',
      async (c, check, body) => {
        noFields(body);
        if (check.state.status !== 'paused') throw new AppError('AP_CONFLICT', 'check is not paused');
        const r = await deps.engine.resume(check.uuid);
        if (!r) throw notFound();
        return json(c, r);
      },
    ],
  });

  return app;
}

/**
 * Healthchecks' `channels` parameter: `*` = every channel, `` = none, else a comma-separated
 * list of channel ids (alertpath's ids are the channel names).
 */
function resolveChannels(deps: ApiDeps, spec: CheckSpec): string[] | undefined {
  if (spec.channels === undefined) return undefined;
  const all = deps.settings().channels.map((ch) => ch.name);
  if (spec.channels === '*') return all;
  if (spec.channels === '') return [];
  const out: string[] = [];
  for (const s of spec.channels.split(',')) {
    if (s === '') throw invalid('empty channel identifier');
    const name = all.find((n) => n === s);
    if (name === undefined) throw invalid(`invalid channel identifier: ${s}`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
