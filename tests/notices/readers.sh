#!/usr/bin/env bash
# The notice readers of docs/notices.md, run as shipped (issue 21 item 5): examples/notices/
# reader.php (PDO) and reader.pl (DBI) against PostgreSQL, MariaDB (throwaway servers,
# tests/notices/servers.sh) and SQLite, each database set up from the files the docs show —
# `paygent notices init`, orders.<db>.sql, and on the servers grant.<db>.sql to a user that
# has exactly that GRANT — with notices stored by `paygent notices sync` from the simulator:
#   1. 1,230 notices (ids 1…1230, so the readers' id order crosses 9/10, 99/100, 999/1000; the
#      readers read 500 at a time and must loop), 30 of them a second notice for an order
#      (authorised, then paid), one for an order the shop does not have: PHP applies every
#      other notice and exits 1, that one keeps its process_error;
#   2. Perl, run again: nothing changes, exit 1; once the order exists: applied, exit 0;
#   3. the first 1,200 notices unmarked (a replay of the 30 paid orders' older notices among
#      them): nothing changes; then every notice unmarked and PHP and Perl run at the same time:
#      both exit 0, each notice applied once between them, each order holds its latest notice;
#   4. the reader's user cannot delete notices or change what the gateway sent.
# Each check compares the orders table with the simulator's own list of notices.
# Under CI=true a database server or a driver that cannot run fails; locally it is skipped loudly.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
profile=${PAYGENT_PROFILE:-release}
flag=(); [ "$profile" = release ] && flag=(--release)
target=${CARGO_TARGET_DIR:-$root/target}/$profile
ci=${CI:-false}

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
nok() { failed=$((failed + 1)); echo "FAIL - $1${2:+: $2}"; }
say() { printf 'readers: %s\n' "$*" >&2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-readers.XXXXXX")
chmod 755 "$work"
. "$root/tests/notices/servers.sh"
. "$root/tests/lib/sim.sh"
cleanup() {
    stop_sim
    stop_servers
    if [ "$failed" -eq 0 ] && [ "${NOTICES_KEEP:-0}" != 1 ]; then rm -rf "$work"; else say "kept $work"; fi
    echo "$passed passed, $failed failed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cargo build --locked "${flag[@]}" -q -p paygent-cli -p paygent-sim || { nok "build"; exit 1; }
paygent=$target/paygent
ex=$root/examples/notices

skip_or_fail() {
    if [ "$ci" = true ]; then nok "$1 (CI=true: never skipped)"; else say "SKIPPING: $1 (under CI=true this fails)"; fi
}
stores=(sqlite)
php -r 'exit(in_array("sqlite", PDO::getAvailableDrivers()) ? 0 : 1);' 2>/dev/null &&
    perl -MDBD::SQLite -e1 2>/dev/null || { skip_or_fail "php PDO / Perl DBD drivers missing (php8.2-sqlite3 php8.2-pgsql php8.2-mysql libdbd-*-perl)"; exit 1; }
if start_pg; then stores+=(postgres); else skip_or_fail "PostgreSQL could not start"; fi
if start_mariadb; then stores+=(mariadb); else skip_or_fail "MariaDB could not start"; fi

# The gateway: 1,200 payments with a notice each (orders seed-1…seed-1200), then 30 of them paid.
sim_pki || { nok "simulator pki"; exit 1; }
SIM_ARGS=(--seed-notices 1200)
start_sim 127.0.0.1:0 || { nok "simulator did not start"; exit 1; }
sim_configs
for seq in $(seq 5 40 1200); do
    sim_control pay "payment_id=$(sim_control notices | perl -MJSON::PP -e '
        my $j = decode_json(join "", <STDIN>);
        print((grep { $_->{trading_id} eq "seed-'"$seq"'" } @{$j->{notices}})[0]{payment_id})')" >/dev/null ||
        { nok "simulator /sim/pay"; exit 1; }
done
sim_control notices >"$work/notices.json" || { nok "simulator /sim/notices"; exit 1; }
total=$(perl -MJSON::PP -e 'print scalar @{decode_json(join "", <STDIN>)->{notices}}' <"$work/notices.json")
[ "$total" = 1230 ] && ok "the simulator holds 1230 notices" || nok "the simulator holds 1230 notices" "$total"

# expected: each order (but the one the shop lacks) with its latest notice, as the reader leaves it.
# ARGV: orders to leave out.
expected() {
    perl -MJSON::PP -e '
        my %skip = map { $_ => 1 } @ARGV;
        my %last;
        for my $n (@{decode_json(join "", <STDIN>)->{notices}}) {
            $last{$n->{trading_id}} = $n;   # in id order: the latest wins
        }
        for my $t (sort keys %last) {
            next if $skip{$t};
            my $n = $last{$t};
            print join("|", $t, $n->{payment_status}, $n->{payment_amount}, $n->{payment_notice_id}), "\n";
        }' "$@" <"$work/notices.json"
}

# sql DSN USER PASS [FILE]: statements from FILE (or stdin), split at ";" line ends; SELECT rows
# are printed with "|" between columns, NULL as "-".
sql() {
    perl -MDBI -e '
        my ($dsn, $user, $pass) = @ARGV[0..2];
        my $dbh = DBI->connect($dsn, $user eq "-" ? undef : $user, $pass eq "-" ? undef : $pass,
                               { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
        local $/; my $text = <STDIN>;
        $text =~ s/--[^\n]*//g;
        for my $st (grep { /\S/ } split /;\s*\n/, $text) {
            if ($st =~ /^\s*SELECT/i) {
                for my $r (@{ $dbh->selectall_arrayref($st) }) {
                    print join("|", map { defined ? $_ : "-" } @$r), "\n";
                }
            } else {
                $dbh->do($st);
            }
        }' "$1" "$2" "$3" <"${4:-/dev/stdin}"
}

run_store() {
    local s=$1 admin_dsn admin_user=- db_url pdo perl_dsn reader_user=- reader_pass=- log=$work/$s
    mkdir -p "$log"
    case $s in
    sqlite)
        db_url="sqlite:$work/shop.db"
        admin_dsn="dbi:SQLite:dbname=$work/shop.db"
        pdo="sqlite:$work/shop.db" perl_dsn=$admin_dsn ;;
    postgres)
        local hostport=${PAYGENT_TEST_PG_URL#postgres://paygent@}; hostport=${hostport%%/*}
        sql "dbi:Pg:host=${hostport%:*};port=${hostport#*:};dbname=postgres" paygent - <<<'CREATE DATABASE shop;' ||
            { nok "$s: create database"; return; }
        db_url="postgres://paygent@$hostport/shop"
        admin_dsn="dbi:Pg:host=${hostport%:*};port=${hostport#*:};dbname=shop" admin_user=paygent
        pdo="pgsql:host=${hostport%:*};port=${hostport#*:};dbname=shop"
        perl_dsn=$admin_dsn reader_user=shop_reader reader_pass=unused-trust-auth ;;
    mariadb)
        local hostport=${PAYGENT_TEST_MYSQL_URL#mysql://paygent@}; hostport=${hostport%%/*}
        sql "dbi:MariaDB:host=127.0.0.1;port=${hostport#*:};database=mysql" paygent - <<<'CREATE DATABASE shop;' ||
            { nok "$s: create database"; return; }
        db_url="mysql://paygent@$hostport/shop"
        admin_dsn="dbi:MariaDB:host=127.0.0.1;port=${hostport#*:};database=shop" admin_user=paygent
        pdo="mysql:host=127.0.0.1;port=${hostport#*:};dbname=shop"
        perl_dsn=$admin_dsn reader_user=shop_reader reader_pass=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n') ;;
    esac

    # The set-up of docs/notices.md: init, the orders table, the reader's user and its GRANT.
    "$paygent" notices init --db "$db_url" >"$log/init.out" 2>&1 || { nok "$s: notices init" "$(cat "$log/init.out")"; return; }
    sql "$admin_dsn" "$admin_user" - "$ex/orders.$s.sql" || { nok "$s: orders.$s.sql"; return; }
    # The GRANT as the docs say: PostgreSQL by the tables' owner, MariaDB by an administrator
    # (root on the server's socket; `paygent` has ALL but no GRANT OPTION).
    local grant_dsn=$admin_dsn grant_user=$admin_user
    case $s in
    postgres) sql "$admin_dsn" "$admin_user" - <<<'CREATE ROLE shop_reader LOGIN;' ;;
    mariadb)
        grant_dsn="dbi:MariaDB:database=shop;mariadb_socket=$work/my/sock" grant_user=root
        sql "$grant_dsn" root - <<<"CREATE USER 'shop_reader'@'%' IDENTIFIED BY '$reader_pass';" ;;
    esac
    if [ "$s" != sqlite ]; then
        sql "$grant_dsn" "$grant_user" - "$ex/grant.$s.sql" && ok "$s: grant.$s.sql applies" || { nok "$s: grant.$s.sql"; return; }
    fi
    perl -e 'for my $i (1..1200) { next if $i == 7; print "INSERT INTO orders (order_no, amount) VALUES (\x27seed-$i\x27, ", 100 + $i * 10, ");\n" }' |
        sql "$admin_dsn" "$admin_user" - || { nok "$s: orders inserted"; return; }
    "$paygent" notices sync --config "$work/conf/modenv_properties.php" --db "$db_url" >"$log/sync.out" 2>&1
    local st=$?
    [ "$st" = 0 ] && grep -q 'stored=1230 ' "$log/sync.out" && ok "$s: sync stored 1230 notices" ||
        { nok "$s: sync" "exit $st: $(tail -2 "$log/sync.out")"; return; }

    local orders_q='SELECT order_no, payment_status, paid_amount, paygent_notice_id FROM orders WHERE payment_status IS NOT NULL ORDER BY order_no;'
    local pending_q='SELECT payment_notice_id, process_error FROM paygent_notices WHERE processed_at IS NULL;'
    as_reader() { # LANGUAGE: the reader as the shop's cron runs it, with the reader's credentials
        if [ "$1" = php ]; then
            SHOP_DB_DSN=$pdo SHOP_DB_USER=${reader_user#-} SHOP_DB_PASSWORD=${reader_pass#-} php "$ex/reader.php"
        else
            SHOP_DB_DSN=$perl_dsn SHOP_DB_USER=${reader_user#-} SHOP_DB_PASSWORD=${reader_pass#-} perl "$ex/reader.pl"
        fi
    }

    # 1. PHP: every notice but seed-7's applied; that one keeps its error.
    as_reader php >"$log/php1.out" 2>"$log/php1.err"; st=$?
    [ "$st" = 1 ] && grep -q '^applied=1229 failed=1$' "$log/php1.out" && grep -q 'no order seed-7' "$log/php1.err" &&
        ok "$s: reader.php applies 1229 notices, exit 1 for the order the shop lacks" ||
        nok "$s: reader.php first run" "exit $st: $(cat "$log/php1.out" "$log/php1.err" | tail -3)"
    sql "$admin_dsn" "$admin_user" - <<<"$orders_q" >"$log/orders1"
    expected seed-7 >"$log/expected1"
    cmp -s "$log/orders1" "$log/expected1" && ok "$s: each order holds its latest notice (30 authorised then paid)" ||
        nok "$s: orders after reader.php" "$(diff "$log/expected1" "$log/orders1" | head -5)"
    local pending; pending=$(sql "$admin_dsn" "$admin_user" - <<<"$pending_q")
    [ "$pending" = "7|no order seed-7" ] && ok "$s: the notice of the unknown order stays unprocessed with its reason" ||
        nok "$s: unprocessed after reader.php" "$pending"

    # 2. Perl, again: nothing to change; then the order exists and its notice is applied.
    as_reader perl >"$log/perl1.out" 2>"$log/perl1.err"; st=$?
    sql "$admin_dsn" "$admin_user" - <<<"$orders_q" >"$log/orders2"
    [ "$st" = 1 ] && grep -q '^applied=0 failed=1$' "$log/perl1.out" && cmp -s "$log/orders1" "$log/orders2" &&
        ok "$s: reader.pl run again changes nothing, exit 1" ||
        nok "$s: reader.pl second run" "exit $st: $(cat "$log/perl1.out" "$log/perl1.err" | tail -3)"
    sql "$admin_dsn" "$admin_user" - <<<"INSERT INTO orders (order_no, amount) VALUES ('seed-7', 170);"
    as_reader perl >"$log/perl2.out" 2>"$log/perl2.err"; st=$?
    sql "$admin_dsn" "$admin_user" - <<<"$orders_q" >"$log/orders3"
    expected >"$log/expected3"
    [ "$st" = 0 ] && grep -q '^applied=1 failed=0$' "$log/perl2.out" && cmp -s "$log/orders3" "$log/expected3" &&
        [ -z "$(sql "$admin_dsn" "$admin_user" - <<<"$pending_q")" ] &&
        ok "$s: reader.pl applies the notice once the order exists, exit 0, none left" ||
        nok "$s: reader.pl after the order was added" "exit $st: $(cat "$log/perl2.out" "$log/perl2.err" | tail -3)"

    # 3. A replay of the first 1200 notices only (the 30 paid orders' older, authorised ones
    #    among them): nothing may change. Then every notice unmarked, both readers at once.
    sql "$admin_dsn" "$admin_user" - <<<"UPDATE paygent_notices SET processed_at = NULL WHERE length(payment_notice_id) < 4 OR payment_notice_id <= '1200';"
    as_reader php >"$log/php2.out" 2>"$log/php2.err"; st=$?
    sql "$admin_dsn" "$admin_user" - <<<"$orders_q" >"$log/orders3b"
    [ "$st" = 0 ] && grep -q '^applied=1200 failed=0$' "$log/php2.out" && cmp -s "$log/orders3b" "$log/expected3" &&
        ok "$s: older notices replayed change no order (30 stay paid)" ||
        nok "$s: replay of older notices" "exit $st: $(cat "$log/php2.out" "$log/php2.err" | tail -2) $(diff "$log/expected3" "$log/orders3b" | head -3)"
    sql "$admin_dsn" "$admin_user" - <<<'UPDATE paygent_notices SET processed_at = NULL;'
    as_reader php >"$log/php3.out" 2>"$log/php3.err" & local p1=$!
    as_reader perl >"$log/perl3.out" 2>"$log/perl3.err" & local p2=$!
    wait $p1; local s1=$?; wait $p2; local s2=$?
    sql "$admin_dsn" "$admin_user" - <<<"$orders_q" >"$log/orders4"
    local sum; sum=$(cat "$log/php3.out" "$log/perl3.out" | sed -n 's/^applied=\([0-9]*\) failed=0$/\1/p' | paste -sd+ | bc)
    [ "$s1" = 0 ] && [ "$s2" = 0 ] && [ "$sum" = 1230 ] && cmp -s "$log/orders4" "$log/expected3" &&
        [ -z "$(sql "$admin_dsn" "$admin_user" - <<<"$pending_q")" ] &&
        ok "$s: PHP and Perl at once after a replay: 1230 notices applied once between them, orders unchanged" ||
        nok "$s: concurrent replay" "exit $s1/$s2, applied sum '$sum': $(cat "$log"/php3.* "$log"/perl3.* | tail -4) $(diff "$log/expected3" "$log/orders4" | head -3)"

    # 4. The GRANT is all the reader has.
    if [ "$s" != sqlite ]; then
        if sql "$perl_dsn" "$reader_user" "$reader_pass" <<<'DELETE FROM paygent_notices;' 2>/dev/null ||
           sql "$perl_dsn" "$reader_user" "$reader_pass" <<<"UPDATE paygent_notices SET payment_status = '40';" 2>/dev/null ||
           sql "$perl_dsn" "$reader_user" "$reader_pass" <<<"UPDATE orders SET amount = 1;" 2>/dev/null; then
            nok "$s: the reader's user can change more than its GRANT says"
        else
            ok "$s: the reader's user cannot delete notices, change what the gateway sent, or an order's amount"
        fi
    fi
}

for s in "${stores[@]}"; do run_store "$s"; done
((failed == 0))
