import type { Node } from 'yaml';
import type {
  ConfigMap,
  ConfigMapVolume,
  Container,
  EmbeddedText,
  LabelSelector,
  Model,
  ObjectRef,
  Subject,
  Workload,
  WorkloadKind,
} from '../model.js';
import { readAlertmanagerConfig } from './alertmanager-config.js';
import { readArgoApplication } from './argocd.js';
import { parseEmbedded } from './embedded.js';
import { readSealedSecret } from './encrypted.js';
import { readExternalSecret } from './external-secrets.js';
import { readChartSource, readHelmRelease } from './flux.js';
import { addImage } from './images.js';
import { ignoredRules, type ObjectMeta, objectRef, readMeta } from './meta.js';
import { readRuleGroups } from './prometheus-rules.js';
import type { YamlDoc } from './yaml.js';

/** Kubernetes objects: workloads, Services, PDBs, HPAs, ConfigMaps, Secrets and monitoring CRDs. */

const WORKLOAD_KINDS = new Set<string>([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
]);
const ALERTMANAGER_KEYS = ['alertmanager.yaml', 'alertmanager.yml'];
const MAX_LIST_DEPTH = 4;

export function isKubernetesObject(y: YamlDoc, node: Node | undefined): boolean {
  return y.str(y.get(node, 'kind')) !== undefined && y.str(y.get(node, 'apiVersion')) !== undefined;
}

export interface KubeContext {
  model: Model;
  /** Namespace applied to objects without one (from a kustomization in the same folder). */
  defaultNamespace?: string;
}

export function readKubernetesObject(y: YamlDoc, node: Node | undefined, ctx: KubeContext, depth = 0): void {
  const kind = y.str(y.get(node, 'kind')) ?? '';
  if (kind === 'List' || kind.endsWith('List')) {
    if (depth >= MAX_LIST_DEPTH) return;
    for (const item of y.items(y.get(node, 'items'))) readKubernetesObject(y, item, ctx, depth + 1);
    return;
  }
  const meta = readMeta(y, y.get(node, 'metadata'));
  if (!meta.namespace && ctx.defaultNamespace) meta.namespace = ctx.defaultNamespace;
  const model = ctx.model;
  const spec = y.get(node, 'spec');
  if (WORKLOAD_KINDS.has(kind)) {
    readWorkload(y, node, kind as WorkloadKind, meta, model);
    return;
  }
  switch (kind) {
    case 'Alertmanager':
      readAlertmanagerCrd(y, node, meta, model);
      return;
    case 'Service':
      model.services.push({
        object: objectRef(kind, meta),
        location: y.at(node),
        selector: y.stringMap(y.get(spec, 'selector')),
        labels: meta.labels,
        ignore: ignoredRules(meta.annotations),
      });
      return;
    case 'PodDisruptionBudget': {
      const selectorNode = y.get(spec, 'selector');
      const pdb: Model['pdbs'][number] = {
        object: objectRef(kind, meta),
        location: y.at(node),
        ignore: ignoredRules(meta.annotations),
      };
      if (selectorNode) pdb.selector = readSelector(y, selectorNode);
      model.pdbs.push(pdb);
      return;
    }
    case 'HorizontalPodAutoscaler': {
      const target = y.get(spec, 'scaleTargetRef');
      const hpa: Model['hpas'][number] = {
        object: objectRef(kind, meta),
        target: { kind: y.str(y.get(target, 'kind')) ?? '', name: y.str(y.get(target, 'name')) ?? '' },
      };
      const min = y.num(y.get(spec, 'minReplicas'));
      if (min !== undefined) hpa.minReplicas = min;
      model.hpas.push(hpa);
      return;
    }
    case 'ConfigMap':
      readConfigMap(y, node, meta, model);
      return;
    case 'Secret':
      readSecret(y, node, meta, model);
      return;
    case 'HelmRelease':
      if (apiGroup(y, node) === 'helm.toolkit.fluxcd.io') readHelmRelease(y, node, meta, model);
      return;
    case 'OCIRepository':
    case 'HelmChart':
      if (apiGroup(y, node) === 'source.toolkit.fluxcd.io') readChartSource(y, node, kind, meta, model);
      return;
    case 'Application':
    case 'ApplicationSet':
      if (apiGroup(y, node) === 'argoproj.io') readArgoApplication(y, node, kind, meta, model);
      return;
    case 'ExternalSecret':
      if (apiGroup(y, node) === 'external-secrets.io') readExternalSecret(y, node, meta, model);
      return;
    case 'SealedSecret':
      readSealedSecret(y, node, meta, model);
      return;
    case 'PrometheusRule':
      readRuleGroups(y, y.get(spec, 'groups'), subjectOf(kind, meta), model);
      return;
    case 'AlertmanagerConfig': {
      const input = {
        origin: 'AlertmanagerConfig' as const,
        style: 'crd' as const,
        subject: subjectOf(kind, meta),
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
      };
      readAlertmanagerConfig(y, spec, input, model);
      return;
    }
    default:
      return;
  }
}

