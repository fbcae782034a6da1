#!/usr/bin/env bash
# Connections the PHP module makes and keeps, with real php and php-cgi processes.
# 1. One TCP connection per telegram under concurrency (issue 14 item 8): many fresh PHP processes
# (php CLI and php-cgi) post one telegram each at the same time against paygent-sim, with the
# TLS session cache on (a private session_cache_dir seeded by one earlier process), and the
# simulator's connection counter must equal the telegrams it recorded. A TLS 1.3 ticket is
# single-use on the simulator (rustls), so all but one process find it used up: each must still
# make exactly one connection.
# 2. No pooled socket left in CLOSE-WAIT after the server closed it (issue 14 item 9): php-cgi -T 2
# runs two requests in one process; the first posts and waits past the simulator's keep-alive
# timeout, the second counts the CLOSE-WAIT sockets in /proc/net/tcp (the first request's end,
# RSHUTDOWN, must have closed it).
# Env: PAYGENT_PROFILE (release|debug, default release), CONCURRENCY (default 60), PHP, PHP_CGI.
# Under CI=true or PAYGENT_REQUIRE_ALL=1 a missing php-cgi fails instead of skipping.
# Prints "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
profile=${PAYGENT_PROFILE:-release}
flag=(); [ "$profile" = release ] && flag=(--release)
target=${CARGO_TARGET_DIR:-$root/target}/$profile
n=${CONCURRENCY:-60}
php=${PHP:-php}
php_cgi=${PHP_CGI:-php-cgi}
required=0
{ [ "${CI:-}" = true ] || [ -n "${PAYGENT_REQUIRE_ALL:-}" ]; } && required=1

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1${2:+: $2}"; }

cargo build "${flag[@]}" -p paygent-php -p paygent-sim || { echo "0 passed, 1 failed"; exit 1; }
cp -f "$target/libpaygent.so" "$target/paygent.so"

work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-conc.XXXXXX")
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; fi
    rm -rf "$work"
    echo "$passed passed, $failed failed"
}
trap cleanup EXIT

"$target/paygent-sim" pki --out "$work/pki" >/dev/null || { nok "simulator pki"; exit 1; }

# A fresh simulator per run: its counter and record start at zero. Args: extra serve options.
start_sim() {
    rm -f "$work/sim.port" "$work/connections" "$work/requests.jsonl"
    "$target/paygent-sim" serve "$@" --listen 127.0.0.1:0 --pki "$work/pki" \
        --cases "$root/tests/conformance/cases" --record "$work/requests.jsonl" \
        --connections "$work/connections" --ready-file "$work/sim.port" >"$work/sim.log" 2>&1 &
    sim_pid=$!
    for _ in $(seq 1 200); do
        [ -s "$work/sim.port" ] && break
        kill -0 "$sim_pid" 2>/dev/null || break
        sleep 0.05
    done
    [ -s "$work/sim.port" ] || { cat "$work/sim.log"; return 1; }
    port=$(tr -d '[:space:]' <"$work/sim.port")
}
stop_sim() { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; sim_pid=""; }

# $1 = session_cache_dir value; writes $work/conf/modenv_properties.php
write_conf() {
    mkdir -p "$work/conf"
    sed -e "s|{pki}|$work/pki|g" -e "s|{tmp}|$work/conf|g" \
        -e "s|{sim}|https://127.0.0.1:$port/case/reply-48-fixture01-atm-ok|g" \
        -e "s|^?>\$|paygentB2Bmodule.session_cache_dir=$1\n?>|" \
        "$root/tests/conformance/base.properties" >"$work/conf/modenv_properties.php"
}

cat >"$work/post.php" <<'PHP'
<?php
$p = new PaygentB2BModule();
$ok = $p->init() === true;
$p->reqPut('telegram_kind', '010');
$ok = $ok && $p->post() === true;
echo $ok ? "posted\n" : "failed: " . $p->getResultMessage() . "\n";
PHP

# $1 = label, $2 = "cli"|"cgi", $3 = session_cache_dir value
run() {
    local label=$1 kind=$2 cache=$3
    start_sim || { nok "$label: simulator did not start"; return; }
    write_conf "$cache"
    local cmd=("$php" -n -d "extension=$target/paygent.so")
    [ "$kind" = cgi ] && cmd=("$php_cgi" -q -n -d "extension=$target/paygent.so")
    cmd+=(-d "paygent.properties_file=$work/conf/modenv_properties.php" "$work/post.php")
    seed_then_together "$label" "$cache" "${cmd[@]}"
}

# $1 = label, $2 = session_cache_dir value, the rest = the command posting one telegram.
# One process first: it makes the full handshake and stores the session the others offer; then
# $n processes at once, and the check.
seed_then_together() {
    local label=$1 cache=$2 i
    shift 2
    "$@" >"$work/out.seed" 2>&1
    rm -f "$work"/out.[0-9]*
    for i in $(seq 1 "$n"); do
        "$@" >"$work/out.$i" 2>&1 &
    done
    wait $(jobs -p | grep -vx "$sim_pid")
    check "$label" "$cache"
}

