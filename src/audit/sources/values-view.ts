import type { Node } from 'yaml';
import type { Location } from '../model.js';
import type { YamlDoc } from './yaml.js';

/**
 * Helm values as the chart sees them: several layers (a chart's values file, Flux `valuesFrom`
 * entries then `spec.values`; Argo CD `values`, `valuesObject`, then `parameters`), the later
 * layer winning key by key, each value still a YAML node with its own file and line.
 *
 * Maps are merged key by key, as Helm does; a value that is not a map (a list, a scalar, an
 * Alertmanager `config` read as a whole) comes from the highest layer that sets it.
 */

export interface ValuesLayer {
  y: YamlDoc;
  node: Node | undefined;
  /** Where in the values tree this layer's node sits (Flux `targetPath`, an Argo parameter). */
  prefix?: readonly string[];
}

export interface Found {
  y: YamlDoc;
  node: Node;
}

export class ValuesView {
  constructor(readonly layers: readonly ValuesLayer[]) {}

  get empty(): boolean {
    return this.layers.length === 0;
  }

  /** The value at `path` from the highest layer that sets it. */
  get(...path: string[]): Found | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const found = lookup(this.layers[i] as ValuesLayer, path);
      if (found) return found;
    }
    return undefined;
  }

  /** Where the key at `path` is written (`alertmanager:`), from the highest layer that sets it. */
  keyLocation(...path: string[]): Location | undefined {
    if (path.length === 0) return undefined;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i] as ValuesLayer;
      if (!lookup(layer, path)) continue;
      const prefix = layer.prefix ?? [];
      if (prefix.length >= path.length) return layer.y.at(layer.node);
      const parent = layer.y.path(layer.node, ...path.slice(prefix.length, -1));
      const key = layer.y.keyNode(parent, path[path.length - 1] as string);
      return layer.y.at(key ?? layer.node);
    }
    return undefined;
  }

  has(...path: string[]): boolean {
    return this.get(...path) !== undefined;
  }

  str(...path: string[]): string | undefined {
    const f = this.get(...path);
    return f ? f.y.str(f.node) : undefined;
  }

  num(...path: string[]): number | undefined {
    const f = this.get(...path);
    return f ? f.y.num(f.node) : undefined;
  }

  bool(...path: string[]): boolean | undefined {
    const f = this.get(...path);
    return f ? f.y.bool(f.node) : undefined;
  }

  /** The merged map at `path`: each key once, from the highest layer that sets it. */
  entries(...path: string[]): Array<[string, Found]> {
    const out = new Map<string, Found>();
    for (const layer of this.layers) {
      const prefix = layer.prefix ?? [];
      if (prefix.length > path.length && startsWith(prefix, path)) {
        // the layer sets one key below `path`
        const key = prefix[path.length] as string;
        if (prefix.length === path.length + 1 && layer.node) out.set(key, { y: layer.y, node: layer.node });
        continue;
      }
      const f = lookup(layer, path);
      if (!f) continue;
      for (const [k, , v] of f.y.entries(f.node)) if (v) out.set(k, { y: f.y, node: v });
    }
    return [...out.entries()];
  }

  /** The values below `path`, as a view of their own (a subchart's values under its key). */
  sub(...path: string[]): ValuesView {
    const layers: ValuesLayer[] = [];
    for (const layer of this.layers) {
      const prefix = layer.prefix ?? [];
      if (prefix.length > path.length) {
        if (startsWith(prefix, path)) layers.push({ ...layer, prefix: prefix.slice(path.length) });
        continue;
      }
      if (!startsWith(path, prefix)) continue;
      const node = layer.y.path(layer.node, ...path.slice(prefix.length));
      if (node && layer.y.isMap(node)) layers.push({ y: layer.y, node });
    }
    return new ValuesView(layers);
  }

  /** Every layer's root node (for walks that look at the whole tree, such as image references). */
  roots(): Found[] {
    return this.layers.flatMap((l) =>
      l.node && (l.prefix ?? []).length === 0 ? [{ y: l.y, node: l.node }] : [],
    );
  }
}

function lookup(layer: ValuesLayer, path: readonly string[]): Found | undefined {
  const prefix = layer.prefix ?? [];
  if (prefix.length > path.length || !startsWith(path, prefix)) return undefined;
  const node = layer.y.path(layer.node, ...path.slice(prefix.length));
  return node ? { y: layer.y, node } : undefined;
}

function startsWith(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
