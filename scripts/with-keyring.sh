#!/usr/bin/env bash
# Inside a D-Bus session: start gnome-keyring's Secret Service with an unlocked
# login keyring, then run the given command.
set -euo pipefail
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
# A non-empty password: with an empty one gnome-keyring creates no login
# keyring, so there is no default collection to store items in.
printf 'hoist-test' | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
exec "$@"
