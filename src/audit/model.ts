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
  origin: 'file' | 'secret' | 'configmap' | 'helm-values' | 'AlertmanagerConfig';
  location: Location;
  /** Namespace a short service name in a receiver URL resolves in (the Secret's or CRD's). */
  namespace?: string;
  /** AlertmanagerConfig CRDs only see alerts of their own namespace, as the operator enforces. */
  namespaceScoped: boolean;
  route?: AmRoute;
  receivers: AmReceiver[];
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
  alertmanagerConfigs: AlertmanagerConfig[];
  ruleGroups: RuleGroup[];
  images: ImageUse[];
  entrypoints: Entrypoint[];
  /** Files or documents that did not parse (rule yaml-invalid). */
  invalid: Array<{ location: Location; message: string }>;
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
    alertmanagerConfigs: [],
    ruleGroups: [],
    images: [],
    entrypoints: [],
    invalid: [],
    notes: [],
  };
}

export const NO_IGNORE: ReadonlySet<string> = new Set();

export function objectLabel(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}
