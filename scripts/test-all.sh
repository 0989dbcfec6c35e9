#!/usr/bin/env bash
# Every test: lint, typecheck, unit, integration on PGlite and on a real PostgreSQL, then Playwright in
# Debian's Chromium against the built app on a freshly seeded demo school. Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
# Not under test-results/: Playwright empties that folder when it starts.
reports=".test-reports"
rm -rf "$reports" && mkdir -p "$reports"

stage() { printf '\n=== %s ===\n' "$1"; }

stage "lint (eslint, with the app/ -> db/ import boundary)"
npx eslint . --max-warnings 0

stage "typecheck (tsc --noEmit, strict)"
npx tsc --noEmit

stage "unit tests (vitest)"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$reports/unit.json"

stage "integration tests (vitest) on PGlite and PostgreSQL"
REQUIRE_POSTGRES=1 bash scripts/with-postgres.sh npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$reports/integration.json"

stage "build, demo school and browser tests (Playwright, Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/e2e.json" bash scripts/e2e.sh --reporter=list,json

stage "summary"
node scripts/summarise-tests.mjs "$reports"
