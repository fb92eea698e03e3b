import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYamlValue } from 'yaml';
import { usageError } from '../lib/errors.js';
import type { Note } from './model.js';
import type { SourceInput } from './sources/index.js';

/**
 * Finds the inputs: `*.yaml`/`*.yml` (compose files included), `Dockerfile*`/`Containerfile*`,
 * or a YAML stream on stdin (`-`). Skips `.git`, `node_modules`, `ignorePaths`, Helm chart
 * `templates/` (not YAML until rendered), binary files and files over 10 MB, with notes.
 */

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_STDIN_BYTES = 256 * 1024 * 1024;
const SKIP_DIRS = new Set(['.git', 'node_modules']);
const MAX_DEPTH = 64;
export const STDIN_NAME = '<stdin>';

/**
 * Paths that are not deployed (tooling, tests, examples, CI): image and runtime-install findings
 * there are at most info. `notDeployedPaths` in `.alertpath.yaml` replaces this list.
 */
export const DEFAULT_NOT_DEPLOYED_PATHS: readonly string[] = [
  '**/hack/**',
  '**/tools/**',
  '**/scripts/**',
  '**/.taskfiles/**',
  '**/test/**',
  '**/tests/**',
  '**/examples/**',
  '**/example/**',
  '.github/**',
  '.gitea/**',
  '.forgejo/**',
  '.woodpecker/**',
  '.woodpecker.y*ml',
  '.gitlab/**',
  '.gitlab-ci.yml',
  '.circleci/**',
  '.drone.yml',
];

/** Files that are templates, not YAML as deployed: skipped with a note (and input-unreadable if config-shaped). */
const TEMPLATE_FILE = /\.(?:j2|jinja2?|gotmpl|tpl)$/i;
const JSONNET_FILE = /\.(?:jsonnet|libsonnet)$/i;
const MAX_TEMPLATE_FILES = 2000;

export interface DiscoverOptions {
  cwd: string;
  ignorePaths: readonly string[];
  /** Globs relative to the PATH; DEFAULT_NOT_DEPLOYED_PATHS when unset. */
  notDeployedPaths?: readonly string[];
  /** Not audited itself (the audit's own config). */
  configFile?: string;
  readStdin: () => Promise<Buffer>;
  notes: Note[];
}

export function inputType(name: string): SourceInput['type'] | undefined {
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/^(?:Dockerfile|Containerfile)(?:\..+)?$/i.test(name) || /\.(?:Dockerfile|Containerfile)$/i.test(name))
    return 'dockerfile';
  return undefined;
}

