import type { Rule, RuleFinding } from './types.js';

export const imageUnpinned: Rule = {
  id: 'image-unpinned',
  severity: 'info',
  summary: 'An image has a tag but no digest.',
  rationale:
    'Tags can be moved or deleted. A digest names exactly one image, so what runs after a restart is what was reviewed, and a registry clean-up cannot make it vanish unnoticed.',
  remediation: 'add the digest: image: repo:1.2.3@sha256:… (Renovate and Dependabot keep both up to date).',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const use of model.images) {
      const ref = use.ref;
      if (!ref || ref.digest !== undefined || ref.tag === undefined || ref.tag === 'latest') continue;
      out.push({
        message: `image "${use.raw}" is pinned by tag only, not by digest.`,
        location: use.location,
        ...(use.object ? { object: use.object } : {}),
        ignore: use.ignore,
      });
    }
    return out;
  },
};
