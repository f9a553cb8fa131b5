#!/usr/bin/env bash
# Runs a command under the project's Node (see node-runtime.sh); with --setup, runs setup.sh first.
#   bash scripts/run.sh [--setup] <command> [args...]
set -euo pipefail
here="$(dirname "$0")"
if [[ "${1:-}" == "--setup" ]]; then
  shift
  bash "$here/setup.sh"
fi
# shellcheck source=node-runtime.sh
source "$here/node-runtime.sh"
use_project_node || {
  printf '[run] Node %s is needed (found %s): run "bash scripts/setup.sh" first.\n' \
    "$NODE_RUNTIME_MAJOR" "$(node --version 2>/dev/null || echo none)" >&2
  exit 1
}
exec "$@"
