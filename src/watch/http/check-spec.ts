import { type CheckDef, type KeywordFilter, NO_FILTER, type Schedule } from '../checks/model.js';
import { canonicalTimezone, scheduleKind, scheduleProblem } from '../checks/schedule.js';
import { slugify } from '../config.js';
import type { ApiVersion } from './check-json.js';

/**
 * The body of `POST /api/vN/checks/` and `POST /api/vN/checks/<uuid>`, validated the way
 * Healthchecks validates it: strict JSON types (a null is a wrong type), `timeout` and `grace`
 * from 60 s to 365 days, string lengths, and the first problem, in Healthchecks' field order,
 * reported as `json validation error: <field> is too small` (its messages). Unlike Healthchecks,
 * a field it does not know is refused rather than ignored: nothing a client sends is dropped.
 */

const LIMIT_MIN_S = 60;
/**
 * Healthchecks stores `desc` in an unbounded text column; alertpath keeps it to 10 000
 * characters (a description, not a document), so no client can grow every check listing.
 */
const DESC_MAX = 10_000;
const LIMIT_MAX_S = 31_536_000;
const UNIQUE_FIELDS = ['name', 'slug', 'tags', 'timeout', 'grace'] as const;
export type UniqueField = (typeof UNIQUE_FIELDS)[number];

export interface CheckSpec {
  channels?: string;
  desc?: string;
  failure_kw?: string;
  filter_subject?: boolean;
  filter_body?: boolean;
  filter_http_body?: boolean;
  filter_default_fail?: boolean;
  grace?: number;
  manual_resume?: boolean;
  methods?: '' | 'POST';
  name?: string;
  schedule?: string;
  slug?: string;
  start_kw?: string;
  subject?: string;
  subject_fail?: string;
  success_kw?: string;
  tags?: string;
  timeout?: number;
  tz?: string;
  unique?: UniqueField[];
}

type Rule = (v: unknown, key: string) => { value: unknown } | { error: string };

const str =
  (max?: number, check?: (v: string) => string | undefined): Rule =>
  (v, key) => {
    if (typeof v !== 'string') return { error: `${key} is not a string` };
    if (max !== undefined && [...v].length > max) return { error: `${key} is too long` };
    const problem = check?.(v);
    return problem ? { error: `${key} ${problem}` } : { value: v };
  };

const bool: Rule = (v, key) => (typeof v === 'boolean' ? { value: v } : { error: `${key} is not a boolean` });

/** Seconds; Healthchecks reads a JSON boolean as the integer it is in Python (0 or 1). */
const seconds: Rule = (v, key) => {
  const n = typeof v === 'boolean' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) return { error: `${key} is not a number` };
  if (n < LIMIT_MIN_S) return { error: `${key} is too small` };
  if (n > LIMIT_MAX_S) return { error: `${key} is too large` };
  return { value: n };
};

const slugRule = str(100, (v) => (/^[a-z0-9_-]*$/.test(v) ? undefined : 'does not match pattern'));

/** Healthchecks' fields in its order: the first failing one is the one reported. */
const RULES: ReadonlyArray<readonly [keyof CheckSpec, Rule]> = [
  ['channels', str()],
  ['desc', str(DESC_MAX)],
  ['failure_kw', str(200)],
  ['filter_subject', bool],
  ['filter_body', bool],
  ['filter_http_body', bool],
  ['filter_default_fail', bool],
  ['grace', seconds],
  ['manual_resume', bool],
  [
    'methods',
    (v, key) => (v === '' || v === 'POST' ? { value: v } : { error: `${key} has unexpected value` }),
  ],
  ['name', str(100)],
  [
    'schedule',
    str(100, (v) => (scheduleProblem(v) ? 'is not a valid cron or OnCalendar expression' : undefined)),
  ],
  ['slug', slugRule],
  ['start_kw', str(200)],
  ['subject', str(200)],
  ['subject_fail', str(200)],
  ['success_kw', str(200)],
  ['tags', str(500)],
  ['timeout', seconds],
  [
    'tz',
    (v, key) => {
      if (typeof v !== 'string') return { error: `${key} is not a string` };
      const tz = canonicalTimezone(v);
      return tz ? { value: tz } : { error: `${key} is not a valid timezone` };
    },
  ],
  [
    'unique',
    (v, key) => {
      if (!Array.isArray(v)) return { error: `${key} is not an array` };
      for (const u of v)
        if (!UNIQUE_FIELDS.includes(u as UniqueField))
          return { error: `an item in '${key}' has unexpected value` };
      return { value: v };
    },
  ],
];

const KNOWN = new Set<string>([...RULES.map(([k]) => k), 'api_key']);

export type SpecResult = { ok: true; spec: CheckSpec } | { ok: false; error: string };

const fail = (message: string): SpecResult => ({ ok: false, error: `json validation error: ${message}` });

