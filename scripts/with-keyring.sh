#!/usr/bin/env bash
# Inside a D-Bus session: start gnome-keyring's Secret Service with an unlocked
# login keyring, then run the given command.
set -euo pipefail
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
printf '' | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
exec "$@"
