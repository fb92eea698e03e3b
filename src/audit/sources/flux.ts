import type { Node } from 'yaml';
import type { ConfigMap, EmbeddedText, Model, SecretData, Subject } from '../model.js';
import { sameNamespace } from '../selectors.js';
import { type ChartContext, chartName, isAlertingChart, readChartValues } from './charts/index.js';
import { parseEmbedded } from './embedded.js';
import { ignoredRules, type ObjectMeta, objectRef } from './meta.js';
import { type ValuesLayer, ValuesView } from './values-view.js';
import { parseYaml, type YamlDoc } from './yaml.js';

/**
 * Flux: a `HelmRelease` (helm.toolkit.fluxcd.io/v2*) is read as its chart would read it. The
 * chart comes from `spec.chart.spec.chart` or `spec.chartRef` (an OCIRepository or HelmChart in
 * the repository); the values are the `valuesFrom` ConfigMaps and Secrets found in the repository
 * (`valuesKey`, `targetPath`), then `spec.values` on top. Since `valuesFrom` may name an object
 * of a later file, a HelmRelease is read once every input has been.
 */

export function readHelmRelease(y: YamlDoc, node: Node | undefined, meta: ObjectMeta, model: Model): void {
  const spec = y.get(node, 'spec');
  const subject: Subject = { object: objectRef('HelmRelease', meta), ignore: ignoredRules(meta.annotations) };
  const what = `HelmRelease ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
  const chartNode = y.path(spec, 'chart', 'spec', 'chart');
  const chartRef = y.get(spec, 'chartRef');
  const targetNamespace = y.str(y.get(spec, 'targetNamespace'));
  const namespace = targetNamespace ?? meta.namespace;
  const release =
    y.str(y.get(spec, 'releaseName')) ?? (targetNamespace ? `${targetNamespace}-${meta.name}` : meta.name);
  const valuesNode = y.get(spec, 'values');
  const valuesFrom = y.items(y.get(spec, 'valuesFrom'));
  const postRenderers = y.get(spec, 'postRenderers');
  const anchor = y.at(valuesNode ?? node);

  const read = () => {
    let chart = chartNode ? chartName(y.str(chartNode) ?? '') : undefined;
    if (chart === undefined && chartRef) {
      const kind = y.str(y.get(chartRef, 'kind')) ?? 'OCIRepository';
      const name = y.str(y.get(chartRef, 'name')) ?? '';
      const ns = y.str(y.get(chartRef, 'namespace')) ?? meta.namespace;
      const source = model.chartSources.find(
        (s) => s.object.kind === kind && s.object.name === name && sameNamespace(s.object.namespace, ns),
      );
      chart = source ? source.chart : chartName(name);
      if (!source) {
        const at = y.at(chartRef);
        model.notes.push({
          file: at.file,
          message: `${at.line}:${at.column}: ${what}: chartRef ${kind} ${name} is not in the repository; the chart is taken to be "${chart}"`,
        });
      }
    }
    const layers: ValuesLayer[] = [];
    const seen = new Set<string>();
    for (const item of valuesFrom) {
      const layer = valuesFromLayer(y, item, meta, model, what, seen);
      if (layer) layers.push(layer);
    }
    if (valuesNode && y.isMap(valuesNode)) layers.push({ y, node: valuesNode });
    const ctx: ChartContext = {
      model,
      chart: chart ?? '',
      release,
      subject,
      anchor,
      what,
      ...(namespace ? { namespace } : {}),
    };
    if (postRenderers && y.items(postRenderers).length > 0 && isAlertingChart(ctx.chart)) {
      model.unreadable.push({
        location: y.at(postRenderers),
        message: `${what}: postRenderers are not applied; what audit reports is the chart's output before them.`,
        object: subject.object as NonNullable<Subject['object']>,
      });
    }
    readChartValues(new ValuesView(layers), ctx);
  };
  // Only what names other objects waits for every input; the rest is read now, and let go.
  if (valuesFrom.length > 0 || chartRef) model.deferred.push(read);
  else read();
}

