#!/usr/bin/env bash
# Sets up a fresh clone: npm dependencies, the real servers (scripts/install-tools.sh) and the build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/install-tools.sh
# The benchmark's peers (s5cmd, warp, rclone, aws-cli, matplotlib) for its CI smoke test; quick when present.
bash bench/install-peers.sh
npm run --silent build >/dev/null
echo "setup: ok" >&2
