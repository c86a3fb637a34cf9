#!/usr/bin/env bash
# The README's test command: installs what is missing, then type-checks and runs every test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/deps.sh" --test
# The real kube-apiserver the end-to-end and conformance tests also run on (built once, cached).
"$root/scripts/kube-real.sh"
. "$root/scripts/env.sh"
cd "$root"
npm run --silent build
npm test
