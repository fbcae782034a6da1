#!/usr/bin/env bash
# Every maybe_sent resolved (issue 20 item 4, issue 21 item 8), with real PHP and Perl processes:
# card payments (020) from several PHP CLI and Perl processes at once against paygent-sim, which
# is restarted twice in the middle of the load (SIGTERM, then started again on the same port with
# the same --state FILE). Some telegrams carry simulator faults (processed then reply lost; reply
# lost without processing), the others a short processing delay, so that the restarts catch
# telegrams in flight. Then:
#   1. `paygent confirm --pending --jsonl` (default settle time): every journaled telegram the
#      gateway has is resolved "processed"; the ones it does not have stay pending; exit 1;
#   2. `paygent confirm --pending --settle 0`: nothing is left pending, exit 0 (the simulator
#      processes a telegram before answering, so none is in flight once the workers ended: no
#      settle time is needed here; production keeps the default 10 minutes);
#   3. the orders found "not processed" are sent again (safe to retry);
#   4. against the simulator's final state file: every order is charged exactly once (paid,
#      processed, or retried) or provably not charged (not_sent, declined), every maybe_sent
#      order is in the journal exactly once, the journal holds nothing else and no card data,
#      and every line of the request record is whole JSON.
# Env: PAYGENT_PROFILE (release|debug, default release), WORKERS (per language, default 3),
# ORDERS (per worker, default 200), PHP. Under CI=true or PAYGENT_REQUIRE_ALL=1 a missing php or
# a Perl module that does not build fails instead of skipping that language.
# Prints "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
profile=${PAYGENT_PROFILE:-release}
flag=(); [ "$profile" = release ] && flag=(--release)
target=${CARGO_TARGET_DIR:-$root/target}/$profile
workers=${WORKERS:-3}
orders=${ORDERS:-200}
php=${PHP:-php}
required=0
{ [ "${CI:-}" = true ] || [ -n "${PAYGENT_REQUIRE_ALL:-}" ]; } && required=1

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1${2:+: $2}"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-journal.XXXXXX")
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; fi
    if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "kept for inspection: $work"; fi
    echo "$passed passed, $failed failed"
}
trap cleanup EXIT

cargo build "${flag[@]}" -p paygent-php -p paygent-sim -p paygent-cli \
    || { nok "build"; exit 1; }
cp -f "$target/libpaygent.so" "$target/paygent.so"

languages=()
if command -v "$php" >/dev/null; then
    languages+=(php)
elif [ "$required" = 1 ]; then
    nok "php not installed (required under CI)"
else
    echo "SKIP - php not installed"
fi
if (cd "$root/perl-xs" && perl Makefile.PL && make) >"$work/perl-build.log" 2>&1; then
    languages+=(perl)
elif [ "$required" = 1 ]; then
    cat "$work/perl-build.log"; nok "perl: the XS module did not build (required under CI)"
else
    echo "SKIP - the Perl module did not build"
fi
[ "${#languages[@]}" -gt 0 ] || { nok "neither PHP nor Perl can run"; exit 1; }

# start_sim / stop_sim / sim_pki: the state and the record outlive each simulator process.
. "$root/tests/lib/sim.sh"
sim_pki || { nok "simulator pki"; exit 1; }
# SIGTERM: the simulator saves its state and ends by the signal.
stop_sim_checked() {
    stop_sim || nok "the simulator ends by SIGTERM"
}
start_sim 127.0.0.1:0 || { nok "simulator did not start"; exit 1; }

# $work/conf: both configurations, the logs and the journal (tests/lib/sim.sh).
sim_configs conf

