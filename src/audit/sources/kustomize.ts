import { posix } from 'node:path';
import type { Node } from 'yaml';
import type { Model, OverlayPatch } from '../model.js';
import { parseEmbedded } from './embedded.js';
import type { SourceInput } from './index.js';
import { antiAffinityKeys, topologySpreadKeys } from './kubernetes.js';
import { parseYaml, type YamlDoc } from './yaml.js';

/**
 * Kustomize overlays: a kustomization's `resources:` (its bases) and its patches, strategic-merge
 * or JSON 6902, inline or in files, reduced to what the alert-path rules judge: `replicas`,
 * `priorityClassName`, pod anti-affinity and topology spread. src/audit/overlays.ts applies them.
 */

export function readKustomizationInput(input: SourceInput, model: Model): void {
  const dir = posix.dirname(input.file);
  const parsed = parseYaml(input.text, { file: input.file });
  for (const p of parsed.problems) model.invalid.push(p);
  const y = parsed.docs[0];
  if (!y) return;
  const root = y.root;
  model.overlays.push({
    dir,
    resources: (input.kustomization?.resources ?? []).map((r) => posix.normalize(posix.join(dir, r))),
    location: y.at(root),
    ...(input.defaultNamespace ? { namespace: input.defaultNamespace } : {}),
  });
  for (const p of y.items(y.get(root, 'patches'))) {
    const patchNode = y.get(p, 'patch');
    if (!patchNode) continue;
    readInlinePatch(y, patchNode, readTarget(y, y.get(p, 'target')), dir, model);
  }
  for (const p of y.items(y.get(root, 'patchesStrategicMerge'))) {
    if ((y.str(p) ?? '').includes('\n')) readInlinePatch(y, p, {}, dir, model);
  }
  for (const p of y.items(y.get(root, 'patchesJson6902'))) {
    const patchNode = y.get(p, 'patch');
    if (patchNode) readInlinePatch(y, patchNode, readTarget(y, y.get(p, 'target')), dir, model);
  }
}

function readInlinePatch(
  y: YamlDoc,
  node: Node,
  target: OverlayPatch['target'],
  dir: string,
  model: Model,
): void {
  const text = y.embedded(node, 'patch');
  if (!text) return;
  for (const doc of parseEmbedded(text.text, text.locate, model, {
    what: `patch in ${dir}/kustomization.yaml`,
  }))
    readPatchDoc(doc, doc.root, target, dir, model);
}

export function readPatchInput(input: SourceInput, model: Model): void {
  const patch = input.patch;
  if (!patch) return;
  const dir = posix.dirname(patch.kustomization);
  const parsed = parseYaml(input.text, { file: input.file });
  for (const p of parsed.problems) model.invalid.push(p);
  for (const y of parsed.docs) readPatchDoc(y, y.root, patch.target ?? {}, dir, model);
}

function readTarget(y: YamlDoc, node: Node | undefined): OverlayPatch['target'] {
  const kind = y.str(y.get(node, 'kind'));
  const name = y.str(y.get(node, 'name'));
  return { ...(kind ? { kind } : {}), ...(name ? { name } : {}) };
}

function readPatchDoc(
  y: YamlDoc,
  root: Node | undefined,
  given: OverlayPatch['target'],
  dir: string,
  model: Model,
): void {
  const patch: OverlayPatch = { dir, location: y.at(root), target: { ...given } };
  if (y.isSeq(root)) {
    // JSON 6902: [{op, path, value}]
    const other: string[] = [];
    for (const op of y.items(root)) {
      const kind = y.str(y.get(op, 'op')) ?? '';
      const path = y.str(y.get(op, 'path')) ?? '';
      const value = y.get(op, 'value');
      if (kind !== 'replace' && kind !== 'add') {
        if (/replicas|affinity|priorityClassName|topologySpread/.test(path)) other.push(`${kind} ${path}`);
        continue;
      }
      if (path === '/spec/replicas') {
        const n = y.num(value);
        if (n !== undefined) patch.replicas = { value: n, location: y.at(value) };
      } else if (/^\/spec(\/template\/spec)?\/priorityClassName$/.test(path)) {
        const s = y.str(value);
        if (s) patch.priorityClassName = s;
      } else if (/^\/spec(\/template\/spec)?\/affinity$/.test(path)) {
        patch.antiAffinityKeys = antiAffinityKeys(y, value);
      } else if (/^\/spec(\/template\/spec)?\/topologySpreadConstraints(\/-)?$/.test(path)) {
        const one = y.str(y.get(value, 'topologyKey'));
        patch.spreadKeys = y.isSeq(value) ? topologySpreadKeys(y, value) : one ? [one] : [];
      } else if (/replicas|affinity|priorityClassName|topologySpread/.test(path)) {
        other.push(`${kind} ${path}`);
      }
    }
    if (other.length > 0) patch.unsupported = `JSON patch ${other.join(', ')}`;
  } else if (y.isMap(root)) {
    const kind = y.str(y.get(root, 'kind'));
    const name = y.str(y.path(root, 'metadata', 'name'));
    if (kind && !patch.target.kind) patch.target.kind = kind;
    if (name && !patch.target.name) patch.target.name = name;
    const spec = y.get(root, 'spec');
    const podSpec = kind === 'Alertmanager' ? spec : y.path(spec, 'template', 'spec');
    const replicasNode = y.get(spec, 'replicas');
    const n = y.num(replicasNode);
    if (n !== undefined) patch.replicas = { value: n, location: y.at(replicasNode) };
    const pc = y.str(y.get(podSpec, 'priorityClassName'));
    if (pc) patch.priorityClassName = pc;
    const affinity = y.get(podSpec, 'affinity');
    if (affinity) patch.antiAffinityKeys = antiAffinityKeys(y, affinity);
    const tsc = y.get(podSpec, 'topologySpreadConstraints');
    if (tsc) patch.spreadKeys = topologySpreadKeys(y, tsc);
  } else return;
  model.overlayPatches.push(patch);
}
