import type { Node } from 'yaml';
import type { ObjectRef } from '../model.js';
import type { YamlDoc } from './yaml.js';

export const IGNORE_ANNOTATION = 'alertpath.dev/ignore';
export const ALERT_PATH_LABEL = 'alertpath.dev/alert-path';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  nameNode?: Node;
}

export function readMeta(y: YamlDoc, metadata: Node | undefined): ObjectMeta {
  const nameNode = y.get(metadata, 'name');
  const name = y.str(nameNode) ?? y.str(y.get(metadata, 'generateName')) ?? '(unnamed)';
  const namespace = y.str(y.get(metadata, 'namespace'));
  const meta: ObjectMeta = {
    name,
    labels: y.stringMap(y.get(metadata, 'labels')),
    annotations: y.stringMap(y.get(metadata, 'annotations')),
  };
  if (namespace) meta.namespace = namespace;
  if (nameNode) meta.nameNode = nameNode;
  return meta;
}

export function objectRef(kind: string, meta: { name: string; namespace?: string }): ObjectRef {
  const ref: ObjectRef = { kind, name: meta.name };
  if (meta.namespace) ref.namespace = meta.namespace;
  return ref;
}

/** Rule ids listed in `alertpath.dev/ignore` annotations ("rule-a, rule-b"). */
export function ignoredRules(...annotationMaps: Array<Record<string, string> | undefined>): Set<string> {
  const out = new Set<string>();
  for (const a of annotationMaps) {
    const v = a?.[IGNORE_ANNOTATION];
    if (!v) continue;
    for (const id of v.split(',')) {
      const t = id.trim();
      if (t) out.add(t);
    }
  }
  return out;
}

export function isAlertPathLabelled(labels: Record<string, string> | undefined): boolean {
  return labels?.[ALERT_PATH_LABEL]?.trim().toLowerCase() === 'true';
}
