#!/usr/bin/env bash
# Builds and runs the Hoist desktop app. With a repository path it opens that
# clone; with none it opens a generated GitOps repository (the branch-helm
# fixture) so there is something real to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
HOIST_SETUP_E2E=0 bash scripts/setup.sh
npm --prefix ui run --silent build
cargo build -p hoist-app --features custom-protocol --locked
repo=${1:-}
if [ -z "$repo" ]; then
  repo="$root/target/demo-repo"
  if [ ! -d "$repo/.git" ]; then
    rm -rf "$repo.tmp" && mkdir -p "$repo.tmp"
    (cd "$repo.tmp" && bash "$root/tests/fixtures/branch-helm.sh" "$repo.tmp" >/dev/null)
    mv "$repo.tmp" "$repo"
  fi
  echo "run: no repository given; opening the generated example at $repo"
fi
exec "$root/target/debug/hoist-app" "$(cd "$repo" && pwd)"
