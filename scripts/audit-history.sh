#!/usr/bin/env bash
# Audits every commit on the first-parent history of a git repository and prints, per commit,
# the deadman-*, alert-path-* and input-* findings: how audit would have judged it in CI.
#   scripts/audit-history.sh /path/to/repo[.git]     (npm run build first)
set -euo pipefail
repo=$1
cli="$(cd "$(dirname "$0")/.." && pwd)/dist/src/cli/index.js"
git_dir=$(git -C "$repo" rev-parse --git-dir 2>/dev/null || echo "$repo")
case $git_dir in /*) ;; *) git_dir="$repo/$git_dir" ;; esac
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
for c in $(git --git-dir="$git_dir" rev-list --first-parent --reverse HEAD); do
  rm -rf "${tree:?}"/* "$tree"/.[!.]* 2>/dev/null || true
  git --git-dir="$git_dir" archive "$c" | tar -x -C "$tree"
  set +e
  json=$(cd "$tree" && node "$cli" audit --fail-on never --format json . 2>/dev/null)
  set -e
  rules=$(printf '%s' "$json" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      try {
        const ids = JSON.parse(s).findings.map((f) => f.rule).filter((r) => /^(deadman|alert-path|input)-/.test(r));
        console.log([...new Set(ids)].sort().join(" ") || "-");
      } catch { console.log("(no readable input)"); }
    });')
  echo "$(git --git-dir="$git_dir" log -1 --format='%h %ad' --date=short "$c") $rules"
done
