#!/usr/bin/env bash
# Installs, when missing, the reference S3 Encryption Clients of the client-side KMS interop tests
# (test/harness/s3ec-clients.ts):
#   amazon-s3-encryption-client-python (PyPI, pinned below) into the tools' venv, driven by
#   scripts/fixtures/s3ec_python.py;
#   s3ec-go, our wrapper of github.com/aws/amazon-s3-encryption-client-go/v3 (pinned with the AWS
#   SDK modules in scripts/s3ec-go/go.mod and go.sum, from the Go module proxy), built into
#   .tools/bin/s3ec-go when missing or older than its sources.
# Safe to run twice; quick when everything is present. Called by scripts/install-test-tools.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
venv="$root/.tools/venv"
mkdir -p "$bin"

S3EC_PYTHON_VERSION="4.0.0"

# shellcheck source=scripts/install-lib.sh
. "$root/scripts/install-lib.sh"

if [ "$("$venv/bin/python" -c 'from importlib.metadata import version as v; print(v("amazon-s3-encryption-client-python"))' 2>/dev/null)" != "$S3EC_PYTHON_VERSION" ]; then
  echo "install-s3ec-clients: installing amazon-s3-encryption-client-python $S3EC_PYTHON_VERSION into $venv (first run only)" >&2
  ensure_venv || exit 1
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "amazon-s3-encryption-client-python==$S3EC_PYTHON_VERSION" \
    || { echo "install-s3ec-clients: pip install amazon-s3-encryption-client-python==$S3EC_PYTHON_VERSION failed (see above)." >&2; exit 1; }
fi
if [ ! -x "$bin/s3ec-go" ] || [ -n "$(find "$root/scripts/s3ec-go" -newer "$bin/s3ec-go" -type f)" ]; then
  echo "install-s3ec-clients: building s3ec-go (Go, first run only)" >&2
  (cd "$root/scripts/s3ec-go" && go build -o "$bin/s3ec-go" .) \
    || { echo "install-s3ec-clients: go build of scripts/s3ec-go failed (see above)." >&2; exit 1; }
fi
echo "install-s3ec-clients: ok (amazon-s3-encryption-client-python $S3EC_PYTHON_VERSION, s3ec-go)" >&2
