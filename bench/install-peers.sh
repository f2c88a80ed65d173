#!/usr/bin/env bash
# Installs the benchmark's peer tools when missing, into .tools (git-ignored). Idempotent and
# quick (well under a second) when everything is present:
#   s5cmd and warp  built from source through the Go module proxy into .tools/bin,
#   rclone          from Debian packages (linked into .tools/bin),
#   aws-cli         `pip install awscli==<pinned>` into .tools/venv (linked into .tools/bin/aws),
#   matplotlib      pinned too, into .tools/venv, for bench/results/chart.png,
#   and GNU time and zstd (Debian) when missing.
# Usage: bash bench/install-peers.sh [--only s5cmd,rclone,...]   (default: all five)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
venv="$root/.tools/venv"
mkdir -p "$bin"
only="s5cmd,warp,rclone,aws,matplotlib"
if [ "${1:-}" = "--only" ]; then only="${2:?--only needs a list}"; fi
want() { [[ ",$only," == *",$1,"* ]]; }

# Exact releases, built from source through the Go module proxy. Some module mirrors serve no
# version lists (403 on @v/list, as here for both), which also fails `go install m@v`'s
# deprecation check, or no checksum-database entry for a release: then the release is built
# inside a throwaway module (go get + go install), and only when the checksum database has no
# entry for that one module is it skipped for it (GONOSUMDB=module; its dependencies are still
# verified).
S5CMD_VERSION="v2.3.0"
WARP_VERSION="v1.0.0"
AWSCLI_VERSION="1.46.2"
MATPLOTLIB_VERSION="3.11.2"

# The version a Go binary was built from, as it records itself (`go version -m`).
built_version() { # binary module
  go version -m "$1" 2>/dev/null | awk -v m="$2" '($1 == "mod" || $1 == "dep") && $2 == m { print $3; exit }'
}
go_tool() { # name module version
  local name="$1" module="$2" version="$3"
  command -v go >/dev/null || { echo "install-peers: Go is required to build $name. Fix: install Go 1.24+." >&2; return 1; }
  if [ -x "$bin/$name" ] && [ "$(built_version "$bin/$name" "$module")" = "$version" ]; then return 0; fi
  echo "install-peers: building $name from $module@$version (first run only; a minute or two)" >&2
  GOBIN="$bin" GOFLAGS=-trimpath go install "$module@$version" 2>/dev/null && return 0
  echo "install-peers: go install $module@$version refused here; building it inside a throwaway module" >&2
  local tmp; tmp="$(mktemp -d)"
  ( cd "$tmp" && go mod init bench-peer-"$name" >/dev/null 2>&1 \
    && { go get "$module@$version" >/dev/null 2>&1 \
         || { echo "install-peers: no checksum-database entry for $module@$version; trusting the module proxy for it alone" >&2
              GONOSUMDB="$module" go get "$module@$version" >/dev/null 2>go-get.err || { cat go-get.err >&2; false; }; }; } \
    && GONOSUMDB="$module" GOBIN="$bin" GOFLAGS=-trimpath go install "$module" )
  local status=$?
  rm -rf "$tmp"
  return $status
}

# shellcheck source=scripts/install-lib.sh
. "$root/scripts/install-lib.sh"

pids=()
if want s5cmd; then go_tool s5cmd github.com/peak/s5cmd/v2 "$S5CMD_VERSION" & pids+=($!); fi
if want warp; then go_tool warp github.com/minio/warp "$WARP_VERSION" & pids+=($!); fi
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || { echo "install-peers: a Go build failed (see above)." >&2; exit 1; }

# GNU time measures every peer (/usr/bin/time -f); zstd reads warp's benchmark data.
if [ ! -x /usr/bin/time ] || ! command -v zstd >/dev/null; then
  echo "install-peers: installing time and zstd from Debian packages" >&2
  apt_install time zstd
fi
if want rclone && [ ! -x "$bin/rclone" ]; then
  if ! command -v rclone >/dev/null; then
    echo "install-peers: installing rclone from Debian packages" >&2
    apt_install rclone
  fi
  ln -sf "$(command -v rclone)" "$bin/rclone"
fi
if want aws && [ "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("awscli"))' 2>/dev/null)" != "$AWSCLI_VERSION" ]; then
  ensure_venv
  echo "install-peers: pip install awscli==$AWSCLI_VERSION into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "awscli==$AWSCLI_VERSION"
fi
if want aws; then ln -sf "$venv/bin/aws" "$bin/aws"; fi
if want matplotlib && [ "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("matplotlib"))' 2>/dev/null)" != "$MATPLOTLIB_VERSION" ]; then
  ensure_venv
  echo "install-peers: pip install matplotlib==$MATPLOTLIB_VERSION into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "matplotlib==$MATPLOTLIB_VERSION"
fi
echo "install-peers: ok ($only)" >&2
