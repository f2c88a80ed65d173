#!/bin/sh
":" /*
# This file is first a shell script, then node's: the shell reads up to the exec below, and
# node reads the string above and skips this comment. The shell part gives every command, the
# worker above all, the process settings below; `node bin/s3-connector.js` skips them.
#  - MALLOC_ARENA_MAX=2: glibc otherwise gives each busy thread (libuv's pool, Temporal's core)
#    a malloc arena of its own, which holds freed memory as RSS. Only read at process start.
#  - --heap-growing-percent=50 with --initial-old-space-size=80: V8 collects when the heap
#    reaches 1.5x its live data, but never below 80 MB (why: worker/heap.ts).
#  - --max-semi-space-size=4: a young generation of 2 x 4 MiB, which a busy worker fills.
# The measurements behind these are in bench/README.md ("Figures behind code choices").
# An operator's own MALLOC_ARENA_MAX is kept. S3_CONNECTOR_NODE_FLAGS (space-separated) go to
# node after these, so they can override them or add others, e.g. --cpu-prof to profile a worker.
# In a clone whose setup installed Node 24 into .tools/node (scripts/node-env.sh, when the
# machine's node is older than 22), that node runs; otherwise, and when installed, the one on PATH.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
node=node
[ -x "${0%/*}/../.tools/node/bin/node" ] && node="${0%/*}/../.tools/node/bin/node"
# shellcheck disable=SC2086 # the flags are split into words on purpose
exec "$node" --heap-growing-percent=50 --initial-old-space-size=80 --max-semi-space-size=4 ${S3_CONNECTOR_NODE_FLAGS:-} "$0" "$@"
*/
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
const { main } = require('../dist/client/cli.js');
void main(process.argv).then((code) => { process.exitCode = code; });
