import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { z } from 'zod';
import { AppError } from './errors.js';
import { readSecretFile, type SecretSources } from './secret-file.js';

/**
 * The one config loader: YAML with `FILE:LINE:COL` errors, `${VAR}` / `${VAR:-default}`
 * interpolation in string values, and secrets read from any `...File` key (the key without the
 * `File` suffix receives the file's content, trailing whitespace trimmed, see ./secret-file.ts).
 * Schemas only describe the resolved keys.
 *
 * Bounded: a config file is at most 1 MiB (parsing one that size takes 2-3 s and ~170 MB on a
 * 2-core machine; 4 MiB took 7-8 s and ~600 MB), and YAML aliases may expand the document by at most
 * 100 000 nodes (counted by the size of what they expand to, not by how many there are: a
 * config may reuse an anchor hundreds of times, a "billion laughs" is refused before it expands).
 */

/** The largest config file read (bytes); a bigger one is refused before it is read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** How many nodes YAML aliases may add to a document when expanded. */
export const MAX_ALIAS_EXPANSION = 100_000;

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
  /** Filled with where each secret came from (resolved key path → file), for start-up lines. */
  secretSources?: SecretSources;
}

export function loadConfigFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: LoadOptions = {},
): z.output<S> {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const { size } = fstatSync(fd);
      if (size > MAX_CONFIG_BYTES) throw tooBig(file, size);
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
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

function tooBig(file: string, bytes: number): ConfigError {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MiB`;
  return new ConfigError([
    {
      file,
      line: 1,
      col: 1,
      message: `the config is ${mib(bytes)}, over the limit of ${mib(MAX_CONFIG_BYTES)}`,
    },
  ]);
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
  // UTF-16 units are never more than UTF-8 bytes: a text over the limit in units is over it.
  if (text.length > MAX_CONFIG_BYTES) throw tooBig(file, Buffer.byteLength(text));
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
    const alias = aliasProblem(doc);
    if (alias) throw new ConfigError([at(alias.offset, alias.message)]);
    // Bounded by aliasProblem (by expansion size); yaml's own limit counts aliases instead.
    value = doc.toJS({ maxAliasCount: -1 }) ?? {};
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = err instanceof RangeError ? 'the YAML is nested too deeply' : (err as Error).message;
    throw new ConfigError([at(0, message)]);
  }

  value = resolveValues(value, [], {
    env,
    readSecret,
    secretSources: options.secretSources,
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

/**
 * Refuses aliases that would expand the document by more than MAX_ALIAS_EXPANSION nodes, or that
 * refer to an anchor that contains them (a cycle). One pass over the document in its order, each
 * anchor's expanded size computed once: linear in the text, whatever the aliases would expand to.
 */
function aliasProblem(doc: Document): { offset: number | undefined; message: string } | undefined {
  const anchors = new Map<string, number | 'open'>();
  let written = 0;
  let expanded = 0;
  let problem: { offset: number | undefined; message: string } | undefined;
  const walk = (node: unknown): number => {
    if (problem || node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const size = anchors.get(node.source);
      if (size === 'open') {
        problem = { offset: node.range?.[0], message: `the alias *${node.source} is inside its own anchor` };
        return 0;
      }
      written++;
      expanded += size ?? 1;
      if (expanded - written > MAX_ALIAS_EXPANSION)
        problem = {
          offset: node.range?.[0],
          message: `YAML aliases expand the config by more than ${MAX_ALIAS_EXPANSION} nodes (a "billion laughs"?)`,
        };
      return size ?? 1;
    }
    if (isPair(node)) return walk(node.key) + walk(node.value);
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, 'open');
    let size = 1;
    if (isCollection(node)) {
      for (const item of node.items) size += walk(item);
    }
    written++;
    expanded++;
    if (anchor) anchors.set(anchor, size);
    return size;
  };
  walk(doc.contents);
  return problem;
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
  secretSources: SecretSources | undefined;
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
        out[target] = readSecretFile(v, { what: key, readFile: ctx.readSecret });
        ctx.secretSources?.set([...path, target].join('.'), v);
      } catch (err) {
        ctx.problem([...path, key], (err as Error).message);
      }
      continue;
    }
    out[key] = v;
  }
  return out;
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
  return readSecretFile(file, { what: `${name}_FILE`, readFile });
}
