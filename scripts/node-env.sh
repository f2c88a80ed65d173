# Sourced, from the repository root, by every entry point (scripts/setup.sh, test.sh, demo.sh,
# the bench scripts of package.json, .ci/run):   . scripts/node-env.sh
# The project targets Node 24 LTS (package.json engines: >=22). When the `node` on PATH is older
# than 22, this installs the pinned Node 24 into .tools/node (git-ignored) from the npm registry,
# which serves Node's own builds as the package node-linux-<arch> (the binary is bin/node; no
# download site is involved), and puts .tools/node/bin first on PATH. npm itself then runs on
# it too, since npm's launcher is `#!/usr/bin/env node`. POSIX sh, so that npm scripts can source it.
S3C_NODE_VERSION=24.22.3
s3c_node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(s3c_node_major)" -lt 22 ]; then
  s3c_node_dir="$PWD/.tools/node"
  if [ "$("$s3c_node_dir/bin/node" -v 2>/dev/null)" != "v$S3C_NODE_VERSION" ]; then
    case "$(uname -m)" in
      x86_64) s3c_node_arch=x64 ;;
      aarch64 | arm64) s3c_node_arch=arm64 ;;
      *) s3c_node_arch="$(uname -m)" ;;
    esac
    echo "node-env: node on PATH is $(node -v 2>/dev/null || echo missing); installing Node $S3C_NODE_VERSION into .tools/node (first run only)" >&2
    s3c_node_tmp="$(mktemp -d)"
    if (cd "$s3c_node_tmp" && npm pack --silent "node-linux-$s3c_node_arch@$S3C_NODE_VERSION" >/dev/null); then
      rm -rf "$s3c_node_dir" && mkdir -p "$s3c_node_dir" \
        && tar xzf "$s3c_node_tmp"/node-linux-*.tgz -C "$s3c_node_dir" --strip-components=1
    fi
    rm -rf "$s3c_node_tmp"
    if [ "$("$s3c_node_dir/bin/node" -v 2>/dev/null)" != "v$S3C_NODE_VERSION" ]; then
      echo "node-env: could not install node-linux-$s3c_node_arch@$S3C_NODE_VERSION from the npm registry (see above). Fix: install Node 22 or later (24 LTS is tested) and put it first on PATH." >&2
      return 1 2>/dev/null || exit 1
    fi
  fi
  PATH="$s3c_node_dir/bin:$PATH"
  export PATH
  unset s3c_node_dir s3c_node_arch s3c_node_tmp
fi
