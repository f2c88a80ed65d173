#!/usr/bin/env bash
# README command 1: set everything up, then run the demo on the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true  # the README states the Node requirement once
exec node dist/scripts/demo.js "$@"
