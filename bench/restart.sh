#!/usr/bin/env bash
# bench/restart.sh — the figure "gateway restart under load" of docs/performance.md (issue 20
# item 3): the same card-payment load (020) from several PHP CLI processes, run with the old
# default retry_not_sent=0 (the official module's behaviour) and with the new default 2, while
# the simulator is restarted once in the middle of each load (SIGTERM, down for DOWN seconds,
# started again on the same port with the same --state FILE). For each setting and downtime it
# prints the orders paid, failed not_sent, failed maybe_sent, and charged (the simulator's own
# state at the end).
#
# It prints, it does not judge the figures: exit 0 whatever they are; non-zero on a harness error
# (build, simulator, a worker that did not report every order) or when an order reported failed
# not_sent was charged (that would be a module bug).
#
# Environment: WORKERS (default 4), ORDERS per worker (default 250), DOWNS (seconds the
# simulator stays down, default "0.1 1"), ROUNDS (default 2: each round runs both settings, the
# order alternating), PHP (default php), KEEP=1 (keep the work dir). A full run takes about one
# minute after the build.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
target=${CARGO_TARGET_DIR:-$root/target}/release
workers=${WORKERS:-4}
orders=${ORDERS:-250}
downs=${DOWNS:-0.1 1}
rounds=${ROUNDS:-2}
php=${PHP:-php}

command -v "$php" >/dev/null || { echo "bench/restart.sh: $php not found (php8.2-cli)" >&2; exit 2; }
cargo build --locked --release -p paygent-php -p paygent-sim >&2 || exit 2
cp -f "$target/libpaygent.so" "$target/paygent.so"

work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-restart.XXXXXX")
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; fi
    if [ "${KEEP:-0}" = 1 ]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# start_sim / stop_sim: the state and the request record outlive each simulator process.
SIM_ARGS=(--purge-before 999999999999)
. "$root/tests/lib/sim.sh"
sim_pki || exit 2
start_sim 127.0.0.1:0 || { echo "bench/restart.sh: the simulator did not start" >&2; exit 2; }

# One configuration per setting; only retry_not_sent differs.
for retry in 0 2; do
    cat >"$work/retry$retry.php" <<PROPS
<?php
paygentB2Bmodule.client_file_path=$work/pki/client-kit.pem
paygentB2Bmodule.ca_file_path=$work/pki/ca.pem
paygentB2Bmodule.default_id=test_connect_id
paygentB2Bmodule.default_password=test_connect_pw
paygentB2Bmodule.timeout_value=10
paygentB2Bmodule.log_output_path=
paygentB2Bmodule.select_max_cnt=2000
paygentB2Bmodule.journal_dir=off
paygentB2Bmodule.retry_not_sent=$retry
paygentB2Bmodule.url.02=https://127.0.0.1:$port/n/card/request
?>
PROPS
    chmod 600 "$work/retry$retry.php"
done

# A merchant's checkout loop: a fresh module object per order, the process's connection pool
# kept between orders; the simulator takes 0–10 ms per payment (so that the restart finds
# telegrams in flight). One line per order: "paid ID", "maybe_sent ID", "not_sent ID".
cat >"$work/worker.php" <<'PHP'
<?php
[, $prefix, $count] = $argv;
mt_srand(crc32($prefix));
for ($i = 1; $i <= (int) $count; $i++) {
    $tid = "$prefix-$i";
    $p = new PaygentB2BModule();
    $p->init();
    foreach (['merchant_id' => '10000', 'telegram_kind' => '020', 'trading_id' => $tid,
              'payment_amount' => (string) (1000 + $i), 'card_number' => '4111111111111111',
              'card_valid_term' => '1230', 'sim_fault' => 'delay:' . mt_rand(0, 10)] as $k => $v) {
        $p->reqPut($k, $v);
    }
    $r = $p->post();
    if ($r === true && $p->getResultStatus() === '0') {
        echo "paid $tid\n";
    } else {
        echo ($p->getFailurePhase() ?: 'answered'), " $tid\n";
    }
}
PHP

