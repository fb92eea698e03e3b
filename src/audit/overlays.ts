import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { usageError } from '../lib/errors.js';
import type { Model, ObjectRef, Overlay, OverlayPatch, Workload } from './model.js';
import { emptyModel, objectLabel } from './model.js';
import { readSource } from './sources/index.js';

/**
 * Kustomize overlays, rendered natively: findings must describe what is deployed. A workload in a
 * base that an overlay in the repository patches is replaced by the workload as each overlay
 * deploys it (`replicas`, `priorityClassName`, anti-affinity, topology spread from the patches;
 * PodDisruptionBudgets the overlay adds are read as any other file). A patch audit cannot apply
 * lowers the findings about its target to info, with a note naming the overlay.
 */

const MAX_DEPTH = 16;

export function applyOverlays(model: Model): void {
  if (model.overlayPatches.length === 0) return;
  const byDir = new Map(model.overlays.map((o) => [o.dir, o]));
  const replaced = new Set<Workload>();
  const added: Workload[] = [];
  for (const overlay of model.overlays) {
    const patches = model.overlayPatches.filter((p) => p.dir === overlay.dir);
    if (patches.length === 0) continue;
    const bases = baseDirs(overlay, byDir);
    const inBase = model.workloads.filter((w) =>
      bases.some((d) => d === '.' || w.location.file.startsWith(`${d}/`) || w.location.file === d),
    );
    const clones = new Map<Workload, Workload>();
    for (const patch of patches) {
      for (const w of inBase) {
        if (patch.target.kind && patch.target.kind !== w.object.kind) continue;
        if (patch.target.name && patch.target.name !== w.object.name) continue;
        if (!patch.target.kind && !patch.target.name) continue;
        let clone = clones.get(w);
        if (!clone) {
          clone = {
            ...w,
            containers: w.containers,
            antiAffinityTopologyKeys: [...w.antiAffinityTopologyKeys],
          };
          clones.set(w, clone);
        }
        apply(clone, patch);
        if (patch.unsupported) {
          model.lowered.set(key(w), overlay.dir);
          model.notes.push({
            file: patch.location.file,
            message: `${patch.location.line}:${patch.location.column}: ${objectLabel(w.object)} is patched by overlay ${overlay.dir} in a way audit does not apply (${patch.unsupported}); findings about it are info`,
          });
        }
      }
    }
    for (const [w, clone] of clones) {
      replaced.add(w);
      added.push(clone);
      model.notes.push({
        file: w.location.file,
        message: `${w.location.line}:${w.location.column}: ${objectLabel(w.object)} is audited as overlay ${overlay.dir} deploys it`,
      });
    }
  }
  if (replaced.size === 0) return;
  model.workloads = [...model.workloads.filter((w) => !replaced.has(w)), ...added];
}

function apply(w: Workload, p: OverlayPatch): void {
  if (p.replicas) {
    w.replicas = p.replicas.value;
    w.replicasLocation = p.replicas.location;
  }
  if (p.priorityClassName) w.priorityClassName = p.priorityClassName;
  if (p.antiAffinityKeys) w.antiAffinityTopologyKeys = p.antiAffinityKeys;
  if (p.spreadKeys) w.topologySpreadKeys = p.spreadKeys;
}

/** The folders an overlay takes as bases, and theirs, transitively. */
function baseDirs(overlay: Overlay, byDir: Map<string, Overlay>): string[] {
  const out = new Set<string>();
  const visit = (o: Overlay, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const r of o.resources) {
      const base = byDir.get(r);
      if (!base || out.has(r)) continue;
      out.add(r);
      visit(base, depth + 1);
    }
  };
  visit(overlay, 0);
  return [...out];
}

export function key(w: { object: ObjectRef }): string {
  return `${w.object.kind}\0${w.object.namespace ?? ''}\0${w.object.name}`;
}

/**
 * `--render=kustomize`: each overlay that patches a base in the repository is built with
 * `kustomize build` (or `kubectl kustomize`), and what it builds replaces the workloads,
 * PodDisruptionBudgets and Services of its folders. Findings then point into the build output
 * (`DIR (kustomize build):LINE`). An overlay that does not build keeps the native rendering,
 * with a note.
 */
export function renderWithKustomize(model: Model, cwd: string): void {
  const tool = findTool();
  if (!tool) throw usageError('--render=kustomize: neither kustomize nor kubectl is on PATH');
  const byDir = new Map(model.overlays.map((o) => [o.dir, o]));
  const patched = new Set(model.overlayPatches.map((p) => p.dir));
  for (const overlay of model.overlays) {
    if (!patched.has(overlay.dir)) continue;
    const name = `${overlay.dir} (kustomize build)`;
    let text: string;
    try {
      text = execFileSync(tool.bin, [...tool.args, resolve(cwd, overlay.dir)], {
        cwd,
        encoding: 'utf8',
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const why = ((err as { stderr?: string }).stderr ?? (err as Error).message).split('\n')[0];
      model.notes.push({
        file: overlay.dir,
        message: `kustomize build failed (${why}); its patches are applied natively`,
      });
      continue;
    }
    const built = emptyModel();
    readSource({ file: name, text, type: 'yaml' }, built);
    const dirs = [overlay.dir, ...baseDirs(overlay, byDir)];
    const inside = (file: string) => dirs.some((d) => d === '.' || file.startsWith(`${d}/`));
    model.workloads = [...model.workloads.filter((w) => !inside(w.location.file)), ...built.workloads];
    model.pdbs = [...model.pdbs.filter((p) => !inside(p.location.file)), ...built.pdbs];
    model.services = [...model.services.filter((s) => !inside(s.location.file)), ...built.services];
    model.images = [...model.images.filter((i) => !inside(i.location.file)), ...built.images];
    model.configMaps.push(...built.configMaps);
    model.invalid.push(...built.invalid);
    model.overlayPatches = model.overlayPatches.filter((p) => p.dir !== overlay.dir);
    model.notes.push({ file: overlay.dir, message: `rendered with ${tool.bin} ${tool.args.join(' ')}` });
  }
}

function findTool(): { bin: string; args: string[] } | undefined {
  const onPath = (bin: string) =>
    (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, bin)));
  if (onPath('kustomize')) return { bin: 'kustomize', args: ['build'] };
  if (onPath('kubectl')) return { bin: 'kubectl', args: ['kustomize'] };
  return undefined;
}
