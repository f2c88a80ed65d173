#!/usr/bin/env bash
# Installs the real servers the project runs against, when missing, into .tools/bin (git-ignored):
#   temporal (the Temporal CLI, whose `server start-dev` is a full server with the Web UI),
#   minio and mc (S3 server and its admin client), tinyproxy (a forward proxy, for tests),
#   and a Python venv in .tools/venv with pyarrow, the reference Parquet writer of the test fixtures.
# Safe to run twice; quick when everything is present. Never downloads prebuilt binaries:
# Go tools are built from source through the Go module proxy, tinyproxy comes from Debian.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

TEMPORAL_CLI_VERSION="v1.5.1"

go_tool() { # name module@version
  local name="$1" module="$2"
  if [ -x "$bin/$name" ]; then return 0; fi
  command -v go >/dev/null || { echo "install-tools: Go is required to build $name. Fix: install Go 1.22+." >&2; exit 1; }
  echo "install-tools: building $name from $module (first run only; this takes a few minutes)" >&2
  GOBIN="$bin" GOFLAGS=-trimpath go install "$module"
}

go_tool temporal "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" &
p1=$!
go_tool minio "github.com/minio/minio@latest" &
p2=$!
go_tool mc "github.com/minio/mc@latest" &
p3=$!
fail=0
for p in $p1 $p2 $p3; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || { echo "install-tools: a Go build failed (see above)." >&2; exit 1; }

if [ ! -x "$bin/tinyproxy" ]; then
  if ! command -v tinyproxy >/dev/null && [ ! -x /usr/bin/tinyproxy ] && [ ! -x /usr/sbin/tinyproxy ]; then
    echo "install-tools: installing tinyproxy from Debian packages" >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tinyproxy >/dev/null
    else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tinyproxy >/dev/null; fi
  fi
  ln -sf "$(command -v tinyproxy || echo /usr/bin/tinyproxy)" "$bin/tinyproxy"
fi
# Real media for the media-set tests, made by the reference tools: ImageMagick (PNG, JPEG, TIFF, WebP),
# exiftool (EXIF orientation and capture time), Ghostscript (PDF), sox (WAV), ffmpeg (MP3, MP4).
# (/usr/bin/convert, not `command -v convert`: some machines have a stand-in convert elsewhere on PATH.)
if [ ! -x /usr/bin/convert ] || ! command -v ffmpeg >/dev/null || ! command -v sox >/dev/null || ! command -v exiftool >/dev/null || ! command -v gs >/dev/null; then
  echo "install-tools: installing imagemagick, ffmpeg, sox, exiftool and ghostscript from Debian packages" >&2
  pkgs="imagemagick ffmpeg sox libimage-exiftool-perl ghostscript"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null; fi
fi
# pyarrow writes the Parquet fixtures (scripts/fixtures/make_parquet.py): files from the reference
# writer, not from the reader under test. Installed from PyPI into a venv of its own.
venv="$root/.tools/venv"
if ! "$venv/bin/python" -c 'import pyarrow' >/dev/null 2>&1; then
  command -v python3 >/dev/null || { echo "install-tools: python3 is required for the Parquet fixtures. Fix: install Python 3.9+ with venv." >&2; exit 1; }
  echo "install-tools: creating $venv with pyarrow (first run only)" >&2
  # --clear rebuilds a venv whose interpreter is gone (e.g. made by a Python since removed).
  "$venv/bin/python" -c '' >/dev/null 2>&1 || python3 -m venv --clear "$venv" \
    || { echo "install-tools: python3 -m venv failed. Fix: install the python3-venv package." >&2; exit 1; }
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'pyarrow>=14' \
    || { echo "install-tools: pip install pyarrow failed (see above)." >&2; exit 1; }
fi
echo "install-tools: ok ($(ls "$bin" | tr '\n' ' '))" >&2