function apiGroup(y: YamlDoc, node: Node | undefined): string {
  return (y.str(y.get(node, 'apiVersion')) ?? '').split('/')[0] ?? '';
}

function subjectOf(kind: string, meta: ObjectMeta): Subject {
  return { object: objectRef(kind, meta), ignore: ignoredRules(meta.annotations) };
}

export function readSelector(y: YamlDoc, node: Node | undefined): LabelSelector {
  return {
    matchLabels: y.stringMap(y.get(node, 'matchLabels')),
    matchExpressions: y.items(y.get(node, 'matchExpressions')).map((e) => ({
      key: y.str(y.get(e, 'key')) ?? '',
      operator: y.str(y.get(e, 'operator')) ?? '',
      values: y.strings(y.get(e, 'values')),
    })),
  };
}

function readWorkload(
  y: YamlDoc,
  node: Node | undefined,
  kind: WorkloadKind,
  meta: ObjectMeta,
  model: Model,
): void {
  const spec = y.get(node, 'spec');
  let template: Node | undefined;
  let podMeta: ObjectMeta;
  let podSpec: Node | undefined;
  if (kind === 'Pod') {
    podMeta = meta;
    podSpec = spec;
  } else {
    template = kind === 'CronJob' ? y.path(spec, 'jobTemplate', 'spec', 'template') : y.get(spec, 'template');
    podMeta = readMeta(y, y.get(template, 'metadata'));
    podSpec = y.get(template, 'spec');
  }
  const workload: Workload = {
    object: { ...objectRef(kind, meta), kind },
    location: y.at(node),
    labels: meta.labels,
    podLabels: podMeta.labels,
    containers: [],
    configMapVolumes: readConfigMapVolumes(y, podSpec),
    antiAffinityTopologyKeys: antiAffinityKeys(y, y.get(podSpec, 'affinity')),
    topologySpreadKeys: topologySpreadKeys(y, y.get(podSpec, 'topologySpreadConstraints')),
    alertPath: { member: false, isAlertmanager: false, reasons: [] },
    ignore: ignoredRules(meta.annotations, kind === 'Pod' ? undefined : podMeta.annotations),
  };
  if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet') {
    const replicasNode = y.get(spec, 'replicas');
    const replicas = y.num(replicasNode);
    if (replicas !== undefined) {
      workload.replicas = replicas;
      workload.replicasLocation = y.at(replicasNode);
    }
  }
  const priority = y.str(y.get(podSpec, 'priorityClassName'));
  if (priority) workload.priorityClassName = priority;
  readContainers(y, podSpec, workload, model);
  model.workloads.push(workload);
}

function readContainers(y: YamlDoc, podSpec: Node | undefined, workload: Workload, model: Model): void {
  const groups: Array<[string, Container['type']]> = [
    ['initContainers', 'initContainer'],
    ['containers', 'container'],
    ['ephemeralContainers', 'ephemeralContainer'],
  ];
  for (const [key, type] of groups) {
    for (const c of y.items(y.get(podSpec, key))) {
      const container: Container = {
        name: y.str(y.get(c, 'name')) ?? '(unnamed)',
        type,
        location: y.at(c),
        mounts: y.items(y.get(c, 'volumeMounts')).flatMap((m) => {
          const n = y.str(y.get(m, 'name'));
          return n ? [n] : [];
        }),
      };
      const imageNode = y.get(c, 'image');
      const image = y.str(imageNode);
      if (image !== undefined) {
        container.image = image;
        addImage(model, image, type, y.at(imageNode), {
          object: workload.object,
          workload,
          ignore: workload.ignore,
        });
      }
      const commandNode = y.get(c, 'command');
      const argsNode = y.get(c, 'args');
      const parts = [...commandParts(y, commandNode), ...commandParts(y, argsNode)];
      if (parts.length > 0) {
        container.commandText = parts.join(' ');
        container.commandLocation = y.at(commandNode ?? argsNode);
        container.commandParts = [commandNode, argsNode].flatMap((n) => {
          if (!n) return [];
          const nodes = y.isSeq(n) ? y.items(n) : [n];
          return nodes.flatMap((item, i) => {
            const e = y.embedded(item, `command[${i}]`);
            return e ? [e] : [];
          });
        });
      }
      workload.containers.push(container);
    }
  }
}

