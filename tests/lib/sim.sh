# Sourced by shell tests and benches that run the gateway simulator as a process of their own
# (tests/journal/load.sh, bench/restart.sh, tests/examples/*.sh). The caller sets
#   work    a temp dir it made (the PKI, state, request record, ready file and log go there)
#   target  the cargo target dir of the profile (…/target/release), paygent-sim built in it
#   SIM_ARGS (optional array) more `paygent-sim serve` options, e.g. (--purge-before 999999999999)
# and gets
#   sim_pki              `paygent-sim pki --out $work/pki` (CA, server and client certificates)
#   start_sim ADDR       serve on ADDR (127.0.0.1:0 for a free port); sets sim_pid and port.
#                        State ($work/state.json) and record ($work/requests.jsonl) outlive each
#                        simulator process: start_sim 127.0.0.1:$port after stop_sim is a restart.
#   stop_sim             SIGTERM (the simulator saves its state); 0 when it ended by the signal
#   sim_control NAME [FORM]  POST (with FORM) or GET /sim/NAME with the test client certificate
#                        (sim_control fault 'telegram_kind=020&trading_id=o1&fault=close')
#   sim_configs [NAME]   $work/NAME/modenv_properties.php and $work/NAME/paygent.properties
#                        (default NAME: conf; mode 0600) for the running simulator, every
#                        payment kind's URL, log and journal_dir under $work/NAME
# The caller's EXIT trap should call stop_sim when sim_pid is set.

sim_pid="" port=""

sim_pki() {
    "$target/paygent-sim" pki --out "$work/pki" >/dev/null
}

start_sim() {
    rm -f "$work/sim.port"
    "$target/paygent-sim" serve --listen "$1" --pki "$work/pki" --state "$work/state.json" \
        --record "$work/requests.jsonl" --ready-file "$work/sim.port" ${SIM_ARGS[@]+"${SIM_ARGS[@]}"} \
        >>"$work/sim.log" 2>&1 &
    sim_pid=$!
    local _
    for _ in $(seq 1 400); do
        [ -s "$work/sim.port" ] && break
        kill -0 "$sim_pid" 2>/dev/null || break
        sleep 0.025
    done
    [ -s "$work/sim.port" ] || { cat "$work/sim.log" >&2; return 1; }
    port=$(tr -d '[:space:]' <"$work/sim.port")
}

stop_sim() {
    [ -n "$sim_pid" ] || return 0
    kill -TERM "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
    local status=$?
    sim_pid=""
    [ "$status" -eq 143 ]
}

sim_control() {
    curl -sS --fail --cacert "$work/pki/ca.pem" --cert "$work/pki/client.crt" \
        --key "$work/pki/client.key" "https://127.0.0.1:$port/sim/$1" ${2:+--data "$2"}
}

sim_configs() {
    local dir="$work/${1:-conf}" u="https://127.0.0.1:$port"
    mkdir -p -m 700 "$dir" "$dir/journal"
    # URL keys: PAYGENT's own, by the first two digits of the telegram kind (091–096 by kind).
    cat >"$dir/modenv_properties.php" <<PROPS
<?php
paygentB2Bmodule.client_file_path=$work/pki/client-kit.pem
paygentB2Bmodule.ca_file_path=$work/pki/ca.pem
paygentB2Bmodule.default_id=test_connect_id
paygentB2Bmodule.default_password=test_connect_pw
paygentB2Bmodule.merchant_id=10000
paygentB2Bmodule.timeout_value=10
paygentB2Bmodule.log_output_path=$dir/php.log
paygentB2Bmodule.select_max_cnt=2000
paygentB2Bmodule.telegram_kind.ref=027,090
paygentB2Bmodule.journal_dir=$dir/journal
paygentB2Bmodule.url.02=$u/n/card/request
paygentB2Bmodule.url.091=$u/n/ref/paynotice
paygentB2Bmodule.url.094=$u/n/ref/paymentref
?>
PROPS
    cat >"$dir/paygent.properties" <<PROPS
our \$HTTPS_CERT_FILE = '$work/pki/client.crt';
our \$HTTPS_KEY_FILE = '$work/pki/client.key';
our \$HTTPS_CA_FILE = '$work/pki/ca.pem';
our \$default_id = 'test_connect_id';
our \$default_password = 'test_connect_pw';
our \$merchant_id = '10000';
our \$timeout_value = 10;
our \$log_output_path = '$dir/perl.log';
our \$journal_dir = '$dir/journal';
our %url = ('02' => '$u/n/card/request', '091' => '$u/n/ref/paynotice', '094' => '$u/n/ref/paymentref');
1;
PROPS
    chmod 600 "$dir/modenv_properties.php" "$dir/paygent.properties"
}
