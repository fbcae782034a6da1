#!/usr/bin/env bash
# bench/notices.sh — `paygent notices sync` draining 10,000 notices into each store, beside the
# bare 091 loop through the module (paygent-bench notices: same loop, no database), measured in
# the same run, alternately, ROUNDS times; the figure is the median.
#
# Goals (issue 11): SQLite <= 1.2x the bare loop; PostgreSQL and MariaDB <= 1.5x.
# It prints, it does not judge: exit 0 even when a goal is missed; non-zero on harness errors.
#
# Two tables. "one CPU": the simulator, the client and the database servers pinned to one CPU,
# as bench/run.sh does (on this project's VMs a ping-pong across two cores pays a hypervisor
# wake-up per hop): the figures are the CPU cost of everything, the database's work included,
# nothing overlaps. "all CPUs": nothing pinned: wall time as a 2-core host sees it, where the
# sync's writer thread commits notice N while the telegram for N+1 is on the wire.
# The database servers are the throwaway ones of tests/notices/servers.sh (PostgreSQL without
# fsync, MariaDB with innodb_flush_log_at_trx_commit=2 and buffered log writes; the sync session
# runs PostgreSQL with synchronous_commit=off and SQLite in WAL with synchronous=NORMAL).
#
# Environment: NOTICES=10000, ROUNDS=3, BENCH_KEEP=1 (keep the work dir),
#              BENCH_MODES="one all" (which tables).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 2
NOTICES=${NOTICES:-10000}
ROUNDS=${ROUNDS:-3}
target=${CARGO_TARGET_DIR:-$root/target}/release

say() { printf '%s\n' "$*" >&2; }
fatal() { say "HARNESS ERROR: $*"; exit 2; }

command -v taskset >/dev/null || fatal "taskset (util-linux) is needed"
one_cpu=$(($(nproc) - 1))
all_cpus="0-$one_cpu"
PIN=""

