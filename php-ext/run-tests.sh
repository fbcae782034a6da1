#!/usr/bin/env bash
# Builds the extension, starts paygent-sim (when it builds), runs the PHPT suite, stops the sim.
# Prints `N passed, N failed` last; exits non-zero on any failure.
# Env: PAYGENT_PROFILE=release for a release build (default debug); PHP (default: php).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
profile=${PAYGENT_PROFILE:-debug}
php=${PHP:-php}
flag=(); [ "$profile" = release ] && flag=(--release)
target=${CARGO_TARGET_DIR:-$root/target}/$profile

cargo build "${flag[@]}" -p paygent-php || { echo "0 passed, 1 failed"; exit 1; }
# PHP loads `extension=paygent.so`; cargo names a cdylib lib<name>.so.
cp -f "$target/libpaygent.so" "$target/paygent.so"

work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-phpt.XXXXXX")
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The simulator: end-to-end tests skip (and say why) when it cannot be built or started.
if cargo build "${flag[@]}" -p paygent-sim >"$work/sim-build.log" 2>&1 && [ -x "$target/paygent-sim" ]; then
  sim="$target/paygent-sim"
  if "$sim" pki --out "$work/pki" >"$work/pki.log" 2>&1; then
    "$sim" serve --listen 127.0.0.1:0 --pki "$work/pki" --cases "$root/tests/conformance/cases" \
      --record "$work/requests.jsonl" --ready-file "$work/sim.port" >"$work/sim.log" 2>&1 &
    sim_pid=$!
    for _ in $(seq 1 200); do
      [ -s "$work/sim.port" ] && break
      kill -0 "$sim_pid" 2>/dev/null || break
      sleep 0.05
    done
    if [ -s "$work/sim.port" ]; then
      export PAYGENT_SIM_PORT=$(tr -d '[:space:]' <"$work/sim.port")
      export PAYGENT_PKI="$work/pki"
      export PAYGENT_SIM_RECORD="$work/requests.jsonl"
      echo "paygent-sim on 127.0.0.1:$PAYGENT_SIM_PORT"
    else
      echo "paygent-sim did not start (end-to-end tests skip):"; cat "$work/sim.log"
    fi
  else
    echo "paygent-sim pki failed (end-to-end tests skip):"; cat "$work/pki.log"
  fi
else
  echo "paygent-sim not available (end-to-end tests skip)"
fi

out="$work/run-tests.out"
NO_INTERACTION=1 "$php" /usr/lib/php/20220829/build/run-tests.php -q --show-diff \
  -d "extension=$target/paygent.so" "$here/tests/" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}

count() { sed -n "s/^Tests $1 *: *\([0-9]*\).*/\1/p" "$out" | head -1; }
passed=$(count passed); failed=$(count failed); skipped=$(count skipped)
passed=${passed:-0}; failed=${failed:-0}
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${skipped:-0} skipped"
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
