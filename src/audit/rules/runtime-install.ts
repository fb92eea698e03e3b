import { type ConfigMap, objectLabel } from '../model.js';
import { findRuntimeInstall } from '../runtime-install.js';
import { sameNamespace } from '../selectors.js';
import { alertPathWhy, pathSeverity, workloadName, workloadSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const runtimeInstall: Rule = {
  id: 'runtime-install',
  severity: 'error',
  severityNote: 'warning when not on the alert path',
  summary: 'A container installs packages when it starts.',
  rationale:
    'A container that runs pip, npm, apt-get or curl | sh at start depends on a package index being reachable whenever it restarts, which is exactly when the network, DNS or the internet may be down. Its recovery also picks up whatever version is current that day.',
  remediation:
    'install dependencies when building the image (a Dockerfile RUN step with pinned versions), push it, and refer to it by digest.',
  check({ model }) {
    const out: RuleFinding[] = [];
    const configMaps = new Map<string, ConfigMap[]>();
    for (const m of model.configMaps) {
      const list = configMaps.get(m.object.name);
      if (list) list.push(m);
      else configMaps.set(m.object.name, [m]);
    }
    for (const w of model.workloads) {
      const severity = pathSeverity(w.alertPath.member);
      for (const c of w.containers) {
        if (c.commandText && c.commandLocation) {
          const hit = findRuntimeInstall(c.commandText);
          if (hit) {
            // the line of the install command itself, when one string (a block scalar) holds it
            let location = c.commandLocation;
            for (const part of c.commandParts ?? []) {
              const inPart = findRuntimeInstall(part.text);
              if (inPart) {
                location = part.locate(inPart.line, inPart.column);
                break;
              }
            }
            out.push({
              message: `container "${c.name}" of ${workloadName(w)} runs "${hit.command}" at start${alertPathWhy(w)}.`,
              location,
              severity,
              ...workloadSubject(w),
            });
          }
        }
        for (const v of w.configMapVolumes) {
          if (!c.mounts.includes(v.volume)) continue;
          const cm = configMaps
            .get(v.configMap)
            ?.find((m) => sameNamespace(m.object.namespace, w.object.namespace));
          if (!cm) continue;
          for (const entry of cm.data) {
            if (v.keys && !v.keys.includes(entry.name)) continue;
            const hit = findRuntimeInstall(entry.text);
            if (!hit) continue;
            out.push({
              message: `container "${c.name}" of ${workloadName(w)} mounts ${objectLabel(cm.object)}, whose "${entry.name}" runs "${hit.command}" at start${alertPathWhy(w)}.`,
              location: entry.locate(hit.line, hit.column),
              severity,
              ...workloadSubject(w),
            });
          }
        }
      }
    }
    for (const e of model.entrypoints) {
      const hit = findRuntimeInstall(e.text);
      if (!hit) continue;
      out.push({
        message: `${e.object ? objectLabel(e.object) : e.origin} runs "${hit.command}" at start.`,
        location: e.location,
        severity: 'warning',
        ...(e.object ? { object: e.object } : {}),
        ignore: e.ignore,
      });
    }
    return out;
  },
};
