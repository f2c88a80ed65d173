# Shell functions the install scripts share; sourced, not run. `venv` must be set by the caller.

# Installs Debian packages, as root or through sudo.
apt_install() { # packages...
  echo "installing $* from Debian packages" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; fi
}

# Makes the tools' Python venv at $venv unless it works already (--clear rebuilds one whose
# interpreter is gone, e.g. made by a Python since removed).
ensure_venv() {
  "$venv/bin/python" -c '' >/dev/null 2>&1 && return 0
  command -v python3 >/dev/null || { echo "python3 is required for the tools' venv. Fix: install Python 3.10+ with venv." >&2; return 1; }
  python3 -m venv --clear "$venv" || { echo "python3 -m venv failed. Fix: install the python3-venv package." >&2; return 1; }
}
