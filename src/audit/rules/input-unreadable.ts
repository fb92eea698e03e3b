import type { Rule } from './types.js';

export const inputUnreadable: Rule = {
  id: 'input-unreadable',
  severity: 'info',
  summary:
    'An input that looks like Alertmanager or rule config is in a form audit cannot read (Jsonnet, a template, a postRenderer, a values object not in the repository).',
  rationale:
    'So that "0 findings" always means "read and fine": what audit could not read is said, with where it is, rather than passed over in silence.',
  remediation:
    'audit the rendered output through stdin (`helm template … | alertpath audit -`, `kustomize build … | alertpath audit -`, `jsonnet … | alertpath audit -`), or commit the missing object; silence it with --rule input-unreadable=off once that is done.',
  check: ({ model }) =>
    model.unreadable.map((u) => ({
      message: u.message,
      location: u.location,
      ...(u.object ? { object: u.object } : {}),
    })),
};
