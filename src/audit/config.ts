import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, parseConfigText } from '../lib/config.js';
import { usageError } from '../lib/errors.js';
import type { AlertPathEntry } from './alert-path.js';
import type { SeverityOrOff } from './model.js';
import { findRule, ruleIds } from './rules/index.js';

/**
 * `.alertpath.yaml`: rule severities, ignored paths, deadman alert names and extra alert-path
 * components. Unknown keys and unknown rule ids are errors with FILE:LINE:COL.
 */

export const CONFIG_FILE_NAME = '.alertpath.yaml';

const zSeverity = z.enum(['off', 'info', 'warning', 'error']);

const zAuditConfig = z
  .object({
    rules: z
      .record(z.string(), zSeverity)
      .default({})
      .superRefine((rules, ctx) => {
        for (const id of Object.keys(rules)) {
          if (!findRule(id))
            ctx.addIssue({
              code: 'unrecognized_keys',
              keys: [id],
              input: rules,
              message: `unknown rule "${id}" (rules: ${ruleIds().join(', ')})`,
            });
        }
      }),
    ignorePaths: z.array(z.string().min(1)).default([]),
    notDeployedPaths: z.array(z.string().min(1)).optional(),
    deadmanAlerts: z.array(z.string().min(1)).default(['Watchdog']),
    alertPath: z
      .array(
        z
          .object({
            kind: z.string().min(1),
            namespace: z.string().min(1).optional(),
            name: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export interface AuditConfig {
  /** Where it was read from, if anywhere. */
  file?: string;
  rules: Record<string, SeverityOrOff>;
  ignorePaths: string[];
  /** Replaces the default list of paths that are not deployed (discover.ts). */
  notDeployedPaths?: string[];
  deadmanAlerts: string[];
  alertPath: AlertPathEntry[];
}

export function defaultAuditConfig(): AuditConfig {
  return { rules: {}, ignorePaths: [], deadmanAlerts: ['Watchdog'], alertPath: [] };
}

export function parseAuditConfig(text: string, file: string): AuditConfig {
  if (text.trim() === '') return { ...defaultAuditConfig(), file };
  const parsed = parseConfigText(text, file, zAuditConfig, { env: {} });
  return {
    file,
    rules: parsed.rules,
    ignorePaths: parsed.ignorePaths,
    ...(parsed.notDeployedPaths ? { notDeployedPaths: parsed.notDeployedPaths } : {}),
    deadmanAlerts: parsed.deadmanAlerts,
    alertPath: parsed.alertPath.map((e) => ({
      kind: e.kind,
      name: e.name,
      ...(e.namespace ? { namespace: e.namespace } : {}),
    })),
  };
}

/**
 * The config named by `--config`, or `.alertpath.yaml` in the first PATH (the current folder when
 * reading stdin), or the defaults.
 */
export function loadAuditConfig(explicit: string | undefined, firstPath: string | undefined): AuditConfig {
  if (explicit !== undefined) {
    let text: string;
    try {
      text = readFileSync(explicit, 'utf8');
    } catch (err) {
      throw usageError(
        `--config ${explicit}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    return parseAuditConfig(text, explicit);
  }
  const dir = firstPath === undefined || firstPath === '-' ? '.' : firstPath;
  try {
    if (!statSync(dir).isDirectory()) return defaultAuditConfig();
  } catch {
    return defaultAuditConfig();
  }
  const candidate = join(dir, CONFIG_FILE_NAME);
  if (!existsSync(candidate)) return defaultAuditConfig();
  return parseAuditConfig(readFileSync(candidate, 'utf8'), candidate);
}

export { ConfigError };
