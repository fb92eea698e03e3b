import type { AlertmanagerConfig, Model, Workload } from './model.js';
import { objectLabel } from './model.js';
import { mapSelects, sameNamespace, sameObject } from './selectors.js';
import { isAlertPathLabelled } from './sources/meta.js';

/**
 * Which workloads carry alerts. No annotation is needed for the important case: a receiver's
 * webhook URL names a Service, whose selector picks the workloads that receive the alerts.
 *
 * 1. Alertmanager itself: the Alertmanager CRD, or a workload running an `alertmanager` image.
 * 2. Every workload behind a Service that a receiver URL points at:
 *    `NAME.NAMESPACE.svc[.cluster.local]`, `NAME.NAMESPACE`, or `NAME` (in the config's namespace).
 * 3. Workloads (or Services) labelled `alertpath.dev/alert-path: "true"`, and the config's
 *    `alertPath` entries.
 */

export interface AlertPathEntry {
  kind: string;
  namespace?: string;
  name: string;
}

export function discoverAlertPath(model: Model, extra: readonly AlertPathEntry[] = []): void {
  for (const w of model.workloads) {
    for (const c of w.containers) {
      const repo = c.image ? imageRepositoryName(c.image) : undefined;
      if (repo === 'alertmanager') {
        w.alertPath.isAlertmanager = true;
        mark(w, `it runs Alertmanager (${c.image})`);
      }
    }
    if (isAlertPathLabelled(w.labels) || isAlertPathLabelled(w.podLabels))
      mark(w, 'it is labelled alertpath.dev/alert-path');
    for (const e of extra)
      if (sameObject(w.object, e)) mark(w, 'it is listed in alertPath of the audit config');
  }

  for (const s of model.services) {
    if (!isAlertPathLabelled(s.labels)) continue;
    for (const w of selectedWorkloads(model, s.selector, s.object.namespace))
      mark(w, `Service ${s.object.name} is labelled alertpath.dev/alert-path`);
  }

  // Indexed by name and namespace: a repository of thousands of configs and Services stays linear.
  const servicesByName = new Map<string, Model['services']>();
  for (const s of model.services) {
    const list = servicesByName.get(s.object.name);
    if (list) list.push(s);
    else servicesByName.set(s.object.name, [s]);
  }
  const workloadsByNamespace = new Map<string, Workload[]>();
  for (const w of model.workloads) {
    const key = w.object.namespace ?? '';
    const list = workloadsByNamespace.get(key);
    if (list) list.push(w);
    else workloadsByNamespace.set(key, [w]);
  }
  for (const config of model.alertmanagerConfigs) {
    for (const receiver of config.receivers) {
      for (const integration of receiver.integrations) {
        if (!integration.url) continue;
        const target = serviceTarget(integration.url, config);
        if (!target) continue;
        for (const s of servicesByName.get(target.name) ?? []) {
          if (!sameNamespace(s.object.namespace, target.namespace)) continue;
          const candidates =
            s.object.namespace === undefined
              ? model.workloads
              : [
                  ...(workloadsByNamespace.get(s.object.namespace) ?? []),
                  ...(workloadsByNamespace.get('') ?? []),
                ];
          for (const w of candidates) {
            if (
              !sameNamespace(w.object.namespace, s.object.namespace) ||
              !mapSelects(s.selector, w.podLabels)
            )
              continue;
            mark(
              w,
              `receiver "${receiver.name}" sends to Service ${objectLabel(s.object).replace(/^Service /, '')}`,
            );
          }
        }
      }
    }
  }

  for (const image of model.images) if (image.workload) image.alertPath = image.workload.alertPath.member;
}

function mark(w: Workload, reason: string): void {
  w.alertPath.member = true;
  if (!w.alertPath.reasons.includes(reason)) w.alertPath.reasons.push(reason);
}

function selectedWorkloads(
  model: Model,
  selector: Record<string, string>,
  namespace: string | undefined,
): Workload[] {
  return model.workloads.filter(
    (w) => sameNamespace(w.object.namespace, namespace) && mapSelects(selector, w.podLabels),
  );
}

/** The Service a URL points at inside the cluster, or undefined for anything else. */
export function serviceTarget(
  url: string,
  config: Pick<AlertmanagerConfig, 'namespace'>,
): { name: string; namespace?: string } | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === '' || /^[\d.]+$/.test(host) || host.startsWith('[')) return undefined;
  const parts = host.replace(/\.$/, '').split('.');
  const svc = parts.indexOf('svc');
  if (svc === 2) return { name: parts[0] as string, namespace: parts[1] as string };
  if (svc !== -1) return undefined;
  if (parts.length === 2) return { name: parts[0] as string, namespace: parts[1] as string };
  if (parts.length === 1 && parts[0] !== 'localhost') {
    return config.namespace
      ? { name: parts[0] as string, namespace: config.namespace }
      : { name: parts[0] as string };
  }
  return undefined;
}

/** Last path part of an image name, without tag or digest: `quay.io/prometheus/alertmanager:v0.27` → `alertmanager`. */
function imageRepositoryName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const last = noDigest.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  return (colon === -1 ? last : last.slice(0, colon)).toLowerCase();
}