# One worker: ARGV = order prefix, number of orders, and "retry" to send without faults.
# One line per order: "paid ID PAYMENT_ID", "maybe_sent ID", "failed ID PHASE CODE".
cat >"$work/worker.php" <<'PHP'
<?php
[, $prefix, $count] = $argv;
$retry = ($argv[3] ?? '') === 'retry';
mt_srand(crc32($prefix));
$ids = $retry ? array_slice($argv, 4) : array_map(fn($i) => "$prefix-$i", range(1, (int) $count));
foreach ($ids as $n => $tid) {
    $i = $n + 1;
    $fault = $retry ? '' : ($i % 50 === 0 ? 'close' : ($i % 40 === 0 ? 'processed:reset' : 'delay:' . mt_rand(0, 30)));
    $p = new PaygentB2BModule();
    $p->init();
    foreach (['merchant_id' => '10000', 'telegram_kind' => '020', 'trading_id' => $tid,
              'payment_amount' => (string) (1000 + $i), 'card_number' => '4111111111111111',
              'card_valid_term' => '1230', 'sim_fault' => $fault] as $k => $v) {
        if ($v !== '') $p->reqPut($k, $v);
    }
    $r = $p->post();
    if ($r === true && $p->getResultStatus() === '0') {
        echo "paid $tid ", $p->resNext()['payment_id'], "\n";
    } elseif ($p->getFailurePhase() === 'maybe_sent') {
        echo "maybe_sent $tid\n";
    } else {
        echo "failed $tid ", ($p->getFailurePhase() ?: 'answered'), ' ', ($r === true ? $p->getResponseCode() : $r), "\n";
    }
}
PHP
cat >"$work/worker.pl" <<'PERL'
use strict;
use warnings;
use Paygent::B2B;
my ($prefix, $count) = @ARGV;
srand(unpack('%32C*', $prefix));
for my $i (1 .. $count) {
    my $tid = "$prefix-$i";
    my $fault = $i % 50 == 0 ? 'close' : $i % 40 == 0 ? 'processed:reset' : 'delay:' . int(rand(31));
    my $p = Paygent::B2B->new;
    $p->reqPuts({ merchant_id => '10000', telegram_kind => '020', trading_id => $tid,
                  payment_amount => 1000 + $i, card_number => '4111111111111111',
                  card_valid_term => '1230', sim_fault => $fault });
    my $r = $p->post;
    my $phase = $p->{failurePhase} // '';
    if ($r && $p->{resultStatus} eq '0') {
        print "paid $tid $p->{result}{payment_id}\n";
    } elsif ($phase eq 'maybe_sent') {
        print "maybe_sent $tid\n";
    } else {
        my $code = $r ? $p->{resultCode} : Paygent::PException::getInfo() // '';
        $code =~ s/\s.*//s;
        print "failed $tid ", ($phase || 'answered'), " $code\n";
    }
}
PERL

started=$(date +%s)
pids=()
for lang in "${languages[@]}"; do
    for w in $(seq 1 "$workers"); do
        prefix="$lang$w-$$"
        if [ "$lang" = php ]; then
            "$php" -n -d display_errors=stderr -d "extension=$target/paygent.so" \
                -d "paygent.properties_file=$work/conf/modenv_properties.php" \
                "$work/worker.php" "$prefix" "$orders" >"$work/out.$prefix" 2>"$work/err.$prefix" &
        else
            PAYGENT_PROPERTIES="$work/conf/paygent.properties" perl -Mblib="$root/perl-xs/blib" \
                "$work/worker.pl" "$prefix" "$orders" >"$work/out.$prefix" 2>"$work/err.$prefix" &
        fi
        pids+=($!)
    done
