#!/usr/bin/env bash
# Build Paygent-B2B, start the gateway simulator, run `make test`, stop the simulator.
# Exit status: that of `make test` (non-zero on any failure). Usage: bash perl-xs/run-tests.sh
# Environment: PAYGENT_CARGO_PROFILE (release|debug, default release), TEST_FILES (subset of t/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
profile="${PAYGENT_CARGO_PROFILE:-release}"
target="${CARGO_TARGET_DIR:-$root/target}"
flag=""; [ "$profile" = release ] && flag="--release"

work="$(mktemp -d "${TMPDIR:-/tmp}/paygent-perl-XXXXXX")"
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== build the simulator"
(cd "$root" && cargo build --locked $flag -p paygent-sim)
sim="$target/$profile/paygent-sim"

echo "== start the simulator"
"$sim" pki --out "$work/pki" >/dev/null
"$sim" serve --listen 127.0.0.1:0 --pki "$work/pki" --cases "$root/tests/conformance/cases" \
    --record "$work/record.jsonl" --ready-file "$work/port" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
if [ ! -s "$work/port" ]; then echo "simulator did not start:"; cat "$work/sim.log"; exit 1; fi
export PAYGENT_SIM_PORT="$(cat "$work/port")"
export PAYGENT_PKI="$work/pki"
export PAYGENT_SIM_RECORD="$work/record.jsonl"
export PAYGENT_CASES="$root/tests/conformance/cases"
echo "   listening on 127.0.0.1:$PAYGENT_SIM_PORT"

echo "== perl Makefile.PL && make && make test"
cd "$here"
perl Makefile.PL >/dev/null
make >/dev/null
status=0
make test ${TEST_FILES:+TEST_FILES="$TEST_FILES"} || status=$?
exit "$status"
