# Shared by the tests in tests/packages/: counters, the CI rule, the gateway simulator.
# shellcheck shell=bash
# Source after setting $root (repo root) and $work (a scratch dir the caller removes).

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok   - $*"; }
nok() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { # check "what" command...: ok when the command succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else nok "$what"; fi
}
summary() { echo "$passed passed, $failed failed"; ((failed == 0)); }

# Locally a missing real part skips loudly; under CI (CI=true or PAYGENT_REQUIRE_ALL=1) it fails.
skip_or_fail() {
  if [ "${CI:-}" = true ] || [ "${PAYGENT_REQUIRE_ALL:-}" = 1 ]; then
    echo "FAIL - cannot run: $*"; echo "0 passed, 1 failed"; exit 1
  fi
  echo "SKIP (loud): $*"; exit 0
}

sim_pid=""
stop_sim() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; sim_pid=""; fi
}

# Starts paygent-sim (the repo's test tool) on a free loopback port: sets SIM_BASE, SIM_PKI,
# SIM_RECORD.
start_sim() {
  (cd "$root" && cargo build --locked --release -p paygent-sim >"$work/sim-build.log" 2>&1) \
    || { cat "$work/sim-build.log"; return 1; }
  local sim=${CARGO_TARGET_DIR:-$root/target}/release/paygent-sim
  SIM_PKI=$work/pki SIM_RECORD=$work/sim.record
  "$sim" pki --out "$SIM_PKI" >/dev/null || return 1
  : >"$SIM_RECORD"
  "$sim" serve --listen 127.0.0.1:0 --pki "$SIM_PKI" --record "$SIM_RECORD" ${SIM_ARGS:-} \
    --ready-file "$work/sim.port" >"$work/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/sim.port" ] && break; sleep 0.1; done
  [ -s "$work/sim.port" ] || { cat "$work/sim.log"; return 1; }
  SIM_BASE=https://127.0.0.1:$(tr -d '[:space:]' <"$work/sim.port")
}

# A classic modenv_properties.php pointing the card URL at the simulator.
write_modenv() { # $1 = file, $2 = log file
  cat >"$1" <<EOF
<?php
paygentB2Bmodule.client_file_path=$SIM_PKI/client-kit.pem
paygentB2Bmodule.ca_file_path=$SIM_PKI/ca.pem
paygentB2Bmodule.default_id=pkg_connect_id
paygentB2Bmodule.default_password=pkg_connect_pw
paygentB2Bmodule.timeout_value=35
paygentB2Bmodule.log_output_path=$2
paygentB2Bmodule.debug_flg=0
paygentB2Bmodule.select_max_cnt=2000
paygentB2Bmodule.telegram_kind.ref=027,090
paygentB2Bmodule.url.02=$SIM_BASE/n/card/request
?>
EOF
}

# The merchant's card authorisation (020), as official-module code writes it; prints
# "status=<resultStatus> payment_id=<id>" or the error code.
php_card_payment() { # $1 = trading_id
  cat <<EOF
\$p = new PaygentB2BModule();
\$r = \$p->init();
if (\$r !== true) { echo "init=\$r\n"; exit(1); }
\$p->reqPut("merchant_id", "000000001");
\$p->reqPut("telegram_version", "1.0");
\$p->reqPut("telegram_kind", "020");
\$p->reqPut("trading_id", "$1");
\$p->reqPut("payment_amount", "1000");
\$p->reqPut("card_number", "4111111111111111");
\$p->reqPut("card_valid_term", "1230");
\$p->reqPut("payment_class", "10");
\$r = \$p->post();
if (\$r !== true) { echo "post=\$r\n"; exit(1); }
\$d = \$p->resNext();
echo "status=", \$p->getResultStatus(), " payment_id=", \$d["payment_id"] ?? "", "\n";
EOF
}

# The request of this trading_id reached the simulator.
sim_saw() { grep -q "$1" "$SIM_RECORD"; }
