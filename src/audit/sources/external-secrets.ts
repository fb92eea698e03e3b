import type { Node } from 'yaml';
import type { Model, Subject } from '../model.js';
import { sameNamespace } from '../selectors.js';
import { readAlertmanagerConfig } from './alertmanager-config.js';
import { parseEmbedded } from './embedded.js';
import { ignoredRules, type ObjectMeta, objectRef } from './meta.js';
import type { YamlDoc } from './yaml.js';

/**
 * External Secrets Operator: an `ExternalSecret`'s `spec.target.template.data` is read like a
 * Secret's `stringData`, and `templateFrom` ConfigMaps found in the repository too. Template
 * expressions (`{{ .webhook }}`) stand for secret values and are not errors. An
 * `alertmanager.yaml` that comes whole from the secret store cannot be read (input-unreadable).
 */

const AM_KEYS = ['alertmanager.yaml', 'alertmanager.yml'];

export function readExternalSecret(y: YamlDoc, node: Node | undefined, meta: ObjectMeta, model: Model): void {
  const spec = y.get(node, 'spec');
  const object = objectRef('ExternalSecret', meta);
  const subject: Subject = { object, ignore: ignoredRules(meta.annotations) };
  const template = y.path(spec, 'target', 'template');
  const what = `ExternalSecret ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
  let read = false;
  for (const key of AM_KEYS) {
    const text = y.embedded(y.get(y.get(template, 'data'), key), key);
    if (!text) continue;
    readTemplate(text.text, text.locate, `${key} in ${what}`, subject, meta, model);
    read = true;
  }
  const templateFrom = y.items(y.get(template, 'templateFrom'));
  if (templateFrom.length > 0) {
    model.deferred.push(() => {
      for (const t of templateFrom) {
        const cmName = y.str(y.path(t, 'configMap', 'name'));
        if (!cmName) continue;
        const keys = y.items(y.path(t, 'configMap', 'items')).flatMap((i) => {
          const k = y.str(y.get(i, 'key'));
          return k ? [k] : [];
        });
        const cm = model.configMaps.find(
          (c) => c.object.name === cmName && sameNamespace(c.object.namespace, meta.namespace),
        );
        const at = y.at(t);
        if (!cm) {
          if (keys.some((k) => AM_KEYS.includes(k)) || keys.length === 0)
            model.unreadable.push({
              location: at,
              message: `${what}: templateFrom ConfigMap ${cmName} is not in the repository: an Alertmanager config in it is not audited.`,
              object,
            });
          continue;
        }
        for (const entry of cm.data) {
          if (keys.length > 0 && !keys.includes(entry.name)) continue;
          if (!AM_KEYS.includes(entry.name) && !/^\s*receivers:/m.test(entry.text)) continue;
          readTemplate(
            entry.text,
            entry.locate,
            `${entry.name} of ConfigMap ${cmName} (templateFrom of ${what})`,
            subject,
            meta,
            model,
          );
        }
      }
    });
    read = true;
  }
  if (read) return;
  for (const d of y.items(y.get(spec, 'data'))) {
    const key = y.str(y.get(d, 'secretKey'));
    if (key && AM_KEYS.includes(key)) {
      model.unreadable.push({
        location: y.at(d),
        message: `${what}: ${key} comes whole from the secret store, so audit cannot read it; audit the rendered Secret in CI (kubectl get secret … -o yaml | alertpath audit -).`,
        object,
      });
    }
  }
}

function readTemplate(
  text: string,
  locate: (line: number, column: number) => import('../model.js').Location,
  what: string,
  subject: Subject,
  meta: ObjectMeta,
  model: Model,
): void {
  for (const doc of parseEmbedded(text, locate, model, { what, template: true })) {
    readAlertmanagerConfig(
      doc,
      doc.root,
      {
        origin: 'ExternalSecret',
        style: 'native',
        subject,
        ...(meta.namespace ? { namespace: meta.namespace } : {}),
      },
      model,
    );
  }
}
