import type { Model } from '../model.js';
import { NO_IGNORE } from '../model.js';
import { looksLikeAlertmanagerConfig, readAlertmanagerConfig } from './alertmanager-config.js';
import { readAnsible } from './ansible.js';
import { type ChartDependency, readUmbrellaValues } from './charts/index.js';
import { looksLikeCompose, readCompose } from './compose.js';
import { readDockerfile } from './dockerfile.js';
import { isTemplateLine } from './embedded.js';
import { isSopsDocument, readSopsDocument } from './encrypted.js';
import { readHelmValues } from './helm-values.js';
import { isKubernetesObject, readKubernetesObject } from './kubernetes.js';
import { readKustomizationInput, readPatchInput } from './kustomize.js';
import { looksLikeRuleFile, readRuleGroups } from './prometheus-rules.js';
import { readTemplateInput } from './templates.js';
import { ValuesView } from './values-view.js';
import { parseYaml } from './yaml.js';

/**
 * Reads one input into the model. Each YAML document is recognised by its shape: a SOPS file
 * (`sops:`), a Kubernetes object (`apiVersion` + `kind`), an Alertmanager config (`route` +
 * `receivers`), a rule file (`groups`), a compose file (`services`), an Ansible list, or else Helm
 * values (an umbrella chart's, when a Chart.yaml with dependencies is beside them).
 */

export interface SourceInput {
  file: string;
  text: string;
  type: 'yaml' | 'dockerfile' | 'template';
  /** Namespace for objects that name none (from a kustomization beside them). */
  defaultNamespace?: string;
  /** Under a not-deployed path (hack/, tests/, CI): image and runtime-install findings at most info. */
  notDeployed?: boolean;
  /** The objects a kustomize configMapGenerator / secretGenerator makes of this file. */
  generated?: Array<{ kind: 'ConfigMap' | 'Secret'; name: string; namespace?: string; key: string }>;
  /** The chart these values belong to (a Chart.yaml with dependencies beside them). */
  chart?: { name: string; dependencies: ChartDependency[] };
  /** For `template` inputs: what kind of template ("a Helm template", "Jsonnet"). */
  template?: string;
  /** The `templates/` folder a template is in: one input-unreadable per folder, not per file. */
  templateGroup?: string;
  /** A kustomization.yaml: its folder and `resources:` (overlays are applied to their bases). */
  kustomization?: { dir: string; resources: string[] };
  /** A patch file of a kustomization (as reported), with the patch's `target:` if it has one. */
  patch?: { kustomization: string; target?: { kind?: string; name?: string } };
}

export function readSource(input: SourceInput, model: Model): void {
  if (input.type === 'template') {
    readTemplateInput(input, model);
    return;
  }
  if (input.kustomization) {
    readKustomizationInput(input, model);
    return;
  }
  if (input.patch) {
    model.files++;
    readPatchInput(input, model);
    return;
  }
  model.files++;
  if (input.notDeployed) model.notDeployed.add(input.file);
  if (input.type === 'dockerfile') {
    readDockerfile(input.text, input.file, model);
    return;
  }
  if (input.generated) {
    readGenerated(input, model);
    return;
  }
  const parsed = parseYaml(input.text, { file: input.file });
  if (parsed.problems.length > 0) {
    const lines = input.text.split('\n');
    for (const p of parsed.problems) {
      const line = lines[p.location.line - 1] ?? '';
      if (isTemplateLine(line) || (p.location.line > 1 && isTemplateLine(lines[p.location.line - 2] ?? ''))) {
        model.notes.push({
          file: input.file,
          message: `${p.location.line}:${p.location.column}: skipped: a Jinja or Go template, not YAML as deployed (${p.message})`,
        });
      } else model.invalid.push(p);
    }
  }
  for (const y of parsed.docs) {
    const root = y.root;
    if (y.isSeq(root)) {
      readAnsible(y, root, model);
      continue;
    }
    if (!y.isMap(root)) continue;
    if (isSopsDocument(y, root)) {
      readSopsDocument(y, root, model);
    } else if (isKubernetesObject(y, root)) {
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
      if (input.chart) {
        const known = model.charts.get(input.chart.name);
        // values.yaml is the chart's default layer; values-*.yaml files are alternatives, not defaults
        if (/(^|\/)values\.ya?ml$/.test(input.file))
          model.charts.set(input.chart.name, {
            dependencies: input.chart.dependencies,
            values: [...(known?.values ?? []), { y, node: root }],
          });
        else if (!known)
          model.charts.set(input.chart.name, { dependencies: input.chart.dependencies, values: [] });
        readUmbrellaValues(new ValuesView([{ y, node: root }]), input.chart.dependencies, {
          model,
          chart: input.chart.name,
          release: input.chart.name,
          subject: { ignore: NO_IGNORE },
          anchor: y.at(root),
          what: `umbrella chart ${input.chart.name}`,
          ...(input.defaultNamespace ? { namespace: input.defaultNamespace } : {}),
        });
      }
      readHelmValues(y, root, model);
    }
  }
}

/** A file a kustomize generator turns into a ConfigMap or Secret key (Flux valuesFrom reads it). */
function readGenerated(input: SourceInput, model: Model): void {
  for (const g of input.generated ?? []) {
    const object = { kind: g.kind, name: g.name, ...(g.namespace ? { namespace: g.namespace } : {}) };
    const data = [
      {
        name: g.key,
        text: input.text,
        locate: (line: number, column: number) => ({ file: input.file, line, column }),
      },
    ];
    const location = { file: input.file, line: 1, column: 1 };
    if (g.kind === 'Secret') model.secrets.push({ object, location, data });
    else model.configMaps.push({ object, location, data, ignore: NO_IGNORE });
  }
}
