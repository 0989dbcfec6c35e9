#!/usr/bin/env bash
# `npm run bench`: the bench (bench/run.ts) on a throw-away PostgreSQL 15 configured like a server that
# was sized for its machine (24 GiB here): a 10 M-message school does not fit the stock 128 MB of
# shared buffers, and index builds and hash joins of a bulk load want more than 4 MB of work memory.
# Durability settings stay as scripts/with-postgres.sh sets them for tests (fsync off): the figures are
# CPU and memory bound, which is what the targets are about. Override with PG_EXTRA_OPTS.
set -euo pipefail
export PG_EXTRA_OPTS="${PG_EXTRA_OPTS:--c shared_buffers=4GB -c effective_cache_size=16GB -c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=16GB -c checkpoint_timeout=30min -c wal_level=minimal -c max_wal_senders=0 -c jit=off}"
# The page data functions are timed in this process with the production server's V8 flags
# (lib/server/launch.ts serverNodeFlags, package.json "start"): with V8's default young generation the
# live queue spent ~15 % more CPU per poll in garbage collection than the server does.
exec bash "$(dirname "$0")/with-postgres.sh" node --max-semi-space-size=32 --import tsx bench/run.ts "$@"
