#!/usr/bin/env bash
# Installs, when missing, what only the tests use (the demo needs none of it):
#   tinyproxy (a forward proxy) from Debian's packages, linked into .tools/bin;
#   the reference media tools, ImageMagick (PNG, JPEG, TIFF, WebP), exiftool (EXIF orientation
#   and capture time), Ghostscript (PDF), sox (WAV), ffmpeg (MP3, MP4), from Debian's packages;
#   a Python venv in .tools/venv with pyarrow, the reference Parquet writer of the test fixtures,
#   and fastavro (with cramjam for snappy and backports.zstd for zstandard), the reference Avro writer;
#   the table oracles: deltalake (Delta writer, CDF's load_cdf), pyiceberg (Iceberg writer and
#   reader, on a sqlite catalog), duckdb with its delta, iceberg, avro and httpfs extension wheels
#   (a second reader, and the benchmark's peer; the extensions load from the wheels' files, as
#   duckdb's own INSTALL needs the internet).
# Debian's versions are the release's own; pyarrow is pinned below. Safe to run twice; quick when
# everything is present. The benchmark's peers, which its smoke test needs, are bench/install-peers.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
venv="$root/.tools/venv"
mkdir -p "$bin"

PYARROW_VERSION="26.0.1"
FASTAVRO_VERSION="1.13.1"
CRAMJAM_VERSION="2.14.0"
BACKPORTS_ZSTD_VERSION="1.8.0"
DELTALAKE_VERSION="1.6.6"
PYICEBERG_VERSION="0.12.0"
# pyiceberg's partition transforms other than identity (bucket, truncate, year..hour) need it; 0.12.0 wants 0.10.x.
PYICEBERG_CORE_VERSION="0.10.1"
# duckdb refuses extensions of another version: the core and the four wheels move together.
DUCKDB_VERSION="1.5.5"

# shellcheck source=scripts/install-lib.sh
. "$root/scripts/install-lib.sh"

# One apt run for everything missing. (/usr/bin/convert, not `command -v convert`: some machines
# have a stand-in convert elsewhere on PATH.)
pkgs=()
if [ ! -x "$bin/tinyproxy" ] && ! command -v tinyproxy >/dev/null && [ ! -x /usr/bin/tinyproxy ] && [ ! -x /usr/sbin/tinyproxy ]; then pkgs+=(tinyproxy); fi
[ -x /usr/bin/convert ] || pkgs+=(imagemagick)
command -v ffmpeg >/dev/null || pkgs+=(ffmpeg)
command -v sox >/dev/null || pkgs+=(sox)
command -v exiftool >/dev/null || pkgs+=(libimage-exiftool-perl)
command -v gs >/dev/null || pkgs+=(ghostscript)
if [ "${#pkgs[@]}" -gt 0 ]; then apt_install "${pkgs[@]}"; fi
if [ ! -x "$bin/tinyproxy" ]; then
  ln -sf "$(command -v tinyproxy || { [ -x /usr/sbin/tinyproxy ] && echo /usr/sbin/tinyproxy; } || echo /usr/bin/tinyproxy)" "$bin/tinyproxy"
fi

# pyarrow writes the Parquet fixtures (scripts/fixtures/make_parquet.py): files from the reference
# writer, not from the reader under test. Installed from PyPI into a venv of its own.
if [ "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("pyarrow"))' 2>/dev/null)" != "$PYARROW_VERSION" ]; then
  echo "install-test-tools: installing pyarrow $PYARROW_VERSION into $venv (first run only)" >&2
  ensure_venv || exit 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pyarrow==$PYARROW_VERSION" \
    || { echo "install-test-tools: pip install pyarrow==$PYARROW_VERSION failed (see above)." >&2; exit 1; }
