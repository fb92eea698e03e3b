import type { Rule } from './types.js';

export const imageMissing: Rule = {
  id: 'image-missing',
  severity: 'error',
  severityNote: 'only with --registry',
  summary: 'With --registry: the registry says the image manifest is unknown (404).',
  rationale:
    'A reference to an image that no longer exists works until the next pull: the next node failure, eviction or scale-up turns into ImagePullBackOff, on the worst possible day.',
  remediation:
    'point the reference at an image that exists (and pin it by digest), or rebuild and push the missing one.',
  // Findings come from the registry pass (src/audit/registry-pass.ts), not from the static model.
  check: () => [],
};