function commandParts(y: YamlDoc, node: Node | undefined): string[] {
  if (!node) return [];
  if (y.isSeq(node)) return y.strings(node);
  const s = y.str(node);
  return s === undefined ? [] : [s];
}

function readConfigMapVolumes(y: YamlDoc, podSpec: Node | undefined): ConfigMapVolume[] {
  const out: ConfigMapVolume[] = [];
  for (const v of y.items(y.get(podSpec, 'volumes'))) {
    const volume = y.str(y.get(v, 'name')) ?? '';
    const sources = [y.get(v, 'configMap')];
    for (const s of y.items(y.path(v, 'projected', 'sources'))) sources.push(y.get(s, 'configMap'));
    for (const cm of sources) {
      const name = y.str(y.get(cm, 'name'));
      if (!name) continue;
      const entry: ConfigMapVolume = { volume, configMap: name };
      const items = y.items(y.get(cm, 'items'));
      if (items.length > 0)
        entry.keys = items.flatMap((i) => {
          const k = y.str(y.get(i, 'key'));
          return k ? [k] : [];
        });
      out.push(entry);
    }
  }
  return out;
}

export function antiAffinityKeys(y: YamlDoc, affinity: Node | undefined): string[] {
  const anti = y.get(affinity, 'podAntiAffinity');
  const keys: string[] = [];
  for (const t of y.items(y.get(anti, 'requiredDuringSchedulingIgnoredDuringExecution'))) {
    const k = y.str(y.get(t, 'topologyKey'));
    if (k) keys.push(k);
  }
  for (const t of y.items(y.get(anti, 'preferredDuringSchedulingIgnoredDuringExecution'))) {
    const k = y.str(y.path(t, 'podAffinityTerm', 'topologyKey'));
    if (k) keys.push(k);
  }
  return keys;
}

export function topologySpreadKeys(y: YamlDoc, constraints: Node | undefined): string[] {
  return y.items(constraints).flatMap((c) => {
    const k = y.str(y.get(c, 'topologyKey'));
    return k ? [k] : [];
  });
}

/** The prometheus-operator `Alertmanager` CRD: the operator turns it into a StatefulSet. */
function readAlertmanagerCrd(y: YamlDoc, node: Node | undefined, meta: ObjectMeta, model: Model): void {
  const spec = y.get(node, 'spec');
  const podMetadata = readMeta(y, y.get(spec, 'podMetadata'));
  const workload: Workload = {
    object: { ...objectRef('Alertmanager', meta), kind: 'Alertmanager' },
    location: y.at(node),
    labels: meta.labels,
    podLabels: {
      ...podMetadata.labels,
      'app.kubernetes.io/name': 'alertmanager',
      'app.kubernetes.io/instance': meta.name,
      'app.kubernetes.io/managed-by': 'prometheus-operator',
      alertmanager: meta.name,
    },
    containers: [],
    configMapVolumes: readConfigMapVolumes(y, spec),
    antiAffinityTopologyKeys: antiAffinityKeys(y, y.get(spec, 'affinity')),
    topologySpreadKeys: topologySpreadKeys(y, y.get(spec, 'topologySpreadConstraints')),
    alertPath: { member: true, isAlertmanager: true, reasons: ['it is Alertmanager'] },
    ignore: ignoredRules(meta.annotations, podMetadata.annotations),
  };
  const replicasNode = y.get(spec, 'replicas');
  const replicas = y.num(replicasNode);
  if (replicas !== undefined) {
    workload.replicas = replicas;
    workload.replicasLocation = y.at(replicasNode);
  }
  const priority = y.str(y.get(spec, 'priorityClassName'));
  if (priority) workload.priorityClassName = priority;
  const strategy = y.str(y.path(spec, 'alertmanagerConfigMatcherStrategy', 'type'));
  if (strategy)
    model.matcherStrategies.push({
      type: strategy,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
    });
  const globalName = y.str(y.path(spec, 'alertmanagerConfiguration', 'name'));
  if (globalName)
    model.globalAlertmanagerConfigs.push({
      name: globalName,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
    });
  const imageNode = y.get(spec, 'image');
  const image = y.str(imageNode);
  if (image) {
    workload.containers.push({
      name: 'alertmanager',
      type: 'container',
      image,
      location: y.at(imageNode),
      mounts: [],
    });
    addImage(model, image, 'container', y.at(imageNode), {
      object: workload.object,
      workload,
      ignore: workload.ignore,
    });
  }
  readContainers(y, spec, workload, model);
  model.workloads.push(workload);
}

