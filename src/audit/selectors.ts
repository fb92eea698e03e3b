import type { LabelSelector, ObjectRef } from './model.js';

/** Kubernetes label selection and namespace comparison, as the audit needs them. Pure. */

/** A Service selector (a plain map): every pair must match; an empty selector selects nothing. */
export function mapSelects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  return keys.every((k) => labels[k] === selector[k]);
}

/** A LabelSelector (PDB): an empty selector selects every pod in the namespace. */
export function labelSelectorSelects(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && e.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Two objects share a namespace. An object that names none (namespace set at apply time, by
 * kustomize or `kubectl -n`) is taken to share it, so the audit does not report a false gap.
 */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

export function sameObject(a: ObjectRef, b: { kind: string; namespace?: string; name: string }): boolean {
  return (
    a.kind.toLowerCase() === b.kind.toLowerCase() &&
    a.name === b.name &&
    sameNamespace(a.namespace, b.namespace)
  );
}
