import type { Rule } from './types.js';

export const yamlInvalid: Rule = {
  id: 'yaml-invalid',
  severity: 'error',
  summary: 'A file (or one document in it) does not parse.',
  rationale:
    'What does not parse is not deployed as written, and cannot be audited. The audit reports it and goes on with the other files and documents.',
  remediation: 'fix the syntax at the reported line (yamllint or kubeconform show the same).',
  check: ({ model }) => model.invalid.map((i) => ({ message: i.message, location: i.location })),
};
