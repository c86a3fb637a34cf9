#!/usr/bin/env bash
# Installs what moor needs when it is missing: Debian packages (as root, or
# through sudo) and the npm workspace. `deps.sh --test` adds what only the
# tests need (sshd, the Go toolchain and libraries of the gotemplate oracle, the age CLI for SOPS interop).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/env.sh"

# command -> Debian package
declare -A want=(
  [nats-server]=nats-server
  [git]=git
  [ssh]=openssh-client   # bootstrap over ssh: ssh, ssh-keyscan, ssh-keygen
)
libs=()
if [ "${1:-}" = "--test" ]; then
  want+=(
    [sshd]=openssh-server
    [ssh-keygen]=openssh-client
    [go]=golang-go
    [age]=age
    [openssl]=openssl
  )
  # Debian packages without a command: Go sources the gotemplate oracle builds against
  libs=(
    golang-github-masterminds-sprig-dev
    golang-k8s-sigs-yaml-dev
    golang-github-burntsushi-toml-dev
    golang-golang-x-crypto-dev
  )
fi
missing=()
for cmd in "${!want[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${want[$cmd]}")
done
for pkg in "${libs[@]+"${libs[@]}"}"; do
  [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "moor: installing Debian packages: ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# npm ci when node_modules is missing or older than the lock file.
cd "$root"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi
