#!/usr/bin/env bash
# README command 1: set everything up, then run the demo on the embedded defaults.
set -euo pipefail
# Installs only what the demo runs (Node 24 if needed, npm dependencies, the Temporal CLI, MinIO,
# mc, the build); the test tools and the benchmark's peers are left to `npm test` and `npm run bench`.
cd "$(dirname "$0")/.."
. scripts/node-env.sh
bash scripts/setup.sh
exec node dist/scripts/demo.js "$@"
