#!/usr/bin/env bash
# Runs test files N times in a row, each time in a fresh Vitest process (a fresh emulator, fresh
# timing), and stops at the first failure: how an interleaving test shows it does not pass by luck.
#   scripts/repeat-tests.sh 20 tests/integration/interleaving.test.ts
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:?usage: scripts/repeat-tests.sh N TEST_FILE...}"
shift
[[ $# -gt 0 ]] || { echo "usage: scripts/repeat-tests.sh N TEST_FILE..." >&2; exit 2; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for ((i = 1; i <= runs; i++)); do
  started=$(date +%s)
  if ! NO_COLOR=1 npx vitest run "$@" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "run $i of $runs failed; $((i - 1)) in a row passed" >&2
    exit 1
  fi
  echo "run $i of $runs passed ($(grep -aoE 'Tests +[^(]*' "$log" | tail -n 1 | tr -s ' '), $(($(date +%s) - started)) s)"
done
echo "$runs of $runs runs passed in a row: $*"