export async function* discoverInputs(
  paths: readonly string[],
  options: DiscoverOptions,
): AsyncGenerator<SourceInput> {
  const ignore =
    options.ignorePaths.length > 0 ? picomatch(options.ignorePaths as string[], { dot: true }) : undefined;
  const notDeployed = picomatch([...(options.notDeployedPaths ?? DEFAULT_NOT_DEPLOYED_PATHS)] as string[], {
    dot: true,
  });
  const isNotDeployed = (abs: string, root: string) => {
    const fromRoot = relative(root, abs).split(sep).join('/');
    return fromRoot !== '' && !fromRoot.startsWith('..') && notDeployed(fromRoot);
  };
  let templateFiles = 0;
  /** Files kustomize generators make into ConfigMaps or Secrets (absolute paths, repository-wide). */
  const generatedFiles = new Map<string, NonNullable<SourceInput['generated']>>();
  const patchFiles = new Map<string, NonNullable<SourceInput['patch']>>();
  const configFile = options.configFile ? resolve(options.cwd, options.configFile) : undefined;
  const display = (abs: string) => {
    const rel = relative(options.cwd, abs);
    return (rel === '' ? basename(abs) : rel).split(sep).join('/');
  };
  const ignored = (abs: string, root: string) => {
    if (!ignore) return false;
    const fromRoot = relative(root, abs).split(sep).join('/');
    const fromCwd = relative(options.cwd, abs).split(sep).join('/');
    return (
      (fromRoot !== '' && ignore(fromRoot)) ||
      (fromCwd !== '' && !fromCwd.startsWith('..') && ignore(fromCwd))
    );
  };

  for (const p of paths) {
    if (p === '-') {
      const buf = await options.readStdin();
      if (buf.length > MAX_STDIN_BYTES) {
        options.notes.push({
          file: STDIN_NAME,
          message: `skipped: over ${MAX_STDIN_BYTES / 1024 / 1024} MB`,
        });
        continue;
      }
      if (isBinary(buf)) {
        options.notes.push({ file: STDIN_NAME, message: 'skipped: binary input' });
        continue;
      }
      if (buf.toString('utf8').trim() === '') {
        options.notes.push({ file: STDIN_NAME, message: 'skipped: empty' });
        continue;
      }
      yield { file: STDIN_NAME, text: decode(buf), type: 'yaml' };
      continue;
    }
    const abs = resolve(options.cwd, p);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(abs);
    } catch (err) {
      throw usageError(
        `${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
      );
    }
    if (st.isDirectory()) {
      yield* walk(abs, abs, 0, undefined);
    } else {
      const file = readInput(abs, display(abs), inputType(basename(abs)) ?? 'yaml', options.notes);
      if (file) {
        if (isNotDeployed(abs, options.cwd)) file.notDeployed = true;
        yield file;
      }
    }
  }

  function* walk(
    dir: string,
    root: string,
    depth: number,
    namespace: string | undefined,
  ): Generator<SourceInput> {
    if (depth > MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      options.notes.push({ file: display(dir), message: `skipped: ${(err as Error).message}` });
      return;
    }
    const isChart = names.includes('Chart.yaml');
    const chart = isChart ? readChartMeta(dir, 0) : undefined;
    const kustomization = readKustomization(dir, names);
    for (const [path, entries] of kustomization?.generated ?? [])
      generatedFiles.set(path, [...(generatedFiles.get(path) ?? []), ...entries]);
    for (const [path, entry] of kustomization?.patches ?? [])
      patchFiles.set(path, { ...entry, kustomization: display(entry.kustomization) });
    const ns = kustomization?.namespace ?? namespace;
    const isRole = ['tasks', 'handlers', 'defaults', 'meta'].some((n) => names.includes(n));
    for (const name of names) {
      const abs = join(dir, name);
      if (ignored(abs, root)) continue;
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(abs);
        if (st.isSymbolicLink()) {
          st = statSync(abs);
          if (st.isDirectory()) continue; // never follow directory links: no loops
        }
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (SKIP_DIRS.has(name)) continue;
        if (name === 'templates' && (isChart || isRole)) {
          options.notes.push({
            file: display(abs),
            message: isChart
              ? 'skipped: Helm templates are not YAML until rendered; audit `helm template … | alertpath audit -`'
              : 'skipped: Ansible role templates are Jinja, not YAML until rendered',
          });
          yield* templates(
            abs,
            depth + 1,
            isChart ? 'a Helm template' : 'an Ansible (Jinja) template',
            display(abs),
          );
          continue;
        }
        yield* walk(abs, root, depth + 1, ns);
        continue;
      }
      if (!st.isFile()) continue;
      if (TEMPLATE_FILE.test(name) || JSONNET_FILE.test(name)) {
        const kindOf = JSONNET_FILE.test(name)
          ? 'Jsonnet'
          : /\.gotmpl$/i.test(name)
            ? 'a helmfile (Go) template'
            : /\.tpl$/i.test(name)
              ? 'a Go template'
              : 'a Jinja template';
        if (!JSONNET_FILE.test(name) && !/\.ya?ml\./i.test(name) && !/\.(gotmpl)$/i.test(name)) {
          // x.conf.j2, x.tpl: not YAML at all; only a config-shaped one is worth a word
        } else {
          options.notes.push({ file: display(abs), message: `skipped: ${kindOf}, not YAML as deployed` });
        }
        const file = readTemplate(abs, kindOf);
        if (file) yield file;
        continue;
      }
      const type = inputType(name);
      if (!type) continue;
      if (configFile && abs === configFile) continue;
      const isKustomization = /^kustomization\.ya?ml$/i.test(name);
      const file = readInput(abs, display(abs), type, options.notes, st.size);
      if (file && isKustomization) {
        file.kustomization = { dir: display(dir), resources: kustomization?.resources ?? [] };
        if (ns) file.defaultNamespace = ns;
        yield file;
        continue;
      }
      if (file) {
        const patch = patchFiles.get(abs);
        if (patch) {
          file.patch = patch;
          yield file;
          continue;
        }
        if (ns) file.defaultNamespace = ns;
        if (isNotDeployed(abs, root)) file.notDeployed = true;
        const generated = generatedFiles.get(abs);
        if (generated) file.generated = generated;
        if (chart && chart.dependencies.length > 0 && /^values[^/]*\.ya?ml$/i.test(name)) file.chart = chart;
        yield file;
      }
    }
  }

  function* templates(dir: string, depth: number, kindOf: string, group: string): Generator<SourceInput> {
    if (depth > MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const abs = join(dir, name);
      let st: ReturnType<typeof lstatSync>;
      try {
        st = lstatSync(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) yield* templates(abs, depth + 1, kindOf, group);
      else if (st.isFile()) {
        const file = readTemplate(abs, kindOf, group);
        if (file) yield file;
      }
    }
  }

  function readTemplate(abs: string, kindOf: string, group?: string): SourceInput | undefined {
    if (templateFiles >= MAX_TEMPLATE_FILES) return undefined;
    templateFiles++;
    const file = readInput(abs, display(abs), 'template', [], undefined);
    if (file) {
      file.template = kindOf;
      if (group) file.templateGroup = group;
    }
    return file;
  }
}

function readInput(
  abs: string,
  file: string,
  type: SourceInput['type'],
  notes: Note[],
  size?: number,
): SourceInput | undefined {
  try {
    const bytes = size ?? statSync(abs).size;
    if (bytes > MAX_FILE_BYTES) {
      notes.push({
        file,
        message: `skipped: ${(bytes / 1024 / 1024).toFixed(1)} MB is over the 10 MB limit`,
      });
      return undefined;
    }
    const buf = readFileSync(abs);
    if (isBinary(buf)) {
      notes.push({ file, message: 'skipped: binary file' });
      return undefined;
    }
    return { file, text: decode(buf), type };
  } catch (err) {
    notes.push({
      file,
      message: `skipped: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    });
    return undefined;
  }
}

