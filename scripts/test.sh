#!/usr/bin/env bash
# Runs every check and test of Hoist: formatting, lints, the Rust suites (engine,
# CLI, fixtures, bindings), the UI's type check, lint and component tests, and
# the end-to-end tests that drive the real app window under Xvfb.
# Ends with one line: `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
# A clean run gains nothing from incremental caches; they only cost disk.
export CARGO_INCREMENTAL=0

passed=0
failed=0
failures=()
log_dir=$(mktemp -d)

# A check that is not a test runner: it counts as one passed or failed test.
check() {
  local name=$1; shift
  echo "== $name"
  if "$@" >"$log_dir/$name.log" 2>&1; then
    passed=$((passed + 1))
  else
    cat "$log_dir/$name.log"
    failed=$((failed + 1)); failures+=("$name")
  fi
}

# cargo test: add up every `test result:` line.
cargo_tests() {
  local name=$1; shift
  echo "== $name"
  local out="$log_dir/$name.log"
  "$@" 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]}
  local p f
  p=$(awk '/^test result:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^passed/) s += $i } END { print s + 0 }' "$out")
  f=$(awk '/^test result:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^failed/) s += $i } END { print s + 0 }' "$out")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$status" != 0 ]; then
    failures+=("$name")
    [ "${f:-0}" -gt 0 ] || failed=$((failed + 1))
  fi
}

check fmt cargo fmt --all -- --check

if [ -f ui/package.json ]; then
  check ui-typecheck npm --prefix ui run --silent check
  check ui-lint npm --prefix ui run --silent lint
  echo "== ui-tests"
  ui_run() {
    NO_COLOR=1 npm --prefix ui test -- --reporter=verbose >"$log_dir/ui.log" 2>&1
    ui_status=$?
    cat "$log_dir/ui.log"
    # Vitest's summary line, e.g. "      Tests  6 passed (6)", colour codes stripped.
    summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log_dir/ui.log" | grep -E '^\s+Tests\s.*[0-9]+ (passed|failed)' | tail -1)
  }
  ui_run
  # No summary means the runner itself broke before reporting (a worker that
  # did not start), not that a test failed: keep that log and run once more.
  if [ "$ui_status" != 0 ] && [ -z "$summary" ]; then
    cp "$log_dir/ui.log" "$log_dir/ui-first.log"
    echo "ui-tests: vitest ended without a summary (exit $ui_status); running it once more"
    ui_run
  fi
  up=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' | head -1)
  uf=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' | head -1)
  passed=$((passed + ${up:-0})); failed=$((failed + ${uf:-0}))
  if [ "$ui_status" != 0 ]; then failures+=(ui-tests); [ "${uf:-0}" -gt 0 ] || failed=$((failed + 1)); fi
  # The app embeds the built front end; the end-to-end tests drive that binary.
  check ui-build npm --prefix ui run --silent build
fi

# After the UI build: the app embeds ui/dist at compile time. The same
# features everywhere, so clippy, the build and the tests share one tauri build.
features=(--features hoist-app/custom-protocol)
check clippy cargo clippy --workspace --all-targets --locked "${features[@]}" -- -D warnings
check app-build cargo build -p hoist-app --locked "${features[@]}"
export HOIST_APP="$root/target/debug/hoist-app"

# Keyring tests talk to a real Secret Service: gnome-keyring inside a private D-Bus session.
cargo_tests cargo-test dbus-run-session -- bash scripts/with-keyring.sh cargo test --workspace --locked --no-fail-fast "${features[@]}"

# Repeat what failed at the end, where a truncated CI log still shows it.
for name in "${failures[@]}"; do
  case $name in
    ui-tests) log="$log_dir/ui.log" ;;
    *) log="$log_dir/$name.log" ;;
  esac
  echo
  echo "== what $name printed last"
  if [ "$name" = cargo-test ]; then
    # Each failing test's own output, then cargo's list of failures.
    grep -E -A30 '^---- .* stdout ----$|^error(\[|:)' "$log" | head -150
  else
    tail -60 "$log"
  fi
done
[ -f "$log_dir/ui-first.log" ] && { echo; echo "== the first vitest run, which ended without a summary"; tail -40 "$log_dir/ui-first.log"; }
echo
if ((${#failures[@]})); then echo "failed: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