function valuesFromLayer(
  y: YamlDoc,
  item: Node,
  meta: ObjectMeta,
  model: Model,
  what: string,
  seen: Set<string>,
): ValuesLayer | undefined {
  const at = y.at(item);
  const kind = y.str(y.get(item, 'kind')) ?? '';
  const name = y.str(y.get(item, 'name')) ?? '';
  const key = y.str(y.get(item, 'valuesKey')) ?? 'values.yaml';
  const targetPath = y.str(y.get(item, 'targetPath'));
  const optional = y.bool(y.get(item, 'optional')) === true;
  const id = `${kind}/${name}/${key}/${targetPath ?? ''}`;
  if (kind !== 'ConfigMap' && kind !== 'Secret') {
    model.invalid.push({
      location: at,
      message: `${what}: valuesFrom kind "${kind}" (expected ConfigMap or Secret)`,
    });
    return undefined;
  }
  if (seen.has(id)) {
    model.notes.push({
      file: at.file,
      message: `${at.line}:${at.column}: ${what}: valuesFrom ${kind} ${name} (${key}) is listed more than once; read once`,
    });
    return undefined;
  }
  seen.add(id);
  const pool: Array<ConfigMap | SecretData> = kind === 'Secret' ? model.secrets : model.configMaps;
  const candidates = pool.filter((o) => o.object.name === name);
  const object =
    candidates.find((o) => sameNamespace(o.object.namespace, meta.namespace)) ??
    (candidates.length === 1 ? candidates[0] : undefined);
  const encrypted = model.encrypted.find((e) => e.object?.name === name && e.object.kind === kind);
  if (!object) {
    if (encrypted) {
      model.notes.push({
        file: at.file,
        message: `${at.line}:${at.column}: ${what}: valuesFrom ${kind} ${name} is encrypted (${encrypted.location.file}); its values are not audited`,
      });
      return undefined;
    }
    const message = `${what}: valuesFrom ${kind} ${name} is not in the repository${optional ? ' (optional)' : ''}: its values are not audited.`;
    if (optional) model.notes.push({ file: at.file, message: `${at.line}:${at.column}: ${message}` });
    else model.unreadable.push({ location: at, message, object: objectRef('HelmRelease', meta) });
    return undefined;
  }
  const entry: EmbeddedText | undefined = object.data.find((d) => d.name === key);
  if (!entry) {
    model.unreadable.push({
      location: at,
      message: `${what}: valuesFrom ${kind} ${name} has no key "${key}": its values are not audited.`,
      object: objectRef('HelmRelease', meta),
    });
    return undefined;
  }
  if (targetPath) {
    const start = entry.locate(1, 1);
    const [doc] = parseYaml(JSON.stringify(entry.text), { file: start.file, locate: () => start }).docs;
    return doc ? { y: doc, node: doc.root, prefix: targetPath.split('.') } : undefined;
  }
  const docs = parseEmbedded(entry.text, entry.locate, model, {
    what: `${kind} ${name} "${key}" (valuesFrom of ${what})`,
  });
  const doc = docs.find((d) => d.isMap(d.root));
  return doc ? { y: doc, node: doc.root } : undefined;
}

/** `OCIRepository` and `HelmChart` sources, which a HelmRelease's `chartRef` names. */
export function readChartSource(
  y: YamlDoc,
  node: Node | undefined,
  kind: string,
  meta: ObjectMeta,
  model: Model,
): void {
  const spec = y.get(node, 'spec');
  const ref = kind === 'OCIRepository' ? y.str(y.get(spec, 'url')) : y.str(y.get(spec, 'chart'));
  if (!ref) return;
  model.chartSources.push({ object: objectRef(kind, meta), chart: chartName(ref) });
}
