import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError } from './errors.js';

/**
 * The one config loader: YAML with `FILE:LINE:COL` errors, `${VAR}` / `${VAR:-default}`
 * interpolation in string values, and secrets read from any `...File` key (the key without the
 * `File` suffix receives the file's content). Schemas only describe the resolved keys.
 */

export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export class ConfigError extends AppError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super('AP_CONFIG_INVALID', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Reads a secret file; injected for tests. Defaults to fs, relative to the config's folder. */
  readSecret?: (path: string) => string;
}

export function loadConfigFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: LoadOptions = {},
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      { file, line: 1, col: 1, message: `cannot read config: ${(err as Error).message}` },
    ]);
  }
  const base = dirname(resolve(file));
  return parseConfigText(text, file, schema, {
    ...options,
    readSecret: options.readSecret ?? ((p) => readFileSync(resolve(base, p), 'utf8')),
  });
}

type Path = Array<string | number>;

export function parseConfigText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  options: LoadOptions = {},
): z.output<S> {
  const env = options.env ?? process.env;
  const readSecret = options.readSecret ?? ((p: string) => readFileSync(p, 'utf8'));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined, message: string): ConfigProblem => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col, message };
  };

  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => at(e.pos[0], e.message.split('\n')[0] ?? e.message)));
  }

  const problems: ConfigProblem[] = [];
  const nodeAt = (path: Path): Node | undefined => nearestNode(doc, path);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError([at(0, (err as Error).message)]);
  }

  value = resolveValues(value, [], {
    env,
    readSecret,
    problem: (path, message) => problems.push(at(nodeAt(path)?.range?.[0], message)),
  });
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const keys = (issue as { keys?: string[] }).keys;
      let node = nodeAt(path);
      // For an unknown key, point at the key itself.
      if (keys?.[0] !== undefined) {
        const parent = doc.getIn(path, true);
        if (isMap(parent)) {
          const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === keys[0]);
          if (pair && isScalar(pair.key)) node = pair.key;
        }
      }
      const where = path.length > 0 ? `${path.join('.')}: ` : '';
      problems.push(at(node?.range?.[0], `${where}${issue.message}`));
    }
    throw new ConfigError(problems);
  }
  return parsed.data;
}

/** The node at `path`, or the closest ancestor that exists (a resolved `fooFile` maps to `foo`). */
function nearestNode(doc: Document, path: Path): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    const last = prefix[prefix.length - 1];
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    if (node && (isMap(node) || isSeq(node) || isScalar(node))) return node as Node;
    if (typeof last === 'string') {
      const fileNode = doc.getIn([...prefix.slice(0, -1), `${last}File`], true);
      if (fileNode && isScalar(fileNode)) return fileNode;
    }
  }
  return undefined;
}

interface ResolveContext {
  env: NodeJS.ProcessEnv;
  readSecret: (path: string) => string;
  problem: (path: Path, message: string) => void;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolate(text: string, env: NodeJS.ProcessEnv, onMissing: (name: string) => void): string {
  return text.replace(INTERPOLATION, (_m, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    onMissing(name);
    return '';
  });
}

function resolveValues(value: unknown, path: Path, ctx: ResolveContext): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return interpolate(value, ctx.env, (name) =>
      ctx.problem(path, `environment variable ${name} is not set (use \${${name}:-default} for a default)`),
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValues(v, [...path, i], ctx));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const v = resolveValues(raw, [...path, key], ctx);
    if (key.length > 4 && key.endsWith('File') && typeof v === 'string') {
      const target = key.slice(0, -4);
      if (target in (value as Record<string, unknown>)) {
        ctx.problem([...path, key], `set either ${target} or ${key}, not both`);
        continue;
      }
      try {
        out[target] = stripTrailingNewline(ctx.readSecret(v));
      } catch (err) {
        ctx.problem(
          [...path, key],
          `cannot read ${key} "${v}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
      continue;
    }
    out[key] = v;
  }
  return out;
}

function stripTrailingNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

/**
 * A secret from the environment: `NAME`, or the content of the file named by `NAME_FILE`.
 * Returns undefined when neither is set.
 */
export function secretFromEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    return stripTrailingNewline(readFile(file));
  } catch (err) {
    throw new AppError(
      'AP_CONFIG_INVALID',
      `${name}_FILE: cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