/** `body` is the request's JSON object (the caller has refused other JSON). */
export function parseCheckSpec(body: Record<string, unknown>): SpecResult {
  const spec: Record<string, unknown> = {};
  for (const [key, rule] of RULES) {
    if (!(key in body)) continue;
    const r = rule(body[key], key);
    if ('error' in r) return fail(r.error);
    spec[key] = r.value;
  }
  for (const key of Object.keys(body))
    if (!KNOWN.has(key))
      return fail(`${key} is not a known field (alertpath refuses what it would not store)`);
  return { ok: true, spec: spec as CheckSpec };
}

/** Does the body carry only the API key (pause, resume)? The first unknown field otherwise. */
export function unknownField(body: Record<string, unknown>): string | undefined {
  return Object.keys(body).find((k) => k !== 'api_key');
}

const tzOf = (s: Schedule) => ('tz' in s ? s.tz : undefined);

/**
 * A new definition: `base` (the current one, or the defaults for a new check) updated by `spec`,
 * as Healthchecks updates a check: v1 and v2 derive the slug from a new name (v3 only sets what it
 * is given); `schedule` makes a cron or OnCalendar check and wins over `timeout`; `tz` is kept
 * whatever the kind; `subject` and `subject_fail` set the keywords and the e-mail subject filter.
 */
export function applySpec(
  base: CheckDef,
  spec: CheckSpec,
  channels: string[] | undefined,
  version: ApiVersion,
): CheckDef {
  const def: CheckDef = { ...base };
  if (spec.name !== undefined) {
    def.name = spec.name;
    if (version < 3) def.slug = slugify(spec.name);
  }
  if (spec.slug !== undefined) def.slug = spec.slug;
  if (spec.tags !== undefined) def.tags = spec.tags.split(' ').filter((t) => t.length > 0);
  if (spec.desc !== undefined) def.desc = spec.desc;
  if (spec.grace !== undefined) def.graceMs = spec.grace * 1000;
  if (spec.manual_resume !== undefined) def.manualResume = spec.manual_resume;
  if (spec.methods !== undefined) def.methods = spec.methods;

  const tz = spec.tz ?? tzOf(base.schedule) ?? 'UTC';
  if (spec.schedule !== undefined)
    def.schedule =
      scheduleKind(spec.schedule) === 'cron'
        ? { kind: 'cron', cron: spec.schedule, tz }
        : { kind: 'oncalendar', onCalendar: spec.schedule, tz };
  else if (spec.timeout !== undefined)
    def.schedule = { kind: 'simple', periodMs: spec.timeout * 1000, ...(tz !== 'UTC' ? { tz } : {}) };
  else if (spec.tz !== undefined && def.schedule.kind !== 'probe') def.schedule = { ...def.schedule, tz };

  const filter: KeywordFilter = { ...NO_FILTER, ...base.filter };
  if (spec.subject !== undefined) {
    filter.successKw = spec.subject;
    filter.subject = Boolean(filter.successKw || filter.failureKw);
  }
  if (spec.subject_fail !== undefined) {
    filter.failureKw = spec.subject_fail;
    filter.subject = Boolean(filter.successKw || filter.failureKw);
  }
  if (spec.start_kw !== undefined) filter.startKw = spec.start_kw;
  if (spec.success_kw !== undefined) filter.successKw = spec.success_kw;
  if (spec.failure_kw !== undefined) filter.failureKw = spec.failure_kw;
  if (spec.filter_subject !== undefined) filter.subject = spec.filter_subject;
  if (spec.filter_body !== undefined) filter.body = spec.filter_body;
  if (spec.filter_http_body !== undefined) filter.httpBody = spec.filter_http_body;
  if (spec.filter_default_fail !== undefined) filter.defaultFail = spec.filter_default_fail;
  const isEmpty = (Object.keys(NO_FILTER) as Array<keyof KeywordFilter>).every(
    (k) => filter[k] === NO_FILTER[k],
  );
  if (isEmpty) delete def.filter;
  else def.filter = filter;

  if (channels !== undefined) def.channels = channels;
  return def;
}

/** Does the check match every `unique` field of `spec`? None matches when one is absent. */
export function matchesUnique(def: CheckDef, spec: CheckSpec): boolean {
  for (const field of spec.unique ?? []) {
    const wanted = spec[field];
    if (wanted === undefined) return false;
    if (field === 'name' && def.name !== wanted) return false;
    if (field === 'slug' && def.slug !== wanted) return false;
    if (field === 'tags' && def.tags.join(' ') !== String(wanted).split(' ').filter(Boolean).join(' '))
      return false;
    if (field === 'grace' && def.graceMs !== (wanted as number) * 1000) return false;
    if (
      field === 'timeout' &&
      (def.schedule.kind !== 'simple' || def.schedule.periodMs !== (wanted as number) * 1000)
    )
      return false;
  }
  return true;
}
