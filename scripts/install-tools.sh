#!/usr/bin/env bash
# Installs the servers that the demo and the tests run against, when missing, into .tools/bin
# (git-ignored): temporal (the Temporal CLI, whose `server start-dev` is a full server with the
# Web UI), minio and mc (the S3 server and its admin client). What only the tests use is in
# scripts/install-test-tools.sh. Safe to run twice; quick when everything is present.
# Never downloads prebuilt binaries: each is built from source through the Go module proxy, at
# the exact version below (MinIO and mc tag releases as RELEASE.<date>, which Go does not read as
# versions, so they are pinned by the proxy's pseudo-version of the release commit).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

TEMPORAL_CLI_VERSION="v1.5.1"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MC_VERSION="v0.0.0-20250313080218-cf909e1063a9"

# The version a Go binary was built from, as it records itself (`go version -m`).
built_version() { # binary module
  go version -m "$1" 2>/dev/null | awk -v m="$2" '($1 == "mod" || $1 == "dep") && $2 == m { print $3; exit }'
}
go_tool() { # name package module version
  local name="$1" package="$2" module="$3" version="$4"
  command -v go >/dev/null || { echo "install-tools: Go is required to build $name. Fix: install Go 1.24+." >&2; exit 1; }
  if [ -x "$bin/$name" ] && [ "$(built_version "$bin/$name" "$module")" = "$version" ]; then return 0; fi
  echo "install-tools: building $name from $module@$version (first run only; a few minutes)" >&2
  GOBIN="$bin" GOFLAGS=-trimpath go install "$package@$version"
}

go_tool temporal github.com/temporalio/cli/cmd/temporal github.com/temporalio/cli "$TEMPORAL_CLI_VERSION" &
p1=$!
go_tool minio github.com/minio/minio github.com/minio/minio "$MINIO_VERSION" &
p2=$!
go_tool mc github.com/minio/mc github.com/minio/mc "$MC_VERSION" &
p3=$!
fail=0
for p in $p1 $p2 $p3; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || { echo "install-tools: a Go build failed (see above)." >&2; exit 1; }
echo "install-tools: ok (temporal, minio, mc)" >&2
