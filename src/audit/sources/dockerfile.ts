import type { Model, ObjectRef } from '../model.js';
import { NO_IGNORE } from '../model.js';
import { addImage } from './images.js';

/**
 * Dockerfiles: base images from `FROM` (stage names and `scratch` skipped; references that use
 * a build ARG skipped with a note, since the ARG may be set at build time), and the
 * final stage's `CMD`/`ENTRYPOINT`, which run at every container start.
 */

interface Instruction {
  keyword: string;
  args: string;
  line: number;
  /** 1-based column of `args` on `line`. */
  argsColumn: number;
}

export function readDockerfile(text: string, file: string, model: Model): void {
  const instructions = splitInstructions(text);
  const stages = new Set<string>();
  let finalStage: Instruction[] = [];
  let stageName: string | undefined;
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      finalStage = [];
      const tokens = tokenize(ins.args);
      const imageTok = tokens.find((t) => !t.text.startsWith('--'));
      if (!imageTok) continue;
      const asIdx = tokens.findIndex((t) => t.text.toLowerCase() === 'as');
      stageName = asIdx !== -1 ? tokens[asIdx + 1]?.text.toLowerCase() : undefined;
      const location = { file, line: ins.line, column: ins.argsColumn + imageTok.offset };
      const object: ObjectRef = { kind: 'DockerfileStage', name: stageName ?? `FROM line ${ins.line}` };
      const written = imageTok.text;
      if (written.toLowerCase() === 'scratch' || stages.has(written.toLowerCase())) {
        if (stageName) stages.add(stageName);
        continue;
      }
      if (stageName) stages.add(stageName);
      addImage(model, written, 'dockerfile', location, { object, ignore: NO_IGNORE });
      continue;
    }
    finalStage.push(ins);
  }
  for (const ins of finalStage) {
    if (ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') continue;
    model.entrypoints.push({
      text: execFormText(ins.args),
      location: { file, line: ins.line, column: ins.argsColumn },
      origin: 'dockerfile',
      object: { kind: 'DockerfileStage', name: stageName ?? 'final stage' },
      ignore: NO_IGNORE,
    });
  }
}

/** Instructions with line continuations joined; comments and parser directives skipped. */
function splitInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let continuation = '\\';
  const directive = /^#\s*escape\s*=\s*([\\`])\s*$/i.exec(lines[0] ?? '');
  if (directive?.[1]) continuation = directive[1];
  const out: Instruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i] as string;
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const m = /^(\s*)([A-Za-z]+)(\s+|$)/.exec(raw);
    if (!m) {
      i++;
      continue;
    }
    const line = i + 1;
    const argsColumn = (m[0] as string).length + 1;
    let args = raw.slice((m[0] as string).length);
    while (args.trimEnd().endsWith(continuation) && i + 1 < lines.length) {
      args = args.trimEnd().slice(0, -1);
      i++;
      const next = lines[i] as string;
      if (next.trimStart().startsWith('#')) continue;
      args += ` ${next.trim()}`;
    }
    out.push({ keyword: (m[2] as string).toUpperCase(), args: args.trim(), line, argsColumn });
    i++;
  }
  return out;
}

function tokenize(s: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  const re = /\S+/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) out.push({ text: m[0], offset: m.index });
  return out;
}

/** `["sh", "-c", "x"]` as `sh -c x`; shell form as written. */
function execFormText(args: string): string {
  if (args.startsWith('[')) {
    try {
      const parsed = JSON.parse(args) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String).join(' ');
    } catch {
      // not JSON: Docker runs it in a shell as written
    }
  }
  return args;
}
