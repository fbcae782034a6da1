#!/usr/bin/env bash
# End to end through the demo: Apache + php-cgi cart and Perl CGI checkout over HTTP with curl,
# against the gateway simulator, asserting on the pages and on the simulator's request record.
# Prints "N passed, N failed"; exits non-zero on any failure.
# Environment: DEMO_SKIP_BUILD=1 (artifacts already built), DEMO_KEEP=1 (keep the runtime dir).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
RUN=$(mktemp -d /tmp/paygent-demo-test.XXXXXX)
# Notices 1-3 are purged at once, so a batch resuming after notice 1 must report a gap.
export SIM_EXTRA_ARGS="--purge-before 4"
chmod 755 "$RUN"
# shellcheck source=demo/lib.sh
. "$REPO/demo/lib.sh"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1${2:+: $2}"; }
finish() {
    demo_stop
    if [ "$failed" -gt 0 ]; then
        echo "--- logs ($RUN/logs)"
        tail -n 20 "$RUN"/logs/*.log 2>/dev/null | cut -c1-300
    fi
    [ "${DEMO_KEEP:-0}" = 1 ] || rm -rf "$RUN"
    echo "$passed passed, $failed failed"
}
trap finish EXIT

setup() {
    [ "${DEMO_SKIP_BUILD:-0}" = 1 ] || demo_build
    demo_start_all
}
if ! (setup) >"$RUN/setup.log" 2>&1; then
    cat "$RUN/setup.log"
    nok "demo setup (build, simulator, Apache)"
    exit 1
fi
# The subshell set these; read them back from the runtime dir.
APACHE_PORT=$(cat "$RUN/apache.port")
CART_URL="http://127.0.0.1:$APACHE_PORT/"
ok "demo setup: Apache on $CART_URL"

sjis() { printf '%s' "$1" | iconv -f UTF-8 -t CP932; }
utf8() { iconv -f CP932 -t UTF-8 2>/dev/null; }
attr() { grep -oE "$1=\"[^\"]*\"" | head -1 | cut -d'"' -f2; }
# Lines the simulator recorded since line $1, optionally only those for telegram kind $2.
record_since() {
    tail -n +"$(($1 + 1))" "$RUN/sim.record" | { if [ -n "${2:-}" ]; then grep -E "telegram_kind[^0-9A-Za-z]{1,8}$2([^0-9]|$)"; else cat; fi; }
}
record_lines() { wc -l <"$RUN/sim.record"; }

jar="$RUN/jar"
add_to_cart() {
    rm -f "$jar"
    curl -sf -c "$jar" -b "$jar" -o /dev/null -d action=add -d id=1 -d qty=2 "${CART_URL}cart.php" \
        && curl -sf -c "$jar" -b "$jar" -o /dev/null -d action=add -d id=4 -d qty=1 "${CART_URL}cart.php"
}
checkout() { curl -s -b "$jar" -c "$jar" -D "$RUN/headers" "$@" "${CART_URL}checkout.php"; }

if ((DEMO_PHP == 0)); then
    echo "SKIP (no PHP 8.1+ here: $(php -r 'echo PHP_VERSION;' 2>/dev/null || echo none)): the PHP cart; the Perl checkout and the batch run"
else
# --- the shop pages themselves
page=$(curl -s -D "$RUN/headers" "$CART_URL" | utf8)
if grep -qi '^Content-Type: text/html; charset=Shift_JIS' "$RUN/headers" && grep -q '静岡煎茶' <<<"$page"; then
    ok "index.php: Shift_JIS product list"
else
    nok "index.php: Shift_JIS product list" "$(head -c 300 <<<"$page")"
fi
add_to_cart
items=$(curl -s -b "$jar" "${CART_URL}cart.php" | utf8 | attr data-items)
[ "$items" = 3 ] && ok "cart cookie holds 3 items" || nok "cart cookie holds 3 items" "got '$items'"

# --- PHP card: 020 authorisation then 022 capture
n=$(record_lines)
page=$(checkout -d method=card -d card_number=4111111111111111 -d card_valid_term=1230 | utf8)
status=$(attr data-status <<<"$page"); pid=$(attr data-payment-id <<<"$page")
if [ "$status" = captured ] && [ -n "$pid" ]; then ok "PHP card checkout captured (payment_id=$pid)"
else nok "PHP card checkout captured" "status '$status': $(sed 's/<[^>]*>/ /g' <<<"$page" | tr -s ' \n' ' ' | tail -c 300)"; fi
r020=$(record_since "$n" 020); r022=$(record_since "$n" 022)
if [ -n "$r020" ] && [ -n "$r022" ]; then ok "simulator saw 020 then 022"
else nok "simulator saw 020 then 022" "$(record_since "$n" | cut -c1-300)"; fi
if grep -q 'curl_php' <<<"$r020" && grep -q "$pid" <<<"$r022"; then ok "020 sent with User-Agent curl_php; 022 names the payment_id"
else nok "020 User-Agent curl_php and 022 payment_id" "$(cut -c1-400 <<<"$r020$r022")"; fi
if grep -q '4111111111111111' "$RUN"/logs/paygent-php.log 2>/dev/null; then nok "card number masked in the module log"
else ok "card number not in the module log in clear"; fi

# --- PHP card decline
add_to_cart
page=$(checkout -d method=card -d card_number=4000000000000002 -d card_valid_term=1230 | utf8)
status=$(attr data-status <<<"$page")
code=$(grep -oE 'id="response_code">[^<]*' <<<"$page" | cut -d'>' -f2)
detail=$(grep -oE 'id="response_detail">[^<]*' <<<"$page" | cut -d'>' -f2)
if [ "$status" = declined ] && [ "$code" = 2003 ] && printf '%s' "$detail" | grep -qP '[^\x00-\x7F]'; then
    ok "PHP decline shows 2003 with the Japanese detail ($detail)"
else nok "PHP decline shows 2003 with Japanese detail" "status '$status' code '$code' detail '$detail'"; fi

# --- PHP convenience store with full-width katakana converted to half-width by the module
add_to_cart
n=$(record_lines)
page=$(checkout -d method=cvs --data-urlencode "customer_family_name=$(sjis 山田)" \
    --data-urlencode "customer_name=$(sjis 花子)" \
    --data-urlencode "customer_family_name_kana=$(sjis カタカナ)" \
    --data-urlencode "customer_name_kana=$(sjis ハナコ)" \
    -d customer_tel=0312345678 -d cvs_company_id=00C001 | utf8)
status=$(attr data-status <<<"$page")
[ "$status" = cvs_issued ] && ok "PHP convenience store 030 accepted" \
    || nok "PHP convenience store 030 accepted" "status '$status': $(sed 's/<[^>]*>/ /g' <<<"$page" | tr -s ' \n' ' ' | tail -c 300)"
r030=$(record_since "$n" 030)
if grep -qi 'customer_family_name_kana=%B6%C0%B6%C5' <<<"$r030" && grep -qi 'customer_name_kana=%CA%C5%BA' <<<"$r030"; then
    ok "030 wire body has half-width kana (%B6%C0%B6%C5)"
else nok "030 wire body has half-width kana" "$(cut -c1-500 <<<"$r030")"; fi
if grep -qi 'customer_family_name=%8ER%93c' <<<"$r030"; then ok "030 kanji name sent as Shift_JIS bytes"
else nok "030 kanji name sent as Shift_JIS bytes" "$(cut -c1-500 <<<"$r030")"; fi
grep -q 'curl_php' <<<"$r030" && ok "030 sent with User-Agent curl_php" || nok "030 User-Agent curl_php"

# --- PHP 3-D Secure: the ACS form is the page
add_to_cart
page=$(checkout -d method=card -d card_number=4000000000003220 -d card_valid_term=1230 | utf8)
if grep -qi '<form' <<<"$page" && ! grep -q 'data-status=' <<<"$page"; then ok "3-D Secure: the reply's out_acs_html form is the page"
else nok "3-D Secure ACS form page" "$(head -c 400 <<<"$page")"; fi

fi

# --- Perl CGI checkout
n=$(record_lines)
page=$(curl -s -d item=2 -d qty=1 -d card_number=4111111111111111 -d card_valid_term=1230 \
    "${CART_URL}perl-cart/checkout.cgi" | utf8)
status=$(attr data-status <<<"$page"); pid=$(attr data-payment-id <<<"$page")
if [ "$status" = captured ] && [ -n "$pid" ]; then ok "Perl CGI checkout captured (payment_id=$pid)"
else nok "Perl CGI checkout captured" "status '$status': $(sed 's/<[^>]*>/ /g' <<<"$page" | tr -s ' \n' ' ' | tail -c 300)"; fi
[ -n "$(record_since "$n" 020)" ] && [ -n "$(record_since "$n" 022)" ] \
    && ok "simulator saw the Perl 020 and 022" || nok "simulator saw the Perl 020 and 022"
page=$(curl -s -d item=2 -d qty=1 -d card_number=4000000000000002 -d card_valid_term=1230 \
    "${CART_URL}perl-cart/checkout.cgi" | utf8)
[ "$(attr data-status <<<"$page")" = declined ] && [ "$(attr data-code <<<"$page")" = 2003 ] \
    && ok "Perl decline shows 2003" || nok "Perl decline shows 2003" "$(sed 's/<[^>]*>/ /g' <<<"$page" | tr -s ' \n' ' ' | tail -c 300)"

# Without the PHP cart, a few more Perl payments give the batch notices past the purged 1-3.
if ((DEMO_PHP == 0)); then
    for _ in 1 2 3; do
        curl -s -o /dev/null -d item=1 -d qty=1 -d card_number=4111111111111111 -d card_valid_term=1230 \
            "${CART_URL}perl-cart/checkout.cgi"
    done
fi

# --- 091 diff-inquiry batch: runs until success_code=1, keeps its place in a state file
demo_perl_env
state="$RUN/state/diff_inquiry.state"
# A previous cron run stopped after notice 1; 2 and 3 are gone by now (success_code=2).
echo "payment_notice_id=1" >"$state"
out=$(perl "$REPO/demo/batch/diff_inquiry.pl" --state "$state" --max-calls 200 2>&1); rc=$?
echo "$out" | sed 's/^/    /' | tail -n 8
if [ "$rc" = 0 ] && tail -1 <<<"$out" | grep -q "final success_code=1"; then ok "091 batch ends with success_code=1"
else nok "091 batch ends with success_code=1" "exit $rc"; fi
if grep -q "^GAP: " <<<"$out" && tail -1 <<<"$out" | grep -q " gaps=1 "; then ok "091 batch reports the purged notices (success_code=2) as a gap"
else nok "091 batch reports the gap"; fi
notices=$(tail -1 <<<"$out" | grep -oE 'notices=[0-9]+' | cut -d= -f2)
if [ "${notices:-0}" -gt 0 ]; then
    last=$(tail -1 <<<"$out" | grep -oE 'last_payment_notice_id=[^ ]+' | cut -d= -f2)
    grep -qx "payment_notice_id=$last" "$state" && ok "091 state file keeps payment_notice_id=$last" \
        || nok "091 state file keeps the last payment_notice_id" "$(cat "$state" 2>/dev/null)"
    out2=$(perl "$REPO/demo/batch/diff_inquiry.pl" --state "$state" --max-calls 200 2>&1); rc=$?
    if [ "$rc" = 0 ] && grep -q "starting after payment_notice_id=$last" <<<"$out2"; then ok "091 second run resumes after $last"
    else nok "091 second run resumes from the state file" "$(tail -3 <<<"$out2")"; fi
else
    nok "091 batch received the notices of the payments made above" "notices='${notices:-}'"
fi

[ "$failed" = 0 ]
