#!/usr/bin/env bash
# Measures Hoist's cold start (process start until the first screen is
# interactive) and the memory of the app with its WebKit processes, on the
# demo and on the large benchmark repository, with the release build under
# Xvfb. Prints a Markdown table for the README.
#
#   bash scripts/measure-startup.sh [--runs N]
#
# The large repositories are the ones `cargo run -p hoist-bench --release`
# generates (300 apps with 100,000 commits, and with `--preset monorepo`
# 5,000 apps on 12 environments); they are generated here if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
if [ "${1:-}" = "--runs" ]; then runs=$2; fi
export PATH="$HOME/.cargo/bin:$PATH"

npm --prefix ui run --silent build >/dev/null
cargo build --release --locked -q -p hoist-app --features custom-protocol
app=target/release/hoist-app
large=.bench/gitops-300apps-100000commits-seed42
if [ ! -d "$large/.git" ]; then
  cargo run --release --locked -q -p hoist-bench -- --runs 1 >/dev/null
fi
monorepo=.bench/gitops-5000apps-30000commits-seed42-12envs
if [ ! -d "$monorepo/.git" ]; then
  cargo run --release --locked -q -p hoist-bench -- --preset monorepo --runs 1 >/dev/null
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CACHE_HOME=$scratch/cache XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data

# One start: prints "startup_ms=… rss_kb=… pss_kb=…".
once() {
  HOIST_MEASURE_STARTUP=1 timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" "$app" "$@" 2>/dev/null | grep '^startup_ms='
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

measure() {
  local label=$1; shift
  local out
  out=$(for _ in $(seq "$runs"); do once "$@"; done)
  local ms rss pss
  ms=$(grep -o 'startup_ms=[0-9]*' <<<"$out" | cut -d= -f2 | median)
  rss=$(grep -o 'rss_kb=[0-9]*' <<<"$out" | cut -d= -f2 | median)
  pss=$(grep -o 'pss_kb=[0-9]*' <<<"$out" | cut -d= -f2 | median)
  printf '| %s | %s ms | %s MB | %s MB |\n' "$label" "$ms" "$((pss / 1024))" "$((rss / 1024))"
}

first=$(once)
echo "demo, first run (generates the demo repository): ${first}"
echo
echo "Median of $runs runs, release build, Xvfb, $(nproc) cores:"
echo
echo "| repository | start to interactive matrix | memory (PSS, app + WebKit) | memory (RSS sum) |"
echo "|---|---|---|---|"
measure "demo (12 apps, 4 environments, 400 commits)" 
measure "large benchmark (300 apps, 4 environments, 100,000 commits)" "$large"
measure "monorepo (5,000 apps, 12 environments, 30,000 commits)" "$monorepo"
