/**
 * Spotting commands that install packages when a container starts (so that the container's
 * recovery depends on a package index being reachable at the worst possible moment). Pure.
 */

const OPT = String.raw`(?:\s+-{1,2}[\w.-]+(?:=\S+)?)*`;

const PATTERNS: RegExp[] = [
  new RegExp(String.raw`(?<![\w-])(?:uv\s+)?pip(?:3(?:\.\d+)?)?${OPT}\s+install\b`),
  new RegExp(String.raw`(?<![\w-])python[\d.]*${OPT}\s+-m\s+pip${OPT}\s+install\b`),
  new RegExp(String.raw`(?<![\w-])(?:npm|pnpm)${OPT}\s+(?:install|i|add|ci)\b`),
  new RegExp(String.raw`(?<![\w-])yarn(?:\s+global)?${OPT}\s+(?:add|install)\b`),
  /(?<![\w-])npx\s+\S/,
  new RegExp(String.raw`(?<![\w-])(?:apt-get|apt|apk|yum|dnf|microdnf|zypper)${OPT}\s+(?:install|add)\b`),
  new RegExp(String.raw`(?<![\w-])gem${OPT}\s+install\b`),
  /(?<![\w-])go\s+install\b/,
  /(?<![\w-])(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|da|k)?sh\b/,
];

export interface InstallCommand {
  /** 1-based line and column of the command in the text. */
  line: number;
  column: number;
  /** The matching line, trimmed and shortened for messages. */
  command: string;
}

/** The first line that installs packages, if any. Shell comment lines are skipped. */
export function findRuntimeInstall(text: string): InstallCommand | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trimStart().startsWith('#')) continue;
    if (line.length > 20_000) continue;
    let best: RegExpExecArray | undefined;
    for (const p of PATTERNS) {
      const m = p.exec(line);
      if (m && (best === undefined || m.index < best.index)) best = m;
    }
    if (best) {
      const rest = line
        .slice(best.index)
        .trim()
        .replace(/\s+#.*$/, '')
        .replace(/["'\]]+$/, '');
      return {
        line: i + 1,
        column: best.index + 1,
        command: rest.length > 80 ? `${rest.slice(0, 77)}...` : rest,
      };
    }
  }
  return undefined;
}
