#!/usr/bin/env bash
# Builds the real kube-apiserver (v1.20, from Debian's source package) that the conformance
# test in test/kube-embedded compares the embedded server with, when it is not built yet.
# About 5 minutes once; cached outside the checkout (KUBE_REAL_HOME, default ~/.cache/kube-real).
# Without ../shared (a clone outside the workspace) the comparison skips, saying so; a build that
# fails fails CI, since CI must run the comparison.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/../shared/tools/kube-real/build.sh"
if [ ! -f "$build" ]; then
  echo "moor: $build not found: the kube-real comparison will be skipped" >&2
  exit 0
fi
bash "$build" >&2 || { echo "moor: building kube-real with $build failed" >&2; exit 1; }
