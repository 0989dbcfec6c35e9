#!/usr/bin/env bash
# The browser stage: build the app, seed a small demo school into its own PGlite folder, record what the
# CLI reports for it, then run Playwright in Debian's Chromium against `next start`.
# Several people on one machine: run it under `flock /tmp/sqd-e2e.lock bash scripts/e2e.sh` (one .next/).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
export E2E_DATA_DIR="${E2E_DATA_DIR:-.data-e2e}"
cli() { DATA_DIR="$E2E_DATA_DIR" DATABASE_URL= npx tsx lib/cli/main.ts "$@"; }

npx next build
rm -rf "$E2E_DATA_DIR"
cli demo --scale small --anchor 2026-11-27 --no-start
school="$(cli schools | awk 'NR == 1 { print $1 }')"
cli report overview --school "$school" --days 30 --format json >"$E2E_DATA_DIR/expected-overview.json"
cli source add --school "$school" --kind telegram --external-id e2e-bot --secret e2e-telegram-secret-0123456789 >/dev/null
cli report load --school "$(cli schools | awk 'END { print $1 }')" --days 30 --json >"$E2E_DATA_DIR/expected-load.json"
cli report load --school "$school" --days 30 --json >"$E2E_DATA_DIR/expected-load-first.json"
cli report sla --school "$school" --days 30 --group-by role --json >"$E2E_DATA_DIR/expected-sla.json"
cli report categories --school "$school" --days 30 --json >"$E2E_DATA_DIR/expected-categories.json"
cli report csat --school "$school" --days 30 --group-by person --json >"$E2E_DATA_DIR/expected-csat.json"
cli report kpis --school "$school" --days 30 --json >"$E2E_DATA_DIR/expected-kpis.json"
cohort="$(cli report csat --school "$school" --days 30 --group-by cohort --json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const g=JSON.parse(s).groups.filter((x)=>x.key!==null&&x.n>0).sort((a,b)=>b.n-a.n);process.stdout.write(String(g[0]?.key??""))})')"; cli report csat --school "$school" --days 30 --cohort "$cohort" --json >"$E2E_DATA_DIR/expected-csat-cohort.json"; cli report kpis --school "$school" --days 30 --cohort "$cohort" --json >"$E2E_DATA_DIR/expected-kpis-cohort.json"
cli shifts plan --school "$school" --role coordinator >"$E2E_DATA_DIR/expected-shifts.json"
cli report shift-scope --school "$school" --email lead@demo.school >"$E2E_DATA_DIR/expected-shift-scope.json"
for k in unreachable checkins; do cli risk "$k" --school "$school" --as-of 2026-11-27 --format json >"$E2E_DATA_DIR/expected-$k.json"; done
npx playwright test "$@"
