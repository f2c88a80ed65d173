#!/bin/sh
":" /*
# This file is first a shell script, then node's: the shell reads up to the exec below, and
# node reads the string above and skips this comment. The shell part gives every command, the
# worker above all, the process settings below; `node bin/s3-connector.js` skips them.
#  - MALLOC_ARENA_MAX=2: glibc otherwise gives each busy thread (libuv's pool, Temporal's core)
#    a malloc arena of its own; measured on a 200 x 8 MiB import, 2 arenas peaked 22-27 MiB
#    lower (216-221 against 243-245 MiB RSS) at the same CPU. Only read at process start.
#  - --heap-growing-percent=50 with --initial-old-space-size=80: V8 collects when the heap
#    reaches 1.5x its live data, but never below 80 MB. See worker/heap.ts for the measurements.
#  - --max-semi-space-size=4: a young generation of 8 MiB instead of 32; 20-35 MiB less RSS.
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
main(process.argv).then((code) => { process.exitCode = code; });
