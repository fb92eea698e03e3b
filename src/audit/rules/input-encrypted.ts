import type { Rule } from './types.js';

export const inputEncrypted: Rule = {
  id: 'input-encrypted',
  severity: 'warning',
  summary:
    'An encrypted file (SOPS, SealedSecret) holds what looks like Alertmanager config: it could not be checked.',
  rationale:
    'Audit reads what is in the repository. An Alertmanager config encrypted with SOPS or sealed with kubeseal cannot be read, so its routes are not judged: a clean run must not be taken to mean that Watchdog reaches an external deadman.',
  remediation:
    'audit the decrypted render in CI, where the key is available: `sops -d FILE | alertpath audit -` (or `kubectl get secret NAME -o yaml | alertpath audit -` for a sealed secret); or keep the routing in plain text and only the webhook URLs secret (an ExternalSecret template, or url_file).',
  check: ({ model }) =>
    model.encrypted
      .filter((e) => !e.quiet)
      .map((e) => ({ message: e.message, location: e.location, ...(e.object ? { object: e.object } : {}) })),
};
