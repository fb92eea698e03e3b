import type { Rule } from './types.js';

export const imageUnverified: Rule = {
  id: 'image-unverified',
  severity: 'warning',
  severityNote: 'only with --registry',
  summary: 'With --registry: the image could not be verified (401/403, timeout, unreachable).',
  rationale:
    'The registry did not say whether the image exists: it refused access, timed out, or could not be reached. This is never reported as missing, but it is not verified either.',
  remediation:
    'give the audit read access (REGISTRY_AUTH_FILE or ~/.docker/config.json), use --insecure-registry for plain-http registries, or check the registry is reachable from CI.',
  check: () => [],
};
