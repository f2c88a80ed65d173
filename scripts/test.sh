#!/usr/bin/env bash
# Sets everything up, test tools included, and runs the whole suite on Node 24 (scripts/node-env.sh)
# against the real Temporal server and MinIO: typecheck, lint, then jest. Prints a last line
# "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/node-env.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/setup.sh --test || { echo "0 passed, 1 failed"; exit 1; }
status=0
checks_failed=0
npx tsc -p tsconfig.json --noEmit || { status=1; checks_failed=$((checks_failed + 1)); }
npx eslint . || { status=1; checks_failed=$((checks_failed + 1)); }
mkdir -p .run
npx jest --json --outputFile=.run/jest-results.json "$@"
jest_status=$?
[ "$jest_status" = 0 ] || status=1
CHECKS_FAILED=$checks_failed node -e '
  const r = require("./.run/jest-results.json");
  const checks = Number(process.env.CHECKS_FAILED); // typecheck and lint count as one test each
  const failedSuites = r.numFailedTestSuites + (r.numRuntimeErrorTestSuites || 0);
  // A suite that fails to load has no tests: count it as a failure rather than losing it.
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + (r.numFailedTests ? 0 : failedSuites) + checks} failed`);
' 2>/dev/null || echo "0 passed, 1 failed"
exit $status
