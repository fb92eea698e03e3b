import { pathSeverity } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const imageMutableTag: Rule = {
  id: 'image-mutable-tag',
  severity: 'error',
  severityNote: 'warning when not on the alert path',
  summary: 'An image is referenced by :latest, or with no tag and no digest.',
  rationale:
    'A mutable reference pulls whatever was pushed last: a restart can bring a different program, or none at all if the tag was deleted. `registry:5000/app` has no tag (the `:5000` is a port), so it means `:latest` too.',
  remediation: 'refer to the image by an immutable version tag plus digest (image: repo:1.2.3@sha256:…).',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const use of model.images) {
      const ref = use.ref;
      if (!ref || ref.digest !== undefined) continue;
      if (ref.tag !== undefined && ref.tag !== 'latest') continue;
      const what =
        ref.tag === 'latest'
          ? 'uses the mutable tag :latest'
          : 'has no tag and no digest (so it means :latest)';
      out.push({
        message: `image "${use.raw}" ${what}${use.alertPath ? ', on the alert path' : ''}.`,
        location: ref.tag === 'latest' ? (use.tagLocation ?? use.location) : use.location,
        severity: pathSeverity(use.alertPath),
        ...(use.object ? { object: use.object } : {}),
        ignore: use.ignore,
      });
    }
    return out;
  },
};
