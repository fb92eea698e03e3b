import type { ImageRef } from './image-ref.js';

/**
 * What the audit knows about a repository, after parsing and before judging. Sources fill it in
 * (src/audit/sources/), alert-path discovery marks it (src/audit/alert-path.ts), rules read it
 * (src/audit/rules/). Rules never see raw YAML.
 */

export type Severity = 'error' | 'warning' | 'info';
export type SeverityOrOff = Severity | 'off';

/** 1-based line and column, as editors and SARIF count them. */
export interface Location {
  file: string;
  line: number;
  column: number;
  /**
   * Set when the finding is inside text embedded in the file (base64 `data` of a Secret): the
   * line and column inside the decoded text, which has no place of its own in the file.
   */
  embedded?: { name: string; line: number; column: number };
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** Something findings can be about; `ignore` holds the rule ids its annotations switch off. */
export interface Subject {
  object?: ObjectRef;
  ignore: ReadonlySet<string>;
}

export type LabelSelector = {
  matchLabels: Record<string, string>;
  matchExpressions: Array<{ key: string; operator: string; values: string[] }>;
};

// ---------------------------------------------------------------------------------------------
// Kubernetes

export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob'
  | 'Pod'
  | 'Alertmanager';

export interface Container {
  name: string;
  type: 'container' | 'initContainer' | 'ephemeralContainer';
  image?: string;
  /** `command` and `args` joined, as the shell would see them. */
  commandText?: string;
  commandLocation?: Location;
  /** Each `command`/`args` string with its own positions (a block scalar maps line by line). */
  commandParts?: EmbeddedText[];
  location: Location;
  /** Volume names this container mounts. */
  mounts: string[];
}

export interface ConfigMapVolume {
  volume: string;
  configMap: string;
  /** `items[].key`, when only some keys are mounted. */
  keys?: string[];
}

export interface Workload extends Subject {
  object: ObjectRef & { kind: WorkloadKind };
  location: Location;
  labels: Record<string, string>;
  podLabels: Record<string, string>;
  /** Explicit replica count; undefined when not set (Kubernetes then runs one). */
  replicas?: number;
  replicasLocation?: Location;
  containers: Container[];
  configMapVolumes: ConfigMapVolume[];
  /** topologyKeys of podAntiAffinity terms (required and preferred). */
  antiAffinityTopologyKeys: string[];
  topologySpreadKeys: string[];
  priorityClassName?: string;
  /** Set by alert-path discovery. */
  alertPath: AlertPathMembership;
}

export interface AlertPathMembership {
  member: boolean;
  /** Alertmanager itself (the CRD, or a workload running an alertmanager image). */
  isAlertmanager: boolean;
  reasons: string[];
}

export interface Service extends Subject {
  object: ObjectRef;
  location: Location;
  selector: Record<string, string>;
  labels: Record<string, string>;
}

export interface PodDisruptionBudget extends Subject {
  object: ObjectRef;
  location: Location;
  selector?: LabelSelector;
}

export interface HorizontalPodAutoscaler {
  object: ObjectRef;
  target: { kind: string; name: string };
  minReplicas?: number;
}

/** A text embedded in YAML, with a way back from its own lines to the outer file. */
export interface EmbeddedText {
  name: string;
  text: string;
  /** Location in the outer file of a 1-based line and column of `text`. */
  locate(line: number, column: number): Location;
}

export interface ConfigMap extends Subject {
  object: ObjectRef;
  location: Location;
  data: EmbeddedText[];
}

/** A Secret's readable keys (`stringData`, decoded `data`), for Flux `valuesFrom`. */
export interface SecretData {
  object: ObjectRef;
  location: Location;
  data: EmbeddedText[];
}

/** A Flux chart source (`OCIRepository`, `HelmChart`) a HelmRelease's `chartRef` may name. */
export interface ChartSource {
  object: ObjectRef;
  /** The chart's name: the last path part of an OCI URL, or `spec.chart`. */
  chart: string;
}

/** An input audit saw but could not read as deployed (rules input-encrypted, input-unreadable). */
export interface OpaqueInput {
  location: Location;
  message: string;
  object?: ObjectRef;
  /** Known to be encrypted, but nothing suggests Alertmanager config: no finding, only a note. */
  quiet?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Alertmanager

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

export interface AmRoute {
  location: Location;
  receiver?: string;
  receiverLocation?: Location;
  groupBy?: string[];
  repeatInterval?: number;
  repeatIntervalLocation?: Location;
  continue: boolean;
  matchers: Matcher[];
  routes: AmRoute[];
}

export interface AmIntegration {
  /** `webhook`, `email`, `slack`, … (the config key without `_configs`/`Configs`). */
  type: string;
  location: Location;
  url?: string;
  /** As written; undefined means the integration's default. */
  sendResolved?: boolean;
  sendResolvedLocation?: Location;
}

export interface AmReceiver {
  name: string;
  location: Location;
  integrations: AmIntegration[];
}

export interface AlertmanagerConfig extends Subject {
  origin: 'file' | 'secret' | 'configmap' | 'helm-values' | 'AlertmanagerConfig' | 'ExternalSecret';
  location: Location;
  /** Namespace a short service name in a receiver URL resolves in (the Secret's or CRD's). */
  namespace?: string;
  /** AlertmanagerConfig CRDs only see alerts of their own namespace, as the operator enforces. */
  namespaceScoped: boolean;
  route?: AmRoute;
  receivers: AmReceiver[];
  /** Set when the config is a chart's own default, deployed because the values set none. */
  chartDefault?: string;
}

// ---------------------------------------------------------------------------------------------
// Prometheus rules

export interface AlertRule {
  alert: string;
  labels: Record<string, string>;
  location: Location;
  /** Rules a chart creates from its defaults (kube-prometheus-stack `defaultRules`). */
  implicit?: string;
}

export interface RuleGroup extends Subject {
  name: string;
  location: Location;
  alerts: AlertRule[];
}

// ---------------------------------------------------------------------------------------------
// Images and entrypoints outside Kubernetes

export interface ImageUse {
  raw: string;
  ref?: ImageRef;
  parseError?: string;
  source:
    | 'container'
    | 'initContainer'
    | 'ephemeralContainer'
    | 'helm-values'
    | 'compose'
    | 'dockerfile'
    | 'ansible';
  location: Location;
  /** The `tag:` of an `image: {repository, tag}` object, where a mutable tag is reported. */
  tagLocation?: Location;
  object?: ObjectRef;
  alertPath: boolean;
  /** The workload the image runs in, when it is one (alert-path membership comes from it). */
  workload?: Workload;
  ignore: ReadonlySet<string>;
}

/** A start-up command outside Kubernetes: compose `command`/`entrypoint`, Dockerfile CMD/ENTRYPOINT. */
export interface Entrypoint extends Subject {
  text: string;
  location: Location;
  origin: 'compose' | 'dockerfile';
}

/** A kustomization (as reported: its folder) and the folders or files it takes as resources. */
export interface Overlay {
  dir: string;
  namespace?: string;
  resources: string[];
  location: Location;
}

/** What a kustomize patch changes that the alert-path rules judge. */
export interface OverlayPatch {
  /** The kustomization's folder (as reported). */
  dir: string;
  location: Location;
  target: { kind?: string; name?: string };
  replicas?: { value: number; location: Location };
  priorityClassName?: string;
  antiAffinityKeys?: string[];
  spreadKeys?: string[];
  /** The patch changes something audit does not apply (said in the note and lowered findings). */
  unsupported?: string;
}

export interface Note {
  file: string;
  message: string;
}

export interface Model {
  files: number;
  workloads: Workload[];
  services: Service[];
  pdbs: PodDisruptionBudget[];
  hpas: HorizontalPodAutoscaler[];
  configMaps: ConfigMap[];
  secrets: SecretData[];
  chartSources: ChartSource[];
  alertmanagerConfigs: AlertmanagerConfig[];
  ruleGroups: RuleGroup[];
  images: ImageUse[];
  entrypoints: Entrypoint[];
  /** Files or documents that did not parse (rule yaml-invalid). */
  invalid: Array<{ location: Location; message: string }>;
  /** Encrypted inputs that hold Alertmanager config (rule input-encrypted). */
  encrypted: OpaqueInput[];
  /** Inputs shaped like Alertmanager or rule config in a form audit cannot read (input-unreadable). */
  unreadable: OpaqueInput[];
  /**
   * AlertmanagerConfig CRDs named as an Alertmanager's global config
   * (`alertmanagerConfiguration`): their route is the main route, not scoped to a namespace.
   */
  globalAlertmanagerConfigs: Array<{ name: string; namespace?: string }>;
  /**
   * The Alertmanagers' `alertmanagerConfigMatcherStrategy.type` (`OnNamespace`, the default;
   * `OnNamespaceExceptForAlertmanagerNamespace`; `None`), with the Alertmanager's namespace.
   */
  matcherStrategies: Array<{ namespace?: string; type: string }>;
  /** Charts in the repository (a Chart.yaml with dependencies): name → dependencies and values.yaml. */
  charts: Map<
    string,
    {
      dependencies: import('./sources/charts/index.js').ChartDependency[];
      values: import('./sources/values-view.js').ValuesLayer[];
    }
  >;
  overlays: Overlay[];
  overlayPatches: OverlayPatch[];
  /** Workloads (kind/namespace/name) an overlay patches in a way audit cannot apply: findings at most info. */
  lowered: Map<string, string>;
  /** Files (as reported) whose image and runtime-install findings are at most info. */
  notDeployed: Set<string>;
  /**
   * Work that needs every input read first (a HelmRelease's `valuesFrom` and `chartRef`, an
   * ExternalSecret's `templateFrom`), run in order once the inputs are read.
   */
  deferred: Array<() => void>;
  notes: Note[];
}

export function emptyModel(): Model {
  return {
    files: 0,
    workloads: [],
    services: [],
    pdbs: [],
    hpas: [],
    configMaps: [],
    secrets: [],
    chartSources: [],
    alertmanagerConfigs: [],
    ruleGroups: [],
    images: [],
    entrypoints: [],
    invalid: [],
    encrypted: [],
    unreadable: [],
    globalAlertmanagerConfigs: [],
    charts: new Map(),
    overlays: [],
    overlayPatches: [],
    lowered: new Map(),
    matcherStrategies: [],
    notDeployed: new Set(),
    deferred: [],
    notes: [],
  };
}

export const NO_IGNORE: ReadonlySet<string> = new Set();

export function objectLabel(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