# $1 = label, $2 = session_cache_dir value; reads the outputs, the record and the counter.
check() {
    local label=$1 cache=$2 posted telegrams connections
    posted=$(cat "$work/out.seed" "$work"/out.[0-9]* | grep -cx posted)
    telegrams=$(grep -c . "$work/requests.jsonl" 2>/dev/null || echo 0)
    connections=$(cat "$work/connections" 2>/dev/null || echo 0)
    stop_sim
    if [ "$posted" -ne $((n + 1)) ]; then
        nok "$label: every process posted" "$posted of $((n + 1)); $(grep -vhx posted "$work"/out.* | sort | uniq -c | head -3)"
    elif [ "$telegrams" -ne $((n + 1)) ]; then
        nok "$label: every telegram recorded once" "$telegrams recorded"
    elif [ "$cache" != off ] && ! ls "$cache"/*.tlssession >/dev/null 2>&1; then
        nok "$label: the session cache was used" "no session file in $cache"
    elif [ "$connections" -ne "$telegrams" ]; then
        nok "$label: connections == telegrams" "$connections connections for $telegrams telegrams"
    else
        ok "$label: $telegrams telegrams, $connections connections"
    fi
}

# Perl: the XS module built in perl-xs (as perl-xs/run-tests.sh does), fresh perl processes.
cat >"$work/post.pl" <<'PERL'
use strict;
use warnings;
use Paygent::B2B;
my $p = Paygent::B2B->new;
$p->reqPuts({ telegram_kind => '010', trading_id => "conc-$$" });
my $r = $p->post;
print defined $r && $r == 1 ? "posted\n" : 'failed: ' . (Paygent::PException::getInfo() // '') . "\n";
PERL
run_perl() {
    local label=$1 cache=$2
    start_sim || { nok "$label: simulator did not start"; return; }
    PAYGENT_TEST_URL="https://127.0.0.1:$port/case/reply-48-fixture01-atm-ok" \
        perl -I"$root/perl-xs/t/lib" -MPaygentTest=write_properties,base_vars -e '
            my %v = base_vars($ARGV[0], $ENV{PAYGENT_TEST_URL}, $ARGV[1]);
            $v{session_cache_dir} = $ARGV[2];
            write_properties("$ARGV[0]/paygent.properties", %v);' "$work/conf" "$work/pki" "$cache"
    local cmd=(env PAYGENT_PROPERTIES="$work/conf/paygent.properties"
        perl -Mblib="$root/perl-xs/blib" "$work/post.pl")
    seed_then_together "$label" "$cache" "${cmd[@]}"
}

cat >"$work/rshutdown.php" <<'PHP'
<?php
$mark = getenv('PAYGENT_TEST_MARK');
if (!file_exists($mark)) {
    touch($mark);
    $p = new PaygentB2BModule();
    $p->init();
    $p->reqPut('telegram_kind', '010');
    echo $p->post() ? "posted\n" : "failed: " . $p->getResultMessage() . "\n";
    sleep(2); // the simulator's keep-alive timeout (1 s) passes: it closes the pooled connection
} else {
    $peer = sprintf('0100007F:%04X', (int) getenv('PAYGENT_TEST_PORT'));
    $n = 0;
    foreach (file('/proc/net/tcp') as $l) {
        $f = preg_split('/\s+/', trim($l));
        if (($f[2] ?? '') === $peer && ($f[3] ?? '') === '08') $n++;
    }
    echo "close-wait $n\n";
}
PHP

# Item 9: php-cgi -T 2 (two requests, one process).
close_wait_at_request_end() {
    start_sim --keep-alive-timeout 1 || { nok "CLOSE-WAIT: simulator did not start"; return; }
    write_conf off
    local out
    out=$(PAYGENT_TEST_MARK="$work/mark" PAYGENT_TEST_PORT=$port "$php_cgi" -q -n -T 2 \
        -d "extension=$target/paygent.so" \
        -d "paygent.properties_file=$work/conf/modenv_properties.php" "$work/rshutdown.php" 2>&1 | grep -v '^Elapsed time')
    stop_sim
    if [ "$out" = "$(printf 'posted\nclose-wait 0')" ]; then
        ok "php-cgi: the closed pooled connection is closed at request end"
    else
        nok "php-cgi: pooled connection left in CLOSE-WAIT after the request" "$(echo $out)"
    fi
}

mkdir -m 700 "$work/sessions"
run "php CLI x$n, session cache on" cli "$work/sessions"
run "php CLI x$n, session_cache_dir=off" cli off
if command -v "$php_cgi" >/dev/null; then
    rm -f "$work"/sessions/*
    run "php-cgi x$n, session cache on" cgi "$work/sessions"
    close_wait_at_request_end
elif [ "$required" = 1 ]; then
    nok "php-cgi not installed (required under CI)"
else
    echo "SKIP - php-cgi not installed"
fi
if (cd "$root/perl-xs" && perl Makefile.PL && make) >"$work/perl-build.log" 2>&1; then
    rm -f "$work"/sessions/*
    run_perl "perl x$n, session cache on" "$work/sessions"
else
    cat "$work/perl-build.log"
    nok "perl: the XS module did not build"
fi
[ "$failed" -eq 0 ]
