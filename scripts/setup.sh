#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for the console and its tests:
# the MongoDB-wire emulator's packages, Chromium for the browser tests, and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=""
for pkg in python3-mockupdb python3-mongomock chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $need
fi
npm ci --no-audit --no-fund
