import type { Node } from 'yaml';
import type { Model } from '../model.js';
import { type ObjectMeta, objectRef, readMeta } from './meta.js';
import type { YamlDoc } from './yaml.js';

/**
 * Encrypted inputs: SOPS files (a top-level `sops:` map) and Bitnami `SealedSecret`s. Nothing in
 * them is read as config, so nothing is claimed about their routes; when they hold what looks
 * like Alertmanager config, `input-encrypted` says it could not be checked, and how to check it.
 */

const AM_SHAPE = /alertmanager\.ya?ml\s*:|(^|\n)\s*(route|receivers|alertmanager)\s*:/;

export function isSopsDocument(y: YamlDoc, root: Node | undefined): boolean {
  const sops = y.get(root, 'sops');
  if (!sops || !y.isMap(sops)) return false;
  return ['mac', 'lastmodified', 'version', 'age', 'pgp', 'kms', 'encrypted_regex'].some((k) =>
    y.has(sops, k),
  );
}

export function readSopsDocument(y: YamlDoc, root: Node | undefined, model: Model): void {
  const at = y.at(root);
  const kind = y.str(y.get(root, 'kind'));
  const meta = kind ? readMeta(y, y.get(root, 'metadata')) : undefined;
  const start = root?.range?.[0] ?? 0;
  const end = root?.range?.[2] ?? y.src.length;
  const text = y.src.slice(start, end);
  const object = kind && meta ? objectRef(kind, meta) : undefined;
  if (AM_SHAPE.test(text)) {
    model.encrypted.push({
      location: { file: at.file, line: at.line, column: 1 },
      message: `${object ? `${object.kind} ${object.name} in ` : ''}${at.file} is SOPS-encrypted and holds what looks like Alertmanager config, which audit cannot check: routes in it are not judged. Audit the decrypted render in CI: sops -d ${at.file} | alertpath audit -`,
      ...(object ? { object } : {}),
    });
  } else {
    model.notes.push({
      file: at.file,
      message: `${at.line}:1: SOPS-encrypted${object ? ` ${object.kind} ${object.name}` : ''}: not read`,
    });
    if (object) model.encrypted.push({ location: at, message: '', object, quiet: true });
  }
}

export function readSealedSecret(y: YamlDoc, node: Node | undefined, meta: ObjectMeta, model: Model): void {
  const at = y.at(node);
  const keys = y.entries(y.path(node, 'spec', 'encryptedData')).map(([k]) => k);
  const object = objectRef('SealedSecret', meta);
  const secretRef = {
    kind: 'Secret',
    name: meta.name,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
  };
  if (keys.some((k) => /alertmanager\.ya?ml/i.test(k)) || /alertmanager/i.test(meta.name)) {
    model.encrypted.push({
      location: at,
      message: `SealedSecret ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name} is sealed and holds what looks like Alertmanager config (${keys.join(', ') || 'no keys'}), which audit cannot check: routes in it are not judged. Audit the unsealed Secret in CI (kubectl get secret ${meta.name} -o yaml | alertpath audit -).`,
      object,
    });
  }
  model.encrypted.push({ location: at, message: '', object: secretRef, quiet: true });
}
