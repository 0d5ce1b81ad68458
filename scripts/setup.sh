#!/usr/bin/env bash
# Installs what Hoist needs to build, run and test on a fresh Debian machine
# that has only Rust, Node and apt. Idempotent: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # Tauri 2 on Linux
  libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  pkg-config git
  # headless end-to-end tests: a virtual display, WebKit's WebDriver, a real Secret Service
  xvfb webkit2gtk-driver dbus-x11 gnome-keyring libsecret-tools
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${HOIST_SETUP_E2E:-1}" = 1 ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' --quiet
fi

# The front end's packages, reinstalled only when the lock file changed.
if [ -f ui/package-lock.json ]; then
  stamp=ui/node_modules/.hoist-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s ui/package-lock.json "$stamp"; then
    echo "setup: installing the UI's npm packages"
    npm ci --prefix ui --no-audit --no-fund --loglevel=error
    cp ui/package-lock.json "$stamp"
  fi
fi
