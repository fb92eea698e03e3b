import type { Node } from 'yaml';
import type { Model, ObjectRef } from '../model.js';
import { addImage } from './images.js';
import { ignoredRules } from './meta.js';
import type { YamlDoc } from './yaml.js';

/** Docker Compose files: `services.*.image`, and `command`/`entrypoint` run at start. */

export function looksLikeCompose(y: YamlDoc, root: Node | undefined): boolean {
  const services = y.get(root, 'services');
  if (!y.isMap(services)) return false;
  const entries = y.entries(services);
  return (
    entries.length > 0 &&
    entries.every(([, , v]) => y.isMap(v)) &&
    entries.some(([, , v]) => y.has(v, 'image') || y.has(v, 'build'))
  );
}

export function readCompose(y: YamlDoc, root: Node | undefined, model: Model): void {
  for (const [name, , service] of y.entries(y.get(root, 'services'))) {
    const object: ObjectRef = { kind: 'ComposeService', name };
    const ignore = ignoredRules(composeLabels(y, y.get(service, 'labels')));
    const imageNode = y.get(service, 'image');
    const image = y.str(imageNode);
    if (image !== undefined) addImage(model, image, 'compose', y.at(imageNode), { object, ignore });
    const parts: string[] = [];
    let first: Node | undefined;
    for (const key of ['entrypoint', 'command']) {
      const node = y.get(service, key);
      if (!node) continue;
      first ??= node;
      if (y.isSeq(node)) parts.push(...y.strings(node));
      else {
        const s = y.str(node);
        if (s !== undefined) parts.push(s);
      }
    }
    if (parts.length > 0) {
      model.entrypoints.push({
        text: parts.join(' '),
        location: y.at(first),
        origin: 'compose',
        object,
        ignore,
      });
    }
  }
}

/** Compose labels are a map or a list of `key=value`. */
function composeLabels(y: YamlDoc, node: Node | undefined): Record<string, string> {
  if (y.isMap(node)) return y.stringMap(node);
  const out: Record<string, string> = {};
  for (const s of y.strings(node)) {
    const eq = s.indexOf('=');
    if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}
