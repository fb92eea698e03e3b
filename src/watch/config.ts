import { z } from 'zod';
import { loadConfigFile, parseConfigText } from '../lib/config.js';
import { zDuration, zHeaderSecret, zHttpUrl, zListen } from '../lib/schema.js';
import { type SecretSources, secretOrigin } from '../lib/secret-file.js';
import type { CheckDef, KeywordFilter, MaintenanceWindow } from './checks/model.js';
import { NO_FILTER, SLUG_PATTERN, UUID_PATTERN } from './checks/model.js';
import { onCalendarProblem } from './checks/oncalendar.js';
import { canonicalTimezone, cronProblem, timezoneProblem } from './checks/schedule.js';
import { dashboardFields } from './dashboard/config.js';
import { peerCheckName, zInstanceName, zPeer } from './peers/config.js';
import { probeFields, probeInfo, probeProblems, probeSpec } from './probes/config.js';
import type { ProbeSpec } from './probes/spec.js';

/**
 * The `watch` config file (spec: Config file). Everything is optional: with no file at all the
 * service starts with no checks and no channels, and checks come from the API or `?create=1`.
 */

const MIN_CONFIG_INTERVAL_MS = 1000;
const DAY_MS = 86_400_000;

/** A time zone; legacy names become their canonical zone (`Europe/Kiev` → `Europe/Kyiv`). */
const zTz = z
  .string()
  .default('UTC')
  .superRefine((tz, ctx) => {
    const problem = timezoneProblem(tz);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((tz) => canonicalTimezone(tz) ?? tz);

const zMaintenance = z.array(
  z
    .object({ cron: z.string(), duration: zDuration, tz: zTz })
    .strict()
    .superRefine((w, ctx) => {
      const problem = cronProblem(w.cron, w.tz);
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
      if (w.duration <= 0)
        ctx.addIssue({ code: 'custom', path: ['duration'], message: 'must be more than 0' });
    }),
);

const zKeywords = z
  .array(
    z
      .string()
      .min(1)
      .regex(/^[^,]*$/, 'a keyword cannot contain a comma (Healthchecks separates them by commas)'),
  )
  .default([]);

/** What checks and probes both have: identity, labels and how they page. */
const checkIdentity = {
  name: z.string().min(1).max(100),
  slug: z.string().regex(SLUG_PATTERN, 'use only a-z, 0-9, hyphens and underscores').max(100).optional(),
  uuid: z
    .string()
    .regex(UUID_PATTERN, 'expected a UUID such as 5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11')
    .optional(),
  tags: z.array(z.string().regex(/^\S+$/, 'a tag has no spaces')).default([]),
  desc: z.string().default(''),
  channels: z.array(z.string()).optional(),
  repeat: zDuration.optional(),
  maintenance: zMaintenance.optional(),
};

const zCheck = z
  .object({
    ...checkIdentity,
    period: zDuration.optional(),
    cron: z.string().optional(),
    /** systemd OnCalendar expressions, one per line (`Mon..Fri 09:00`, `daily`). */
    onCalendar: z.string().optional(),
    tz: zTz,
    grace: zDuration.default(3_600_000),
    filter: z
      .object({
        success: zKeywords,
        failure: zKeywords,
        start: zKeywords,
        defaultFail: z.boolean().default(false),
      })
      .strict()
      .optional(),
    manualResume: z.boolean().default(false),
    methods: z.enum(['', 'POST']).default(''),
    alertmanager: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ([c.period, c.cron, c.onCalendar].filter((v) => v !== undefined).length !== 1)
      ctx.addIssue({ code: 'custom', message: 'set exactly one of period, cron or onCalendar' });
    if (c.period !== undefined && c.period < MIN_CONFIG_INTERVAL_MS)
      ctx.addIssue({ code: 'custom', path: ['period'], message: 'must be at least 1s' });
    if (c.grace < MIN_CONFIG_INTERVAL_MS)
      ctx.addIssue({ code: 'custom', path: ['grace'], message: 'must be at least 1s' });
    if (c.cron !== undefined) {
      const problem = cronProblem(c.cron, c.tz);
      if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
    }
    if (c.onCalendar !== undefined) {
      const problem = onCalendarProblem(c.onCalendar);
      if (problem) ctx.addIssue({ code: 'custom', path: ['onCalendar'], message: problem });
    }
  });

/** `probes:` items: the probe keys (./probes/config.ts) plus what every check has. */
const zProbe = z
  .object({
    ...checkIdentity,
    ...probeFields,
  })
  .strict()
  .superRefine((p, ctx) =>
    probeProblems(p, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );

/** What the config needs from the channel types (src/watch/notify): their schema, keyed on `type`. */
export type ChannelSchema = z.ZodType<{ type: string }>;

export function watchConfigSchema(channelConfigSchema: ChannelSchema) {
  return z
    .object({
      baseUrl: zHttpUrl.optional(),
      listen: zListen.optional(),
      pingKey: z
        .string()
        .regex(/^[A-Za-z0-9_-]{8,}$/, 'expected at least 8 characters from A-Z, a-z, 0-9, - and _')
        .optional(),
      pingBodyLimit: z.number().int().min(0).max(1_000_000).default(10_000),
      retention: z
        .object({
          pings: z.number().int().min(1).max(10_000).default(100),
          history: zDuration.default(90 * DAY_MS),
        })
        .strict()
        .default({ pings: 100, history: 90 * DAY_MS }),
      /** Removed: nothing the API creates makes a request (see docs/watch.md, Private addresses). */
      allowPrivateTargets: z
        .never({
          error:
            'removed: the API creates nothing that makes a request, and channels, probes and peers come from the config, where private addresses are allowed; delete this key',
        })
        .optional(),
      defaults: z
        .object({
          channels: z.array(z.string()).default([]),
          repeat: zDuration.default(0),
          fallback: z.array(z.string()).default([]),
          maintenance: zMaintenance.default([]),
        })
        .strict()
        .default({ channels: [], repeat: 0, fallback: [], maintenance: [] }),
      channels: z
        .record(
          z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, ".", "-" or "_"'),
          channelConfigSchema,
        )
        .default({}),
      checks: z.array(zCheck).default([]),
      apiKeys: z
        .array(
          z
            .object({
              name: z.string().min(1),
              key: zHeaderSecret.min(16, 'use a key of at least 16 characters'),
              readOnly: z.boolean().default(false),
            })
            .strict(),
        )
        .default([]),
      probes: z.array(zProbe).default([]),
      /** Probe runs in flight at most, over all probes. */
      probeConcurrency: z.number().int().min(1).max(4096).default(64),
      /** This instance's name, as its peers know it (needed with `peers`). */
      name: zInstanceName.optional(),
      peers: z.array(zPeer).default([]),
      /** The dashboard: users, public status pages, the badge key (./dashboard/config.ts). */
      ...dashboardFields,
    })
    .strict()
    .superRefine((cfg, ctx) => {
      const known = new Set(Object.keys(cfg.channels));
      const refs = (list: string[] | undefined, path: Array<string | number>) =>
        list?.forEach((name, i) => {
          if (!known.has(name))
            ctx.addIssue({
              code: 'custom',
              path: [...path, i],
              message: `no channel named "${name}" (channels: ${[...known].join(', ') || 'none'})`,
            });
        });
      refs(cfg.defaults.channels, ['defaults', 'channels']);
      refs(cfg.defaults.fallback, ['defaults', 'fallback']);
      const names = new Set<string>();
      const slugs = new Set<string>();
      const uuids = new Set<string>();
      const unique = (
        section: 'checks' | 'probes',
        items: Array<{
          name: string;
          slug?: string | undefined;
          uuid?: string | undefined;
          channels?: string[] | undefined;
        }>,
      ) =>
        items.forEach((item, i) => {
          refs(item.channels, [section, i, 'channels']);
          const dup = (set: Set<string>, v: string, key: string, what: string) => {
            if (set.has(v))
              ctx.addIssue({ code: 'custom', path: [section, i, key], message: `duplicate ${what} "${v}"` });
            set.add(v);
          };
          dup(names, item.name, 'name', 'check name');
          dup(slugs, item.slug ?? slugify(item.name), item.slug ? 'slug' : 'name', 'slug');
          if (item.uuid) dup(uuids, item.uuid.toLowerCase(), 'uuid', 'uuid');
        });
      unique('checks', cfg.checks);
      unique('probes', cfg.probes);
      if (cfg.peers.length > 0 && cfg.name === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['peers'],
          message: "set name: (this instance's name, as its peers know it) to use peers",
        });
      const peerNames = new Set<string>();
      cfg.peers.forEach((peer, i) => {
        refs(peer.channels, ['peers', i, 'channels']);
        const problem =
          peer.name === cfg.name
            ? `a peer cannot have this instance's own name "${peer.name}"`
            : peerNames.has(peer.name)
              ? `duplicate peer "${peer.name}"`
              : names.has(peerCheckName(peer.name)) || slugs.has(peerCheckName(peer.name))
                ? `its check "${peerCheckName(peer.name)}" has the name of a check or probe`
                : undefined;
        if (problem) ctx.addIssue({ code: 'custom', path: ['peers', i, 'name'], message: problem });
        peerNames.add(peer.name);
      });
      const seen = (items: Array<{ key: string }>, section: string, key: string, what: string) => {
        const set = new Set<string>();
        items.forEach((item, i) => {
          if (set.has(item.key))
            ctx.addIssue({
              code: 'custom',
              path: [section, i, key],
              message: `duplicate ${what} "${item.key}"`,
            });
          set.add(item.key);
        });
      };
      seen(
        cfg.users.map((u) => ({ key: u.name })),
        'users',
        'name',
        'user',
      );
      seen(
        cfg.statusPages.map((p) => ({ key: p.slug })),
        'statusPages',
        'slug',
        'status page',
      );
    });
}

export type WatchConfig = z.output<ReturnType<typeof watchConfigSchema>>;
export type ConfigCheck = WatchConfig['checks'][number];
export type ConfigProbe = WatchConfig['probes'][number];
export type ConfigPeer = WatchConfig['peers'][number];

export function loadWatchConfig(
  file: string | undefined,
  channelSchema: ChannelSchema,
  env: NodeJS.ProcessEnv = process.env,
  secretSources?: SecretSources,
): WatchConfig {
  const schema = watchConfigSchema(channelSchema);
  if (file === undefined) return parseConfigText('{}', '(defaults)', schema, { env });
  return loadConfigFile(file, schema, { env, ...(secretSources ? { secretSources } : {}) });
}

/**
 * The start-up line naming the management API's auth and where each key came from, never a key:
 * `auth: API keys (X-Api-Key) ci (read-write) from /run/secrets/watch-key; 1 kept in the store (hashed)`.
 */
export function describeAuth(cfg: WatchConfig, sources: SecretSources, storedKeys: number): string {
  const keys = cfg.apiKeys.map(
    (k, i) =>
      `${k.name} (${k.readOnly ? 'read-only' : 'read-write'}) ${secretOrigin(sources, `apiKeys.${i}.key`)}`,
  );
  const stored = storedKeys > 0 ? `${storedKeys} kept in the store (hashed)` : '';
  const all = [keys.length > 0 ? keys.join(', ') : '', stored].filter((s) => s !== '');
  return `auth: API keys (X-Api-Key) ${all.join('; ') || 'none'}`;
}

/** `Database Backup` → `database-backup`, as Healthchecks derives slugs. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-');
}

function windows(
  list: Array<{ cron: string; duration: number; tz: string }> | undefined,
): MaintenanceWindow[] | undefined {
  return list?.map((w) => ({ cron: w.cron, durationMs: w.duration, tz: w.tz }));
}

export function configCheckDef(c: ConfigCheck): { uuid?: string; def: CheckDef } {
  const maintenance = windows(c.maintenance);
  const def: CheckDef = {
    name: c.name,
    slug: c.slug ?? slugify(c.name),
    tags: c.tags,
    desc: c.desc,
    schedule:
      c.cron !== undefined
        ? { kind: 'cron', cron: c.cron, tz: c.tz }
        : c.onCalendar !== undefined
          ? { kind: 'oncalendar', onCalendar: c.onCalendar, tz: c.tz }
          : { kind: 'simple', periodMs: c.period ?? 0 },
    graceMs: c.grace,
    manualResume: c.manualResume,
    methods: c.methods,
    alertmanager: c.alertmanager,
    ...(c.filter ? { filter: configFilter(c.filter) } : {}),
    ...(c.channels ? { channels: c.channels } : {}),
    ...(c.repeat !== undefined ? { repeatMs: c.repeat } : {}),
    ...(maintenance ? { maintenance } : {}),
  };
  return { ...(c.uuid ? { uuid: c.uuid.toLowerCase() } : {}), def };
}

/** The config's `filter` (for HTTP ping bodies) in Healthchecks' terms. */
function configFilter(f: NonNullable<ConfigCheck['filter']>): KeywordFilter {
  return {
    ...NO_FILTER,
    successKw: f.success.join(','),
    failureKw: f.failure.join(','),
    startKw: f.start.join(','),
    httpBody: true,
    defaultFail: f.defaultFail,
  };
}

/** A probe from the config as a check of kind probe, and the spec the prober runs. */
export function configProbeDef(p: ConfigProbe): { uuid?: string; def: CheckDef; spec: ProbeSpec } {
  const maintenance = windows(p.maintenance);
  const spec = probeSpec(p.name, p);
  const def: CheckDef = {
    name: p.name,
    slug: p.slug ?? slugify(p.name),
    tags: p.tags,
    desc: p.desc,
    schedule: { kind: 'probe', intervalMs: spec.intervalMs },
    graceMs: 0,
    manualResume: false,
    methods: '',
    alertmanager: false,
    probe: probeInfo(spec, p),
    ...(p.channels ? { channels: p.channels } : {}),
    ...(p.repeat !== undefined ? { repeatMs: p.repeat } : {}),
    ...(maintenance ? { maintenance } : {}),
  };
  return { ...(p.uuid ? { uuid: p.uuid.toLowerCase() } : {}), def, spec };
}

export function configDefaults(cfg: WatchConfig) {
  return {
    channels: cfg.defaults.channels,
    fallback: cfg.defaults.fallback,
    repeatMs: cfg.defaults.repeat,
    maintenance: windows(cfg.defaults.maintenance) ?? [],
  };
}