function readConfigMap(y: YamlDoc, node: Node | undefined, meta: ObjectMeta, model: Model): void {
  const object = objectRef('ConfigMap', meta);
  const ignore = ignoredRules(meta.annotations);
  const cm: ConfigMap = { object, location: y.at(node), data: [], ignore };
  for (const [key, , value] of y.entries(y.get(node, 'data'))) {
    const text = y.embedded(value, key);
    if (!text) continue;
    cm.data.push(text);
    if (ALERTMANAGER_KEYS.includes(key)) {
      readEmbeddedAlertmanagerConfig(
        text.text,
        text.locate,
        'configmap',
        { object, ignore },
        meta.namespace,
        model,
      );
    }
  }
  model.configMaps.push(cm);
}

function readSecret(y: YamlDoc, node: Node | undefined, meta: ObjectMeta, model: Model): void {
  const object: ObjectRef = objectRef('Secret', meta);
  const subject: Subject = { object, ignore: ignoredRules(meta.annotations) };
  const entries = secretEntries(y, y.get(node, 'stringData'), y.get(node, 'data'), model);
  // every readable key, for Flux valuesFrom
  if (entries.length > 0) model.secrets.push({ object, location: y.at(node), data: entries });
  for (const key of ALERTMANAGER_KEYS) {
    const entry = entries.find((e) => e.name === key);
    if (!entry) continue;
    readEmbeddedAlertmanagerConfig(entry.text, entry.locate, 'secret', subject, meta.namespace, model);
    return;
  }
}

/**
 * A Secret's keys as text: `stringData` as written (lines map into the file), base64 `data`
 * decoded (positions inside the decoded text, at the value). `stringData` wins, as in the API.
 * An `alertmanager.yaml` that is not base64 is `yaml-invalid`.
 */
function secretEntries(
  y: YamlDoc,
  stringData: Node | undefined,
  data: Node | undefined,
  model: Model,
): EmbeddedText[] {
  const out: EmbeddedText[] = [];
  for (const [key, , value] of y.entries(stringData)) {
    const text = y.embedded(value, key);
    if (text) out.push(text);
  }
  for (const [key, , value] of y.entries(data)) {
    if (out.some((e) => e.name === key)) continue;
    const encoded = y.str(value);
    if (encoded === undefined) continue;
    const compact = encoded.replace(/\s+/g, '');
    const at = y.at(value);
    if (!/^[A-Za-z0-9+/=_-]*$/.test(compact)) {
      if (ALERTMANAGER_KEYS.includes(key))
        model.invalid.push({ location: at, message: `Secret data "${key}" is not base64` });
      continue;
    }
    out.push({
      name: key,
      text: Buffer.from(compact, 'base64').toString('utf8'),
      locate: (line, column) => ({ ...at, embedded: { name: `${key} (base64-decoded)`, line, column } }),
    });
  }
  return out;
}

function readEmbeddedAlertmanagerConfig(
  text: string,
  locate: (line: number, column: number) => import('../model.js').Location,
  origin: 'secret' | 'configmap',
  subject: Subject,
  namespace: string | undefined,
  model: Model,
): void {
  const what = `alertmanager.yaml of ${subject.object ? `${subject.object.kind} ${subject.object.name}` : origin}`;
  for (const doc of parseEmbedded(text, locate, model, { what })) {
    readAlertmanagerConfig(
      doc,
      doc.root,
      { origin, style: 'native', subject, ...(namespace ? { namespace } : {}) },
      model,
    );
  }
}