done
total=$(( ${#languages[@]} * workers * orders ))

# Restart the simulator when a quarter and when 60 % of the telegrams were recorded.
restarts=0
for share in 25 60; do
    while [ "$(wc -l <"$work/requests.jsonl" 2>/dev/null || echo 0)" -lt $((total * share / 100)) ]; do
        running=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
        [ "$running" = 1 ] || break 2
        sleep 0.02
    done
    stop_sim_checked
    sleep 0.7 # down longer than retry_not_sent's pauses: some telegrams fail not_sent
    start_sim "127.0.0.1:$port" || { nok "the simulator restarts on port $port"; exit 1; }
    restarts=$((restarts + 1))
done
wait "${pids[@]}"
load_secs=$(( $(date +%s) - started ))
if [ "$restarts" -eq 2 ]; then
    ok "$total orders from ${#pids[@]} processes in ${load_secs}s, the simulator restarted twice mid-load"
else
    nok "the simulator restarted mid-load" "only $restarts restarts before the load ended"
fi
cat "$work"/out.* >"$work/orders"
if [ "$(grep -cE '^(paid|maybe_sent|failed) ' "$work/orders")" -ne "$total" ]; then
    nok "every worker reported every order" "$(wc -l <"$work/orders") of $total; $(grep -v -h -E '^(PHP )?Warning' "$work"/err.* | head -3)"
fi

paygent=("$target/paygent" confirm --config "$work/conf/modenv_properties.php" --pending)
"${paygent[@]}" --jsonl >"$work/confirm1.jsonl" 2>"$work/confirm1.err"
code1=$?
"${paygent[@]}" --jsonl --settle 0 >"$work/confirm2.jsonl" 2>"$work/confirm2.err"
code2=$?
"${paygent[@]}" >"$work/confirm3.txt" 2>&1
code3=$?
if [ "$code1" -eq 1 ] && [ "$code2" -eq 0 ] && [ "$code3" -eq 0 ]; then
    ok "confirm --pending: exit 1 within the settle time, 0 after it, 0 when nothing is left"
else
    nok "confirm --pending exit codes" "$code1 $code2 $code3 (want 1 0 0): $(head -3 "$work/confirm1.err" "$work/confirm2.err")"
fi

# Safe to retry: the orders found not processed are sent again, without faults.
retry_ids=$(perl -MJSON::PP -ne 'my $r = decode_json($_); print "$r->{trading_id}\n" if $r->{resolution} eq "not_processed"' "$work/confirm2.jsonl")
if [ -n "$retry_ids" ] && [ "${languages[0]}" = php ]; then
    # shellcheck disable=SC2086
    "$php" -n -d display_errors=stderr -d "extension=$target/paygent.so" \
        -d "paygent.properties_file=$work/conf/modenv_properties.php" \
        "$work/worker.php" retry 0 retry $retry_ids >"$work/retried" 2>"$work/err.retry"
elif [ -n "$retry_ids" ]; then
    for tid in $retry_ids; do
        PAYGENT_PROPERTIES="$work/conf/paygent.properties" perl -Mblib="$root/perl-xs/blib" -MPaygent::B2B -e '
            my $p = Paygent::B2B->new;
            $p->reqPuts({ merchant_id => "10000", telegram_kind => "020", trading_id => $ARGV[0],
                          payment_amount => 1, card_number => "4111111111111111", card_valid_term => "1230" });
            print $p->post && $p->{resultStatus} eq "0" ? "paid $ARGV[0] $p->{result}{payment_id}\n" : "failed $ARGV[0]\n";' "$tid"
    done >"$work/retried"
else
    : >"$work/retried"
fi
stop_sim_checked

# The check, against the final state the simulator saved at SIGTERM.
perl -MJSON::PP -e '
use strict; use warnings;
my ($work, $total) = @ARGV;
my (@problems, %order, %n);
sub lines { my $f = shift; open my $fh, "<", $f or return (); my @l = <$fh>; chomp @l; @l }
for (lines("$work/orders")) {
    my ($what, $tid, @rest) = split / /;
    $order{$tid} = { what => $what, rest => [@rest] };
    $n{$what}++;
    $n{"failed $rest[0]"}++ if $what eq "failed";
}
push @problems, scalar(keys %order) . " distinct orders of $total" if keys %order != $total;
my %res;
for my $f ("confirm1.jsonl", "confirm2.jsonl") {
    for (lines("$work/$f")) {
        my $r = eval { decode_json($_) } or do { push @problems, "$f: not JSON: $_"; next };
        $res{$r->{trading_id}} = $r if $r->{resolution} ne "pending";
    }
}
my %retried = map { my (undef, $tid, $pid) = split / /; ($tid => $pid) } grep { /^paid / } lines("$work/retried");
my %journal;
for (lines("$work/conf/journal/paygent-journal.jsonl")) {
    push @problems, "card data or a password in the journal" if /4111111111111111|test_connect_pw/;
    my $e = eval { decode_json($_) } or do { push @problems, "journal: not JSON: $_"; next };
    $journal{$e->{trading_id}}++;
}
my $state = decode_json(join "", lines("$work/state.json"));
my %charged;
push @{ $charged{$_->{trading_id}} }, $_->{id} for @{ $state->{payments} };
for my $tid (sort keys %charged) {
    push @problems, "$tid: charged but no such order" unless $order{$tid};
}
for my $tid (sort keys %order) {
    my $o = $order{$tid};
    my @c = @{ $charged{$tid} || [] };
    my $one = sub { @c == 1 && $c[0] eq $_[0] };
    push @problems, "$tid: charged " . scalar(@c) . " times" if @c > 1;
    if ($o->{what} eq "paid") {
        push @problems, "$tid: paid as $o->{rest}[0], state has @c" unless $one->($o->{rest}[0]);
        push @problems, "$tid: paid but journaled" if $journal{$tid};
    } elsif ($o->{what} eq "maybe_sent") {
        push @problems, "$tid: maybe_sent journaled " . ($journal{$tid} // 0) . " times" unless ($journal{$tid} // 0) == 1;
        my $r = $res{$tid};
        if (!$r) {
            push @problems, "$tid: maybe_sent and never resolved";
        } elsif ($r->{resolution} eq "processed") {
            $n{"maybe_sent processed"}++;
            push @problems, "$tid: processed as $r->{gateway_payment_id}, state has @c" unless $one->($r->{gateway_payment_id});
        } elsif ($r->{resolution} eq "not_processed") {
            $n{"maybe_sent not_processed, retried"}++;
            push @problems, "$tid: not processed, retried as " . ($retried{$tid} // "nothing") . ", state has @c"
                unless defined $retried{$tid} && $one->($retried{$tid});
        } else {
            push @problems, "$tid: resolution $r->{resolution}";
        }
    } elsif ($o->{what} eq "failed") {
        push @problems, "$tid: failed (@{ $o->{rest} }) yet charged" if @c;
        push @problems, "$tid: failed (@{ $o->{rest} }): neither not_sent nor answered" unless $o->{rest}[0] =~ /^(not_sent|answered)$/;
        push @problems, "$tid: failed but journaled" if $journal{$tid};
    } else {
        push @problems, "$tid: unknown outcome $o->{what}";
    }
}
push @problems, "no maybe_sent telegram was found processed" unless $n{"maybe_sent processed"};
push @problems, "no maybe_sent telegram was found not processed" unless $n{"maybe_sent not_processed, retried"};
my $bad = grep { !eval { decode_json($_); 1 } } lines("$work/requests.jsonl");
push @problems, "$bad request record lines are not whole JSON" if $bad;
print join(", ", map { "$n{$_} $_" } sort keys %n), "\n";
print "PROBLEM $_\n" for @problems[0 .. ($#problems < 19 ? $#problems : 19)];
exit(@problems ? 1 : 0);
' "$work" "$total" >"$work/check.out" 2>&1
check=$?
summary=$(head -1 "$work/check.out")
if [ "$check" -eq 0 ]; then
    ok "every order charged exactly once or proven not charged, 0 unknown ($summary)"
else
    nok "orders against the simulator's state" "$(cat "$work/check.out")"
fi
[ "$failed" -eq 0 ]
