import { canonicalImageRef, type ImageRef } from './image-ref.js';
import type { Model } from './model.js';
import type { ImageVerdict, RegistryOptions } from './registry/index.js';
import type { RuleFinding } from './rules/index.js';

/**
 * `--registry`: after the static rules, every parsed image reference that does not depend on a
 * build ARG is asked about once (through the registry client, handed in), and each use whose
 * verdict is missing or unverified becomes a finding at that use's own location.
 */

export type VerifyImages = (refs: ImageRef[], options: RegistryOptions) => Promise<Map<string, ImageVerdict>>;

export interface RegistryFinding extends RuleFinding {
  rule: 'image-missing' | 'image-unverified';
}

export async function registryFindings(
  model: Model,
  verify: VerifyImages,
  options: RegistryOptions,
): Promise<RegistryFinding[]> {
  const uses = model.images.filter((u) => u.ref !== undefined);
  const verdicts = await verify(
    uses.map((u) => u.ref as ImageRef),
    options,
  );
  const out: RegistryFinding[] = [];
  for (const use of uses) {
    const verdict = verdicts.get(canonicalImageRef(use.ref as ImageRef));
    if (!verdict || verdict.status === 'present') continue;
    const base = {
      location: use.location,
      ...(use.object ? { object: use.object } : {}),
      ignore: use.ignore,
    };
    if (verdict.status === 'missing') {
      out.push({
        rule: 'image-missing',
        message: `image "${use.raw}" does not exist: ${verdict.detail}.`,
        ...base,
      });
    } else {
      out.push({
        rule: 'image-unverified',
        message: `image "${use.raw}" could not be verified: ${verdict.detail}.`,
        ...base,
      });
    }
  }
  return out;
}