total=$((workers * orders))
: >"$work/requests.jsonl"
# $1 = retry_not_sent, $2 = seconds down, $3 = run label: the load, one restart at 40 %.
run_load() {
    local retry=$1 down=$2 label=$3 pids=() w before
    before=$(wc -l <"$work/requests.jsonl")
    for w in $(seq 1 "$workers"); do
        "$php" -n -d display_errors=stderr -d "extension=$target/paygent.so" \
            -d "paygent.properties_file=$work/retry$retry.php" \
            "$work/worker.php" "$label-w$w" "$orders" >"$work/out.$label.$w" 2>"$work/err.$label.$w" &
        pids+=($!)
    done
    while [ $(($(wc -l <"$work/requests.jsonl") - before)) -lt $((total * 40 / 100)) ]; do
        local running=0 p
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
        [ "$running" = 1 ] || { echo "bench/restart.sh: the load ended before the restart" >&2; return 1; }
        sleep 0.01
    done
    local t0 t1
    t0=$(date +%s.%N)
    stop_sim
    sleep "$down"
    start_sim "127.0.0.1:$port" || { echo "bench/restart.sh: the simulator did not restart" >&2; return 1; }
    t1=$(date +%s.%N)
    wait "${pids[@]}"
    echo "$label $retry $down $(echo "$t1 - $t0" | bc)" >>"$work/runs"
}

: >"$work/runs"
for round in $(seq 1 "$rounds"); do
    for down in $downs; do
        # Alternate which setting goes first, so that a drift of the machine hits both alike.
        settings="0 2"; [ $((round % 2)) = 0 ] && settings="2 0"
        for retry in $settings; do
            run_load "$retry" "$down" "r$round-d${down/./_}-retry$retry-$$" || exit 1
        done
    done
done
stop_sim

perl -MJSON::PP -e '
use strict; use warnings;
my ($work, $total, $workers, $orders) = @ARGV;
sub lines { my $f = shift; open my $fh, "<", $f or return (); my @l = <$fh>; chomp @l; @l }
my $state = decode_json(join "", lines("$work/state.json"));
my %charged;
$charged{$_->{trading_id}}++ for @{ $state->{payments} };
my (%sum, @order, $bad);
for (lines("$work/runs")) {
    my ($label, $retry, $down, $outage) = split / /;
    my %n = (paid => 0, not_sent => 0, maybe_sent => 0, answered => 0, charged => 0, orders => 0);
    for my $w (1 .. $workers) {
        for (lines("$work/out.$label.$w")) {
            my ($what, $tid) = split / /;
            $n{orders}++;
            $n{$what}++;
            $n{charged}++ if $charged{$tid};
            if ($what eq "not_sent" && $charged{$tid}) { print STDERR "BUG: $tid failed not_sent yet charged\n"; $bad++ }
            if (($charged{$tid} // 0) > 1) { print STDERR "BUG: $tid charged $charged{$tid} times\n"; $bad++ }
        }
    }
    if ($n{orders} != $total) { print STDERR "$label: $n{orders} of $total orders reported\n"; $bad++ }
    my $key = "$down $retry";
    push @order, $key unless $sum{$key};
    push @{ $sum{$key}{runs} }, { %n, outage => $outage };
}
printf "%-22s %-15s %-7s %-14s %-18s %-20s %s\n", "simulator down", "retry_not_sent", "orders",
    "failed (all)", "failed not_sent", "failed maybe_sent", "charged";
for my $key (sort { $a cmp $b } @order) {
    my ($down, $retry) = split / /, $key;
    my @r = @{ $sum{$key}{runs} };
    my $list = sub { my $f = shift; join " / ", map { $_->{$f} } @r };
    my $failed = join " / ", map { $_->{not_sent} + $_->{maybe_sent} + $_->{answered} } @r;
    my $outage = join " / ", map { sprintf "%.2f", $_->{outage} } @r;
    printf "%-22s %-15s %-7s %-14s %-18s %-20s %s\n", "${down} s (${outage} s)",
        $retry . ($retry eq "0" ? " (old)" : " (new)"), $total, $failed, $list->("not_sent"),
        $list->("maybe_sent"), $list->("charged");
}
exit($bad ? 1 : 0);
' "$work" "$total" "$workers" "$orders"
