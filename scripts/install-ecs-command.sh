#!/usr/bin/env bash
# Puts an `ecs` command on PATH that runs this checkout's ecs CLI (pipelines/bin/ecs.js) on the
# project's Node, so the CI line `ecs deploy %ECS_CLUSTER_NAME% %ECS_SERVICE_NAME% ...` runs unchanged.
#   bash scripts/install-ecs-command.sh [bin-dir]   (default /usr/local/bin; ~/.local/bin when not writable)
# Idempotent: an up-to-date command is left alone. A command of the same name that this script did not
# write is never replaced.
set -euo pipefail

say() { printf '[setup] %s\n' "$*"; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
bin_dir="${1:-}"
if [[ -z "$bin_dir" ]]; then
  if [[ -w /usr/local/bin ]]; then bin_dir=/usr/local/bin; else bin_dir="$HOME/.local/bin"; fi
fi
target="$bin_dir/ecs"
marker="written by scripts/install-ecs-command.sh"

# run.sh picks the project's Node (the machine's may be older), whatever the caller's PATH holds.
wrapper="#!/usr/bin/env bash
# The ecs command of $repo ($marker; setup.sh runs it).
exec bash $(printf '%q' "$repo/scripts/run.sh") node $(printf '%q' "$repo/pipelines/bin/ecs.js") \"\$@\""

if [[ -f "$target" && "$(cat "$target")" == "$wrapper" ]]; then exit 0; fi
if [[ -e "$target" ]] && ! grep -q "$marker" "$target" 2>/dev/null; then
  say "WARNING: $target exists and is not ours; left alone (run pipelines' CLI with 'npx ecs' instead)"
  exit 0
fi
previous="$(sed -n 's/^# The ecs command of \(.*\) (written by.*/\1/p' "$target" 2>/dev/null || true)"
mkdir -p "$bin_dir"
printf '%s\n' "$wrapper" >"$target.$$"
chmod 755 "$target.$$"
mv -f "$target.$$" "$target"
say "ecs command: $target runs $repo/pipelines/bin/ecs.js${previous:+ (was $previous)}"
case ":$PATH:" in
*":$bin_dir:"*) ;;
*) say "note: $bin_dir is not on PATH; add it to run 'ecs' by name" ;;
esac
