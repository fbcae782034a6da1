#!/usr/bin/env bash
# One command demo: install what is missing, build, start the gateway simulator and Apache with
# the PHP (php-cgi) and Perl CGI carts, run one scripted checkout with curl, keep serving.
#
#   ./demo/run.sh             build, start, scripted checkout, serve until Ctrl-C
#   ./demo/run.sh --no-wait   stop after the scripted checkout
#   ./demo/run.sh --stop      stop what a previous run left running
# Environment: DEMO_DIR (runtime dir, default /tmp/paygent-demo), DEMO_PORT (Apache port),
#              DEMO_SKIP_BUILD=1, DEMO_SKIP_INSTALL=1.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
RUN=${DEMO_DIR:-/tmp/paygent-demo}
WAIT=1
case "${1:-}" in
    --no-wait) WAIT=0 ;;
    --stop) ;;
    "") ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
esac
# shellcheck source=demo/lib.sh
. "$REPO/demo/lib.sh"

if [ "${1:-}" = "--stop" ]; then
    demo_stop
    say "stopped"
    exit 0
fi

demo_stop    # leftovers of an earlier run in the same dir
[ "${DEMO_SKIP_INSTALL:-0}" = 1 ] || demo_install
[ "${DEMO_SKIP_BUILD:-0}" = 1 ] || demo_build
mkdir -p "$RUN"
trap 'demo_stop; say "stopped"' EXIT
trap 'exit 130' INT TERM
demo_start_all

say "scripted checkout: 2 x item 1 and 1 x item 3 with the approving test card..."
jar="$RUN/state/curl-cookies.txt"
rm -f "$jar"
curl -sf -c "$jar" -b "$jar" -o /dev/null -d action=add -d id=1 -d qty=2 "${CART_URL}cart.php" || die "cart.php failed; see $RUN/logs"
curl -sf -c "$jar" -b "$jar" -o /dev/null -d action=add -d id=3 -d qty=1 "${CART_URL}cart.php" || die "cart.php failed; see $RUN/logs"
page=$(curl -sf -c "$jar" -b "$jar" -d method=card -d card_number=4111111111111111 \
    -d card_valid_term=1230 "${CART_URL}checkout.php" | iconv -f CP932 -t UTF-8) || true
status=$(printf '%s' "$page" | grep -oE 'data-status="[a-z_]+"' | head -1 | cut -d'"' -f2 || true)
pid=$(printf '%s' "$page" | grep -oE 'data-payment-id="[^"]*"' | head -1 | cut -d'"' -f2 || true)
if [ "$status" = captured ]; then
    say "checkout OK: authorised (020) and captured (022), payment_id=$pid"
else
    printf '%s\n' "$page" | sed 's/<[^>]*>/ /g' | grep -v '^\s*$' | head -20 >&2
    die "scripted checkout failed (status '$status'); logs in $RUN/logs"
fi

cat <<MSG

  PHP cart (php-cgi):     ${CART_URL}
  Perl CGI checkout:      ${CART_URL}perl-cart/checkout.cgi
  091 batch:              PERL5LIB=$RUN/perl/blib/lib:$RUN/perl/blib/arch \\
                          PAYGENT_PROPERTIES=$RUN/perl/paygent.properties \\
                          perl demo/batch/diff_inquiry.pl --state $RUN/state/diff_inquiry.state
  paygent tool:           target/release/paygent send --config $RUN/php/conf/modenv_properties.php \\
                              merchant_id=10000 telegram_kind=094 payment_id=$pid
                          (also: decode, confirm --trading-id ID; --help)
  payment notices:        target/release/paygent notices init --db sqlite:$RUN/state/notices.db
                          target/release/paygent notices sync --config $RUN/php/conf/modenv_properties.php \\
                              --db sqlite:$RUN/state/notices.db     (docs/notices.md)
  Test cards: 4111111111111111 approves, 4000000000000002 declines (2003),
              4000000000000119 card company timeout (2008), 4000000000003220 3-D Secure (README.md)
  Logs: $RUN/logs   Gateway record: $RUN/sim.record

MSG
if [ "$WAIT" = 1 ]; then
    say "serving; Ctrl-C to stop"
    while kill -0 "$(cat "$RUN/sim.pid" 2>/dev/null)" 2>/dev/null && [ -f "$RUN/apache/httpd.pid" ]; do
        sleep 1
    done
    say "a server exited; stopping"
fi
