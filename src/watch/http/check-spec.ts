import type { CheckDef, KeywordFilter } from '../checks/model.js';
import { cronProblem, timezoneProblem } from '../checks/schedule.js';

/**
 * The body of `POST /api/v3/checks/` and `POST /api/v3/checks/<uuid>`, validated the way
 * Healthchecks does it: strict JSON types, `timeout` and `grace` from 60 s to 365 days, and the
 * first problem reported as `json validation error: <field> is too small`.
 */

const LIMIT_MIN_S = 60;
const LIMIT_MAX_S = 31_536_000;
const UNIQUE_FIELDS = ['name', 'slug', 'tags', 'timeout', 'grace'] as const;
export type UniqueField = (typeof UNIQUE_FIELDS)[number];

export interface CheckSpec {
  name?: string;
  slug?: string;
  tags?: string;
  desc?: string;
  timeout?: number;
  grace?: number;
  schedule?: string;
  tz?: string;
  manual_resume?: boolean;
  methods?: '' | 'POST';
  channels?: string;
  unique?: UniqueField[];
  success_kw?: string;
  failure_kw?: string;
  start_kw?: string;
  filter_body?: boolean;
}

export type SpecResult = { ok: true; spec: CheckSpec } | { ok: false; error: string };

const fail = (message: string): SpecResult => ({ ok: false, error: `json validation error: ${message}` });

export function parseCheckSpec(body: unknown): SpecResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('expected a JSON object');
  const b = body as Record<string, unknown>;
  const spec: CheckSpec = {};
  for (const key of ['name', 'slug', 'tags', 'desc', 'schedule', 'tz', 'channels'] as const) {
    const v = b[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return fail(`${key} is not a string`);
    if ((key === 'name' || key === 'slug' || key === 'schedule') && v.length > 100)
      return fail(`${key} is too long`);
    spec[key] = v;
  }
  for (const key of ['success_kw', 'failure_kw', 'start_kw'] as const) {
    const v = b[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') return fail(`${key} is not a string`);
    if (v.length > 200) return fail(`${key} is too long`);
    spec[key] = v;
  }
  if (spec.slug !== undefined && !/^[a-z0-9_-]*$/.test(spec.slug)) return fail('slug does not match pattern');
  for (const key of ['timeout', 'grace'] as const) {
    const v = b[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(`${key} is not a number`);
    if (v < LIMIT_MIN_S) return fail(`${key} is too small`);
    if (v > LIMIT_MAX_S) return fail(`${key} is too large`);
    spec[key] = v;
  }
  for (const key of ['manual_resume', 'filter_body'] as const) {
    const v = b[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return fail(`${key} is not a boolean`);
    spec[key] = v;
  }
  if (b.methods !== undefined) {
    if (b.methods !== '' && b.methods !== 'POST') return fail('methods has unexpected value');
    spec.methods = b.methods;
  }
  if (b.unique !== undefined) {
    if (!Array.isArray(b.unique)) return fail('unique is not an array');
    for (const u of b.unique)
      if (!UNIQUE_FIELDS.includes(u as UniqueField)) return fail(`an item in 'unique' has unexpected value`);
    spec.unique = b.unique as UniqueField[];
  }
  if (spec.tz !== undefined && timezoneProblem(spec.tz)) return fail('tz is not a valid timezone');
  if (spec.schedule !== undefined && cronProblem(spec.schedule, spec.tz ?? 'UTC'))
    return fail('schedule is not a valid cron expression');
  return { ok: true, spec };
}

const keywords = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);

/** A new definition: `base` (the current one, or the defaults for a new check) updated by `spec`. */
export function applySpec(base: CheckDef, spec: CheckSpec, channels: string[] | undefined): CheckDef {
  const def: CheckDef = { ...base };
  if (spec.name !== undefined) def.name = spec.name;
  if (spec.slug !== undefined) def.slug = spec.slug;
  if (spec.tags !== undefined) def.tags = spec.tags.split(' ').filter((t) => t.length > 0);
  if (spec.desc !== undefined) def.desc = spec.desc;
  if (spec.grace !== undefined) def.graceMs = spec.grace * 1000;
  if (spec.manual_resume !== undefined) def.manualResume = spec.manual_resume;
  if (spec.methods !== undefined) def.methods = spec.methods;
  if (spec.schedule !== undefined) {
    const tz = spec.tz ?? (base.schedule.kind === 'cron' ? base.schedule.tz : 'UTC');
    def.schedule = { kind: 'cron', cron: spec.schedule, tz };
  } else if (spec.timeout !== undefined) {
    def.schedule = { kind: 'simple', periodMs: spec.timeout * 1000 };
  } else if (spec.tz !== undefined && def.schedule.kind === 'cron') {
    def.schedule = { ...def.schedule, tz: spec.tz };
  }
  if (
    spec.success_kw !== undefined ||
    spec.failure_kw !== undefined ||
    spec.start_kw !== undefined ||
    spec.filter_body !== undefined
  ) {
    const current: KeywordFilter = base.filter ?? { success: [], failure: [], start: [], defaultFail: false };
    const next: KeywordFilter = {
      success: spec.success_kw !== undefined ? keywords(spec.success_kw) : current.success,
      failure: spec.failure_kw !== undefined ? keywords(spec.failure_kw) : current.failure,
      start: spec.start_kw !== undefined ? keywords(spec.start_kw) : current.start,
      defaultFail: current.defaultFail,
    };
    const enabled = spec.filter_body ?? base.filter !== undefined;
    if (enabled) def.filter = next;
    else delete def.filter;
  }
  if (channels !== undefined) def.channels = channels;
  return def;
}

/** Does `record` match every `unique` field of `spec`? */
export function matchesUnique(def: CheckDef, spec: CheckSpec): boolean {
  for (const field of spec.unique ?? []) {
    const wanted = spec[field];
    if (wanted === undefined) return false;
    if (field === 'name' && def.name !== wanted) return false;
    if (field === 'slug' && def.slug !== wanted) return false;
    if (field === 'tags' && def.tags.join(' ') !== wanted) return false;
    if (field === 'grace' && def.graceMs !== (wanted as number) * 1000) return false;
    if (
      field === 'timeout' &&
      (def.schedule.kind !== 'simple' || def.schedule.periodMs !== (wanted as number) * 1000)
    )
      return false;
  }
  return true;
}