fi
# fastavro writes the Avro fixtures (scripts/fixtures/make_avro_tables.py); cramjam gives it snappy,
# backports.zstd zstandard (Python 3.14's compression.zstd on older Pythons).
if [ "$("$venv/bin/python" -c 'from importlib.metadata import version as v; print(v("fastavro"), v("cramjam"), v("backports.zstd"))' 2>/dev/null)" != "$FASTAVRO_VERSION $CRAMJAM_VERSION $BACKPORTS_ZSTD_VERSION" ]; then
  echo "install-test-tools: installing fastavro $FASTAVRO_VERSION, cramjam $CRAMJAM_VERSION, backports.zstd $BACKPORTS_ZSTD_VERSION into $venv (first run only)" >&2
  ensure_venv || exit 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "fastavro==$FASTAVRO_VERSION" "cramjam==$CRAMJAM_VERSION" "backports.zstd==$BACKPORTS_ZSTD_VERSION" \
    || { echo "install-test-tools: pip install fastavro, cramjam, backports.zstd failed (see above)." >&2; exit 1; }
fi
# The table oracles (tables tests, bench/tables): writers and second readers of Delta and Iceberg.
if [ "$("$venv/bin/python" -c 'from importlib.metadata import version as v; print(v("deltalake"), v("pyiceberg"), v("duckdb"), v("duckdb-extension-delta"), v("duckdb-extension-iceberg"), v("duckdb-extension-avro"), v("duckdb-extension-httpfs"))' 2>/dev/null)" != "$DELTALAKE_VERSION $PYICEBERG_VERSION $DUCKDB_VERSION $DUCKDB_VERSION $DUCKDB_VERSION $DUCKDB_VERSION $DUCKDB_VERSION" ]; then
  echo "install-test-tools: installing deltalake $DELTALAKE_VERSION, pyiceberg $PYICEBERG_VERSION, duckdb $DUCKDB_VERSION and its extensions into $venv (first run only)" >&2
  ensure_venv || exit 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "deltalake==$DELTALAKE_VERSION" "pyiceberg[sql-sqlite,pyarrow]==$PYICEBERG_VERSION" \
    "duckdb==$DUCKDB_VERSION" "duckdb-extension-delta==$DUCKDB_VERSION" "duckdb-extension-iceberg==$DUCKDB_VERSION" \
    "duckdb-extension-avro==$DUCKDB_VERSION" "duckdb-extension-httpfs==$DUCKDB_VERSION" "pyarrow==$PYARROW_VERSION" \
    || { echo "install-test-tools: pip install of the table oracles failed (see above)." >&2; exit 1; }
fi
# pyiceberg-core: the Rust transforms pyiceberg writes bucket, truncate and time partitions with.
if [ "$("$venv/bin/python" -c 'from importlib.metadata import version as v; print(v("pyiceberg-core"))' 2>/dev/null)" != "$PYICEBERG_CORE_VERSION" ]; then
  echo "install-test-tools: installing pyiceberg-core $PYICEBERG_CORE_VERSION into $venv (first run only)" >&2
  ensure_venv || exit 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pyiceberg-core==$PYICEBERG_CORE_VERSION" \
    || { echo "install-test-tools: pip install pyiceberg-core==$PYICEBERG_CORE_VERSION failed (see above)." >&2; exit 1; }
fi
# The Iceberg catalog servers (the REST catalog server from Maven Central, moto's Glue from PyPI).
bash "$root/scripts/install-catalog-servers.sh"
# The reference S3 Encryption Clients (Python from PyPI, Go built from scripts/s3ec-go) of the KMS interop tests.
bash "$root/scripts/install-s3ec-clients.sh"
# compose-check (scripts/compose-check): Docker Compose's own loader (compose-go, pinned in its
# go.mod), to check docker-compose.yml on machines without a Docker engine. Rebuilt when its
# sources change.
if [ ! -x "$bin/compose-check" ] || [ -n "$(find "$root/scripts/compose-check" -newer "$bin/compose-check" -type f)" ]; then
  echo "install-test-tools: building compose-check (Go, first run only)" >&2
  (cd "$root/scripts/compose-check" && go build -o "$bin/compose-check" .) \
    || { echo "install-test-tools: go build of scripts/compose-check failed (see above)." >&2; exit 1; }
fi
echo "install-test-tools: ok (tinyproxy, imagemagick, ffmpeg, sox, exiftool, ghostscript, pyarrow, fastavro, deltalake, pyiceberg, duckdb, compose-check)" >&2
