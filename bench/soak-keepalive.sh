#!/usr/bin/env bash
# Keep-alive soak (issue 12): telegrams spaced 0.9–1.1 s apart against a simulator that closes
# idle connections after 1 s, once announcing it (`Keep-Alive: timeout=1`, as Apache does) and
# once closing silently (the baseline of the same run). Decision 18 forbids resending, so any
# connection the server closes while a telegram is written would be a failure.
# Usage: bench/soak-keepalive.sh [COUNT] (default 120: about 2 × 2 minutes; the issue's full
# form is 10000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-120}
cd "$root"
cargo build --release -q -p paygent-sim -p paygent-bench
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-soak.XXXXXX")
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
sim=target/release/paygent-sim
"$sim" pki --out "$work/pki" >/dev/null
run() {
  local name=$1 label=$2; shift 2
  "$sim" serve --listen 127.0.0.1:0 --pki "$work/pki" --keep-alive-timeout 1 "$@" \
    --ready-file "$work/$name.port" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$work/$name.port" ] && break; sleep 0.05; done
  local port; port=$(cat "$work/$name.port")
  cat >"$work/$name.php" <<PROPS
<?php
paygentB2Bmodule.client_file_path=$work/pki/client-kit.pem
paygentB2Bmodule.ca_file_path=$work/pki/ca.pem
paygentB2Bmodule.default_id=id
paygentB2Bmodule.default_password=pw
paygentB2Bmodule.timeout_value=10
paygentB2Bmodule.log_output_path=
paygentB2Bmodule.select_max_cnt=2000
paygentB2Bmodule.telegram_kind.ref=027,090
paygentB2Bmodule.url.02=https://127.0.0.1:$port/n/card/request
?>
PROPS
  printf '%-40s ' "$label"
  target/release/paygent-bench soak --config "$work/$name.php" --count "$count" --gap-ms 900:1100 2>"$work/$name.err"
}
run announced "announced (Keep-Alive: timeout=1)"
run silent "silent close (baseline)" --no-keep-alive-header
