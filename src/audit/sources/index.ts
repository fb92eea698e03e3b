import type { Model } from '../model.js';
import { NO_IGNORE } from '../model.js';
import { looksLikeAlertmanagerConfig, readAlertmanagerConfig } from './alertmanager-config.js';
import { readAnsible } from './ansible.js';
import { looksLikeCompose, readCompose } from './compose.js';
import { readDockerfile } from './dockerfile.js';
import { readHelmValues } from './helm-values.js';
import { isKubernetesObject, readKubernetesObject } from './kubernetes.js';
import { looksLikeRuleFile, readRuleGroups } from './prometheus-rules.js';
import { parseYaml } from './yaml.js';

/**
 * Reads one input into the model. Each YAML document is recognised by its shape: a Kubernetes
 * object (`apiVersion` + `kind`), an Alertmanager config (`route` + `receivers`), a rule file
 * (`groups`), a compose file (`services`), an Ansible list, or else Helm values.
 */

export interface SourceInput {
  file: string;
  text: string;
  type: 'yaml' | 'dockerfile';
  /** Namespace for objects that name none (from a kustomization beside them). */
  defaultNamespace?: string;
}

export function readSource(input: SourceInput, model: Model): void {
  model.files++;
  if (input.type === 'dockerfile') {
    readDockerfile(input.text, input.file, model);
    return;
  }
  const parsed = parseYaml(input.text, { file: input.file });
  for (const p of parsed.problems) model.invalid.push(p);
  for (const y of parsed.docs) {
    const root = y.root;
    if (y.isSeq(root)) {
      readAnsible(y, root, model);
      continue;
    }
    if (!y.isMap(root)) continue;
    if (isKubernetesObject(y, root)) {
      readKubernetesObject(y, root, {
        model,
        ...(input.defaultNamespace ? { defaultNamespace: input.defaultNamespace } : {}),
      });
    } else if (looksLikeAlertmanagerConfig(y, root)) {
      readAlertmanagerConfig(
        y,
        root,
        { origin: 'file', style: 'native', subject: { ignore: NO_IGNORE } },
        model,
      );
    } else if (looksLikeRuleFile(y, root)) {
      readRuleGroups(y, y.get(root, 'groups'), { ignore: NO_IGNORE }, model);
    } else if (looksLikeCompose(y, root)) {
      readCompose(y, root, model);
    } else {
      readHelmValues(y, root, model);
    }
  }
}
