import type { Node } from 'yaml';
import type { Model, Subject } from '../model.js';
import { type ChartContext, chartName, readChartValues, readUmbrellaValues } from './charts/index.js';
import { parseEmbedded } from './embedded.js';
import { ignoredRules, type ObjectMeta, objectRef } from './meta.js';
import { type ValuesLayer, ValuesView } from './values-view.js';
import { parseYaml, type YamlDoc } from './yaml.js';

/**
 * Argo CD: an `Application` (or an `ApplicationSet`'s template) is read as its chart would read
 * it, for `spec.source` and each of `spec.sources[]`: the chart from `chart` (a Helm repository)
 * or the last part of `path` (a chart in git), the values from `helm.values` (a YAML string,
 * line numbers into it), then `helm.valuesObject`, then `helm.parameters`, as Argo CD layers them.
 * `valueFiles` live in the chart's repository and are noted, not read.
 */

export function readArgoApplication(
  y: YamlDoc,
  node: Node | undefined,
  kind: string,
  meta: ObjectMeta,
  model: Model,
): void {
  const spec = kind === 'ApplicationSet' ? y.path(node, 'spec', 'template', 'spec') : y.get(node, 'spec');
  const subject: Subject = { object: objectRef(kind, meta), ignore: ignoredRules(meta.annotations) };
  const what = `${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
  const namespace = y.str(y.path(spec, 'destination', 'namespace'));
  const sources = y.items(y.get(spec, 'sources'));
  const single = y.get(spec, 'source');
  if (single) sources.unshift(single);
  for (const source of sources) {
    const helm = y.get(source, 'helm');
    const chartRef = y.str(y.get(source, 'chart')) ?? y.str(y.get(source, 'path'));
    if (!helm && !y.has(source, 'chart')) continue;
    const chart = chartRef ? chartName(chartRef) : '';
    const layers: ValuesLayer[] = [];
    const valueFiles = y.get(helm, 'valueFiles');
    const valueFileNames = y.items(valueFiles).map((f) => y.str(f) ?? '');
    const hasValueFiles = valueFileNames.length > 0;
    if (hasValueFiles && valueFiles) {
      const at = y.at(valueFiles);
      model.notes.push({
        file: at.file,
        message: `${at.line}:${at.column}: ${what}: helm.valueFiles are read where they are in the audited tree, not through the Application`,
      });
    }
    const values = y.get(helm, 'values');
    if (values && y.isMap(values)) layers.push({ y, node: values });
    else if (values) {
      const text = y.embedded(values, 'helm.values');
      if (text) {
        const docs = parseEmbedded(text.text, text.locate, model, {
          what: `helm.values of ${what}`,
          template: kind === 'ApplicationSet',
        });
        const doc = docs.find((d) => d.isMap(d.root));
        if (doc) layers.push({ y: doc, node: doc.root });
      }
    }
    const valuesObject = y.get(helm, 'valuesObject');
    if (valuesObject && y.isMap(valuesObject)) layers.push({ y, node: valuesObject });
    for (const p of y.items(y.get(helm, 'parameters'))) {
      const layer = parameterLayer(y, p);
      if (layer) layers.push(layer);
    }
    const release = y.str(y.get(helm, 'releaseName')) ?? meta.name;
    const ctx: ChartContext = {
      model,
      chart,
      release,
      subject,
      anchor: y.at(values ?? valuesObject ?? helm ?? source),
      what,
      ...(namespace ? { namespace } : {}),
      ...(hasValueFiles ? { valuesIncomplete: true } : {}),
    };
    if (y.has(source, 'chart')) {
      readChartValues(new ValuesView(layers), ctx);
      continue;
    }
    // A chart in git (`path`): when the chart is in the audited tree, its own values.yaml is the
    // base layer (an umbrella chart named like its dependency is still the umbrella), so it is
    // looked up once every Chart.yaml has been seen.
    model.deferred.push(() => {
      const inRepo = model.charts.get(chart);
      if (inRepo)
        readUmbrellaValues(new ValuesView([...inRepo.values, ...layers]), inRepo.dependencies, {
          ...ctx,
          // values.yaml is read as the chart's own; any other value file is not
          valuesIncomplete: valueFileNames.some((f) => !/^(\.\/)?values\.ya?ml$/.test(f)),
        });
      else readChartValues(new ValuesView(layers), ctx);
    });
  }
}

/** `{name: a.b.c, value: "2"}` as a one-key layer at path a.b.c, located at the value. */
function parameterLayer(y: YamlDoc, p: Node): ValuesLayer | undefined {
  const name = y.str(y.get(p, 'name'));
  const valueNode = y.get(p, 'value');
  const value = y.str(valueNode);
  if (!name || value === undefined) return undefined;
  const path = name.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, '.'));
  const at = y.at(valueNode ?? p);
  const forceString = y.bool(y.get(p, 'forceString')) === true;
  const text = forceString ? JSON.stringify(value) : /^[\w.-]*$/.test(value) ? value : JSON.stringify(value);
  const [doc] = parseYaml(text, { file: at.file, locate: () => at }).docs;
  return doc ? { y: doc, node: doc.root, prefix: path } : undefined;
}
