#!/usr/bin/env bash
# depictio's own v0.8.2 seed folders (test data in ../shared, never in the project): the seed plan,
# then a full seeding by 8 racing workers on an embedded database of its own, then the audit.
# Skipped, saying so, where ../shared is not there (CI always has it).
set -euo pipefail
cd "$(dirname "$0")/.."
REF=../shared/reference/depictio-v0.8.2
if [ ! -d "$REF" ]; then
  echo "reference seeds: $REF not found, skipped"
  exit 0
fi
npm run --silent seeds -- check --seeds "$REF"

log=$(mktemp)
# In a session of its own, so that the exit stops the whole group (npm, tsx, the emulator), not
# only npm: the emulator outlived the script before and ran through the whole test suite.
setsid npm run --silent db > "$log" 2>&1 &
db_pid=$!
trap 'kill -- -"$db_pid" 2>/dev/null || kill "$db_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 150); do
  uri=$(sed -n 's/^MONGODB_URI=//p' "$log" | head -n 1)
  [ -n "$uri" ] && break
  sleep 0.2
done
[ -n "${uri:-}" ] || { echo "reference seeds: the embedded database did not start"; cat "$log"; exit 1; }

export MONGODB_URI="$uri" MONGODB_DB=depictio_reference SEEDS_DIR="$REF"
export ADMIN_PASSWORD=reference-admin-password TEST_USER_PASSWORD=reference-viewer-password
report=$(npm run --silent workers -- -n 8 --wipe --generation ci-reference --json | tail -n 1)
echo "reference seeds: $report"
node -e '
  const v = JSON.parse(process.argv[1]);
  const want = { acquired: 1, wipes: 1, projects: 3, dashboards: 5, invalid_components: 0, pass: true };
  const wrong = Object.entries(want).filter(([k, x]) => v[k] !== x);
  if (wrong.length) { console.error("reference seeds: expected", want, "got", v); process.exit(1); }
' "$report"
npm run --silent audit

# One reference project reseeded in place: the run completes and the audit still finds no error.
reseed=$(npm run --silent reseed -- --project 646b0f3c1e4a2d7f8e5b8c9a --yes --json | tail -n 1)
node -e '
  const r = JSON.parse(process.argv[1]);
  if (r.outcome !== "acquired" || r.counts?.projects !== 1) { console.error("reference seeds: per-project reseed of iris:", r); process.exit(1); }
  console.log(`reference seeds: iris reseeded in place by ${r.run_id} (fence ${r.fence}), wrote ${JSON.stringify(r.counts)}`);
' "$reseed"
npm run --silent audit > /dev/null
