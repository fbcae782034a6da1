#!/usr/bin/env bash
# Runs inside a platform root (tests/platforms/run.sh copies the work tree to /src and calls
# this): the suites of scripts/test.sh that depend on the platform, on that suite's PHP, Perl,
# OpenSSL, Apache, PostgreSQL and MariaDB. Nothing may skip (PAYGENT_REQUIRE_ALL=1).
#
#   inside.sh full   every suite below
#   inside.sh ci     the suites that differ by platform: build, PHPT, Perl, the core's TLS
#                    tests (transport, session cache, the Apache matrix), the packages
#   inside.sh bench  bench/run.sh (the performance figures), no tests
#
# Not run here, as they do not depend on the platform: the C header drift check and the lints
# (same toolchain, same sources) and the generated doc tables. PHP suites are left out where the
# suite's PHP is older than 8.1 (ext-php-rs needs 8.1): bullseye has 7.4.
# Prints a line per suite with its time, then `N passed, N failed`.
set -uo pipefail
mode=${1:-full}
cd /src
export PAYGENT_REQUIRE_ALL=1
. /etc/os-release
suite=${VERSION_CODENAME:-unknown}

# The suite's PostgreSQL (bookworm 15, trixie 17, bullseye 13) for tests/notices/servers.sh.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
export PGBIN
php_ok=0
if command -v php-config >/dev/null && [ "$(php-config --vernum)" -ge 80100 ]; then php_ok=1; fi

passed=0 failed=0
failed_names=() skipped=() times=()
run_suite() {
    local name=$1; shift
    local t0=$SECONDS
    echo
    echo "==== [$suite] $name: $*"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
    times+=("$name $((SECONDS - t0))s")
}
skip_suite() { skipped+=("$1 ($2)"); }

echo "platform: Debian $suite ($(. /etc/os-release; echo "$PRETTY_NAME")), $(openssl version),"\
     "Perl $(perl -MConfig -e 'print $Config{version}'),"\
     "PHP $( ((php_ok)) && php-config --version || echo "$(php -r 'echo PHP_VERSION;' 2>/dev/null || echo none) (not supported: < 8.1)"),"\
     "Apache $(apache2 -v 2>/dev/null | sed -n 's|^Server version: Apache/\([^ ]*\).*|\1|p'),"\
     "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), MariaDB $(mariadbd --version | awk '{print $3}'),"\
     "$(rustc --version)"

no_php="no PHP 8.1+ here ($(php -r 'echo PHP_VERSION;' 2>/dev/null || echo "the release's PHP is too old: not installed")): ext-php-rs supports PHP 8.1+"

if [ "$mode" = bench ]; then
    # The figures of docs/performance.md on this release. Debian 11 packages no hyperfine: the
    # version Debian 12 ships, built with the host's cargo.
    if ! command -v hyperfine >/dev/null; then
        cargo install --locked --quiet --root /usr/local hyperfine@1.15.0 || { echo "0 passed, 1 failed"; exit 1; }
    fi
    ((php_ok)) || echo "no PHP 8.1+ here: the PHP rows (the php-cgi cold start) are left out; Rust and Perl rows run"
    run_suite bench ./bench/run.sh
    echo "$passed $failed" >/tmp/platform-result
    echo "$suite: $passed passed, $failed failed"
    exit $((failed > 0))
fi

if [ "$mode" = full ]; then
    run_suite rust cargo test --locked --no-fail-fast --workspace --exclude paygent-php
    run_suite notices ./tests/notices/run.sh
else
    # The core's tests that meet the TLS library and the suite's Apache (the TLS matrix:
    # certificate in the handshake, by renegotiation, by post-handshake auth).
    # In release: it shares the dependency builds of the PHP, Perl and package suites below.
    run_suite core-tls cargo test --locked --release -p paygent-core --test apache_matrix --test transport_tls \
        --test transport_resume --test session_cache_planted --test transport_http --test failure_phase
    skip_suite rust "CI leg: the platform-independent Rust suites run on the host"
    skip_suite notices "CI leg: run by tests/platforms/run.sh SUITE (full)"
fi
export PAYGENT_PROFILE=release PAYGENT_CARGO_PROFILE=release
if ((php_ok)); then
    run_suite php ./php-ext/run-tests.sh
    if [ "$mode" = full ]; then
        run_suite connections ./tests/concurrency/connections.sh
        run_suite journal ./tests/journal/load.sh
    else
        skip_suite connections "CI leg"; skip_suite journal "CI leg"
    fi
else
    skip_suite php "$no_php"
    skip_suite connections "$no_php"
    skip_suite journal "$no_php (tests/journal/load.sh builds the extension; its Perl half does not run alone)"
fi
run_suite perl ./perl-xs/run-tests.sh
if [ "$mode" = full ]; then
    run_suite demo-e2e ./tests/e2e/demo-test.sh
else
    skip_suite demo-e2e "CI leg"
fi
run_suite packages ./tests/packages/install-test.sh
if [ "$mode" = full ]; then
    run_suite cpan-dist ./tests/packages/cpan-dist.sh
    if ((php_ok)); then run_suite composer ./tests/packages/composer-test.sh
    else skip_suite composer "$no_php"; fi
else
    skip_suite cpan-dist "CI leg"; skip_suite composer "CI leg"
fi

echo
echo "==== [$suite] times: ${times[*]}"
for x in "${skipped[@]}"; do echo "==== [$suite] not run: $x"; done
((failed)) && echo "==== [$suite] failed suites: ${failed_names[*]}"
echo "$passed $failed" >/tmp/platform-result
echo "$suite: $passed passed, $failed failed"
((failed == 0))