work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-bench-notices.XXXXXX")
chmod 755 "$work"
sim_pid=""
. "$root/tests/notices/servers.sh"
cleanup() {
    [ -n "$sim_pid" ] && { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
    stop_servers
    if [ "${BENCH_KEEP:-0}" = 1 ]; then say "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building (release): paygent-cli paygent-sim paygent-bench"
cargo build --locked -q --release -p paygent-cli -p paygent-sim -p paygent-bench || fatal "cargo build failed"

"$target/paygent-sim" pki --out "$work/pki" || fatal "pki"
"$target/paygent-sim" serve --listen 127.0.0.1:0 --pki "$work/pki" --ready-file "$work/port" \
    --seed-notices "$NOTICES" --keep-alive-timeout 60 >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port" 2>/dev/null) || fatal "the simulator did not start"
cat >"$work/modenv_properties.php" <<CONF
<?php
paygentB2Bmodule.client_file_path=$work/pki/client-kit.pem
paygentB2Bmodule.ca_file_path=$work/pki/ca.pem
paygentB2Bmodule.default_id=bench_connect_id
paygentB2Bmodule.default_password=bench_connect_pw
paygentB2Bmodule.merchant_id=10000
paygentB2Bmodule.timeout_value=35
paygentB2Bmodule.log_output_path=
paygentB2Bmodule.select_max_cnt=2000
paygentB2Bmodule.telegram_kind.ref=027,090
paygentB2Bmodule.url.091=https://127.0.0.1:$port/n/ref/paynotice
?>
CONF
chmod go-w "$work/modenv_properties.php" "$work"/pki/*  # paygent refuses files others could write

stores=(sqlite)
start_pg && stores+=(postgres) || say "PostgreSQL did not start: not measured"
start_mariadb && stores+=(mariadb) || say "MariaDB did not start: not measured"
pg_admin=${PAYGENT_TEST_PG_URL:-}
my_admin=${PAYGENT_TEST_MYSQL_URL:-}

# fresh_db STORE N: the URL of an empty, initialised database for run N.
fresh_db() {
    local url
    case $1 in
        sqlite) url="sqlite:$work/bench-$2.db" ;;
        postgres)
            local hp=${pg_admin#postgres://paygent@}; hp=${hp%%/*}
            psql -q -h "${hp%:*}" -p "${hp#*:}" -U paygent -d postgres -c "CREATE DATABASE bench_$2" >/dev/null || return 1
            url="postgres://paygent@$hp/bench_$2" ;;
        mariadb)
            local hp=${my_admin#mysql://paygent@}; hp=${hp%%/*}
            mariadb --no-defaults -h "${hp%:*}" -P "${hp#*:}" -upaygent -e "CREATE DATABASE bench_$2 CHARACTER SET utf8mb4" || return 1
            url="mysql://paygent@$hp/bench_$2" ;;
    esac
    "$target/paygent" notices init --db "$url" >/dev/null || return 1
    echo "$url"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# pin CPUS: move the simulator and the database servers (every thread, every process) there.
pin() {
    local pids=("$sim_pid")
    [ -f "$work/pg/postmaster.pid" ] && pids+=($(head -1 "$work/pg/postmaster.pid"))
    [ -f "$work/my/pid" ] && pids+=($(cat "$work/my/pid"))
    local p c
    for p in "${pids[@]}"; do
        taskset -a -p -c "$1" "$p" >/dev/null || fatal "taskset -p $p"
        for c in $(pgrep -P "$p"); do taskset -a -p -c "$1" "$c" >/dev/null 2>&1; done
    done
}

run_no=0
for mode in ${BENCH_MODES:-one all}; do
    cpus=$all_cpus; [ "$mode" = one ] && cpus=$one_cpu
    pin "$cpus"
    declare -A T=()
    for round in $(seq 1 "$ROUNDS"); do
        line=$(taskset -c "$cpus" "$target/paygent-bench" notices --config "$work/modenv_properties.php") || fatal "bare loop failed"
        n=$(sed -n 's/.*notices=\([0-9]*\).*/\1/p' <<<"$line")
        [ "$n" = "$NOTICES" ] || fatal "bare loop: $line"
        T[bare]+="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line") "
        for s in "${stores[@]}"; do
            run_no=$((run_no + 1))
            url=$(fresh_db "$s" "$run_no") || fatal "$s: cannot create a database"
            out=$(taskset -c "$cpus" "$target/paygent" notices sync --config "$work/modenv_properties.php" --db "$url" 2>"$work/err") \
                || fatal "$s: sync failed: $(cat "$work/err") $out"
            grep -q "stored=$NOTICES " <<<"$out" || fatal "$s: $out"
            T[$s]+="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out") "
        done
        say "$mode: round $round/$ROUNDS done"
    done
    bare=$(tr ' ' '\n' <<<"${T[bare]}" | grep . | median)
    if [ "$mode" = one ]; then title="one CPU ($one_cpu): CPU cost, nothing overlaps"; else title="all CPUs ($all_cpus), unpinned: wall time"; fi
    printf '\n%s — %s notices, median of %s rounds\n' "$title" "$NOTICES" "$ROUNDS"
    printf '%-10s %10s %14s %8s %7s  %s\n' case seconds "µs/notice" ratio goal verdict
    printf '%-10s %10.2f %14.1f %8s %7s  %s\n' "bare 091" "$bare" "$(awk "BEGIN { print $bare * 1e6 / $NOTICES }")" "1.00" "-" "(baseline, same run)"
    for s in "${stores[@]}"; do
        t=$(tr ' ' '\n' <<<"${T[$s]}" | grep . | median)
        goal=1.5; [ "$s" = sqlite ] && goal=1.2
        ratio=$(awk "BEGIN { printf \"%.2f\", $t / $bare }")
        verdict=$(awk "BEGIN { print ($ratio <= $goal) ? \"met\" : \"NOT met\" }")
        printf '%-10s %10.2f %14.1f %8s %7s  %s\n' "$s" "$t" "$(awk "BEGIN { print $t * 1e6 / $NOTICES }")" "${ratio}x" "${goal}x" "$verdict"
    done
done
