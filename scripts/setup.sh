#!/usr/bin/env bash
# Sets up a fresh clone for the demo: Node 24 when the node on PATH is older than 22
# (scripts/node-env.sh), the npm dependencies, the servers (scripts/install-tools.sh: the Temporal
# CLI, MinIO, mc) and the build. `--test` adds what only the tests use: the test tools
# (scripts/install-test-tools.sh) and the benchmark's peers, which its smoke test runs
# (bench/install-peers.sh). Safe to run twice; quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
test_tools=false
if [ "${1:-}" = "--test" ]; then test_tools=true; fi

# node_modules is installed by the npm that runs on the project's Node; after a change of Node
# major (e.g. a clone set up with Node 20 before this script installed 24) it is installed anew.
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ "$(cat node_modules/.s3c-node-major 2>/dev/null)" != "$node_major" ]; then
  npm ci --no-audit --no-fund
  echo "$node_major" >node_modules/.s3c-node-major
fi
bash scripts/install-tools.sh
if [ "$test_tools" = true ]; then
  bash scripts/install-test-tools.sh
  bash bench/install-peers.sh
fi
npm run --silent build >/dev/null
echo "setup: ok (node $(node -v))" >&2
