#!/usr/bin/env bash
# Runs every test suite: Rust (core, simulator, conformance, C ABI), payment notices on three
# databases, PHPT, Perl, the CGI demo e2e.
# Usage: ./scripts/test.sh            (installs missing Debian packages first)
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit 1

suites_passed=0
suites_failed=0
failed_names=()
run_suite() {
  local name=$1; shift
  echo
  echo "==== $name: $*"
  if "$@"; then
    suites_passed=$((suites_passed + 1))
  else
    suites_failed=$((suites_failed + 1))
    failed_names+=("$name")
  fi
}

run_suite rust      cargo test --locked --workspace --exclude paygent-php
# Payment notices on SQLite, PostgreSQL and MariaDB (throwaway servers it starts and stops).
run_suite notices   ./tests/notices/run.sh
run_suite notice-readers ./tests/notices/readers.sh
run_suite c-header  ./perl-xs/capi/check-header.sh
run_suite lint      ./scripts/lint.sh
# PHP, Perl and the demo share one release build of the extension, the C ABI and the simulator.
export PAYGENT_PROFILE=release PAYGENT_CARGO_PROFILE=release
run_suite php       ./php-ext/run-tests.sh
run_suite connections ./tests/concurrency/connections.sh
# Every maybe_sent resolved: PHP and Perl load through simulator restarts, confirm --pending.
run_suite journal   ./tests/journal/load.sh
run_suite failure-examples ./tests/examples/failure.sh
run_suite perl      ./perl-xs/run-tests.sh
run_suite demo-e2e  ./tests/e2e/demo-test.sh
# Installing without Rust (issue 13): .deb/.rpm from the release build above, the CPAN tarball
# built outside the repo, composer validate + the composer recipe, the generated doc tables, and
# each Japanese page against its English page (headings, code blocks, no hard wraps).
run_suite packages  ./tests/packages/install-test.sh
run_suite cpan-dist ./tests/packages/cpan-dist.sh
run_suite composer  ./tests/packages/composer-test.sh
run_suite doc-tables ./docs/tables/generate.pl --check
run_suite doc-ja    perl docs/check-ja.pl
run_suite doc-includes ./tests/docs/check-includes.pl

echo
if ((suites_failed)); then
  echo "failed suites: ${failed_names[*]}"
fi
echo "suites: $suites_passed passed, $suites_failed failed"
((suites_failed == 0))
