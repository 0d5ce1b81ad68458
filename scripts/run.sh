#!/usr/bin/env bash
# Builds and runs the Hoist desktop app. With a repository path it opens that
# clone; with none it opens the built-in demo: a generated GitOps repository
# whose GitHub is the offline sandbox, so the whole loop works without a network.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
HOIST_SETUP_E2E=0 bash scripts/setup.sh
npm --prefix ui run --silent build
cargo build -p hoist-app --features custom-protocol --locked
if [ -z "${1:-}" ]; then
  # No repository: the app opens its built-in demo (a generated GitOps
  # repository served by the offline GitHub sandbox) and says so on screen.
  exec "$root/target/debug/hoist-app"
fi
exec "$root/target/debug/hoist-app" "$(cd "$1" && pwd)"
