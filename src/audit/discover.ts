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

export interface DiscoverOptions {
  cwd: string;
  ignorePaths: readonly string[];
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
      if (file) yield file;
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
    const ns = kustomizeNamespace(dir, names) ?? namespace;
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
        if (isChart && name === 'templates') {
          options.notes.push({
            file: display(abs),
            message:
              'skipped: Helm templates are not YAML until rendered; audit `helm template … | alertpath audit -`',
          });
          continue;
        }
        yield* walk(abs, root, depth + 1, ns);
        continue;
      }
      if (!st.isFile()) continue;
      const type = inputType(name);
      if (!type) continue;
      if (configFile && abs === configFile) continue;
      if (/^kustomization\.ya?ml$/i.test(name)) continue;
      const file = readInput(abs, display(abs), type, options.notes, st.size);
      if (file) {
        if (ns) file.defaultNamespace = ns;
        yield file;
      }
    }
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

/** `namespace:` of a kustomization in this folder, which kustomize applies to its resources. */
function kustomizeNamespace(dir: string, names: string[]): string | undefined {
  const name = names.find((n) => /^kustomization\.ya?ml$/i.test(n) || n === 'Kustomization');
  if (!name) return undefined;
  try {
    const buf = readFileSync(join(dir, name));
    if (buf.length > MAX_FILE_BYTES) return undefined;
    const value = parseYamlValue(buf.toString('utf8'), { maxAliasCount: 100 }) as {
      namespace?: unknown;
    } | null;
    return typeof value?.namespace === 'string' && value.namespace !== '' ? value.namespace : undefined;
  } catch {
    return undefined;
  }
}