/** A NUL byte in the first 8000 bytes, as git decides. */
export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}

function decode(buf: Buffer): string {
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface Kustomization {
  namespace?: string;
  /** Files that configMapGenerator / secretGenerator turn into objects, by absolute path. */
  generated: Map<string, NonNullable<SourceInput['generated']>>;
  /** Patch files (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`), by absolute path. */
  patches: Map<string, NonNullable<SourceInput['patch']>>;
  /** `resources:` entries as written. */
  resources: string[];
}

/**
 * The kustomization in this folder: its `namespace:` (kustomize applies it to its resources),
 * and the files its `configMapGenerator` and `secretGenerator` make into objects (a Flux
 * HelmRelease's `valuesFrom` names them; `generatorOptions.disableNameSuffixHash` or not, the
 * name is the generator's).
 */
function readKustomization(dir: string, names: string[]): Kustomization | undefined {
  const name = names.find((n) => /^kustomization\.ya?ml$/i.test(n) || n === 'Kustomization');
  if (!name) return undefined;
  let value: {
    namespace?: unknown;
    configMapGenerator?: unknown;
    secretGenerator?: unknown;
    resources?: unknown;
    bases?: unknown;
    patches?: unknown;
    patchesStrategicMerge?: unknown;
    patchesJson6902?: unknown;
  } | null;
  try {
    const buf = readFileSync(join(dir, name));
    if (buf.length > MAX_FILE_BYTES) return undefined;
    value = parseYamlValue(buf.toString('utf8'), { maxAliasCount: 100 }) as typeof value;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const out: Kustomization = { generated: new Map(), patches: new Map(), resources: [] };
  for (const list of [value.resources, value.bases]) {
    if (Array.isArray(list)) for (const r of list) if (typeof r === 'string') out.resources.push(r);
  }
  const target = (t: unknown): { kind?: string; name?: string } | undefined => {
    if (!t || typeof t !== 'object') return undefined;
    const o = t as { kind?: unknown; name?: unknown };
    return {
      ...(typeof o.kind === 'string' ? { kind: o.kind } : {}),
      ...(typeof o.name === 'string' ? { name: o.name } : {}),
    };
  };
  const addPatch = (path: unknown, t: unknown) => {
    if (typeof path !== 'string' || /^https?:/.test(path)) return;
    const tt = target(t);
    out.patches.set(resolve(dir, path), { kustomization: join(dir, name), ...(tt ? { target: tt } : {}) });
  };
  if (Array.isArray(value.patches))
    for (const p of value.patches as Array<{ path?: unknown; target?: unknown } | string>)
      if (typeof p === 'string') addPatch(p, undefined);
      else if (p) addPatch(p.path, p.target);
  if (Array.isArray(value.patchesStrategicMerge))
    for (const p of value.patchesStrategicMerge)
      if (typeof p === 'string' && !p.includes('\n')) addPatch(p, undefined);
  if (Array.isArray(value.patchesJson6902))
    for (const p of value.patchesJson6902 as Array<{ path?: unknown; target?: unknown }>)
      if (p) addPatch(p.path, p.target);
  const ns = value.namespace;
  if (typeof ns === 'string' && ns !== '') out.namespace = ns;
  for (const [field, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    const list = value[field];
    if (!Array.isArray(list)) continue;
    for (const g of list as Array<{ name?: unknown; namespace?: unknown; files?: unknown }>) {
      if (!g || typeof g.name !== 'string' || !Array.isArray(g.files)) continue;
      for (const f of g.files) {
        if (typeof f !== 'string') continue;
        const eq = f.indexOf('=');
        const key = eq === -1 ? basename(f) : f.slice(0, eq);
        const path = resolve(dir, eq === -1 ? f : f.slice(eq + 1));
        const entry = {
          kind,
          name: g.name,
          key,
          ...(typeof g.namespace === 'string'
            ? { namespace: g.namespace }
            : out.namespace
              ? { namespace: out.namespace }
              : {}),
        };
        const list2 = out.generated.get(path) ?? [];
        list2.push(entry);
        out.generated.set(path, list2);
      }
    }
  }
  return out;
}

/** A chart's name and dependencies (`alias`, `condition`), with those of its local subcharts. */
function readChartMeta(dir: string, depth: number): NonNullable<SourceInput['chart']> | undefined {
  let value: { name?: unknown; dependencies?: unknown } | null;
  try {
    const buf = readFileSync(join(dir, 'Chart.yaml'));
    if (buf.length > MAX_FILE_BYTES) return undefined;
    value = parseYamlValue(buf.toString('utf8'), { maxAliasCount: 100 }) as typeof value;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const chart: NonNullable<SourceInput['chart']> = {
    name: typeof value.name === 'string' ? value.name : basename(dir),
    dependencies: [],
  };
  if (!Array.isArray(value.dependencies)) return chart;
  for (const d of value.dependencies as Array<Record<string, unknown>>) {
    if (!d || typeof d.name !== 'string') continue;
    const dep: NonNullable<SourceInput['chart']>['dependencies'][number] = { name: d.name };
    if (typeof d.alias === 'string' && d.alias !== '') dep.alias = d.alias;
    if (typeof d.condition === 'string' && d.condition !== '') dep.condition = d.condition;
    if (depth < 4) {
      const repo = typeof d.repository === 'string' ? d.repository : '';
      const local = repo.startsWith('file://')
        ? resolve(dir, repo.slice('file://'.length))
        : join(dir, 'charts', d.name);
      const sub = existsSafe(join(local, 'Chart.yaml')) ? readChartMeta(local, depth + 1) : undefined;
      if (sub && sub.dependencies.length > 0) dep.dependencies = sub.dependencies;
    }
    chart.dependencies.push(dep);
  }
  return chart;
}

function existsSafe(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
