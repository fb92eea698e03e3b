import type { Node } from 'yaml';
import type { Model } from '../model.js';
import { addImage } from './images.js';
import type { YamlDoc } from './yaml.js';

/**
 * Ansible playbooks and task files (a top-level list): every `image:` string, as used by
 * `community.docker.docker_container`, `containers.podman.podman_container` and friends.
 */

const MAX_DEPTH = 40;

export function readAnsible(y: YamlDoc, root: Node | undefined, model: Model): void {
  walk(y, root, model, 0, undefined);
}

function walk(
  y: YamlDoc,
  node: Node | undefined,
  model: Model,
  depth: number,
  task: string | undefined,
): void {
  if (depth > MAX_DEPTH || !node) return;
  if (y.isSeq(node)) {
    for (const item of y.items(node)) walk(y, item, model, depth + 1, task);
    return;
  }
  if (!y.isMap(node)) return;
  const own = y.str(y.get(node, 'name'));
  const taskName = own !== undefined && y.has(node, 'hosts') === false ? own : task;
  for (const [key, , value] of y.entries(node)) {
    if (key === 'image') {
      const s = y.str(value);
      if (s !== undefined) {
        addImage(
          model,
          s,
          'ansible',
          y.at(value),
          taskName ? { object: { kind: 'AnsibleTask', name: taskName } } : {},
        );
        continue;
      }
    }
    walk(y, value, model, depth + 1, taskName);
  }
}
