#!/usr/bin/env bash
# Install test of the Debian packages: build them (scripts/package.sh, lintian errors fail),
# purge any earlier install, dpkg -i, then with INSTALLED files only (no target/ path, no
# -d extension=, no PERL5LIB): php -m and php-cgi -m list paygent; php --ri paygent; a classic
# merchant script (include_path /usr/share/php) and a composer-layout project (composer install
# from the installed paygent/connect) post to the gateway simulator; perl -MPaygent::B2B from /
# posts; paygent --version and its man page. Then dpkg --purge leaves none of the files dpkg -L
# listed and no conf.d link, and php -m no longer lists paygent. Also checks the .rpm files
# (rpm -qlp / -qRp): installing them needs an RPM machine.
# Needs root (dpkg -i). Prints `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-pkgtest.XXXXXX")
. "$root/tests/packages/lib.sh"
. "$root/packaging/layout.sh"
installed=0
# A failed run must not leave the packages on the machine (the other suites load the built .so).
cleanup() {
  stop_sim
  ((installed)) && dpkg --purge "${pkgs[@]}" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip_or_fail "dpkg -i needs root"
layout_init
tools=(dpkg-deb lintian rpmbuild man)
((HAVE_PHP)) && tools+=(composer)
for t in "${tools[@]}"; do
  command -v "$t" >/dev/null || skip_or_fail "$t missing (scripts/install-deps.sh installs it)"
done
dist=$work/dist
pkgs=("${PKGS[@]}")
# Without PHP 8.1+ (Debian 11) there is no PHP package: its checks are left out, and said so.
((HAVE_PHP)) || echo "SKIP (no PHP 8.1+ on this system: $(php -r 'echo PHP_VERSION;' 2>/dev/null || echo none)): the PHP package, its classic and composer checks"

echo "== scripts/package.sh --lint"
if DIST_DIR=$dist "$root/scripts/package.sh" --lint >"$work/package.log" 2>&1; then
  ok "packages built, lintian clean of errors"
else
  tail -40 "$work/package.log"; nok "scripts/package.sh --lint"; summary; exit 1
fi
grep -E '^(W|E): ' "$work/package.log" || true

echo "== install"
dpkg --purge "${pkgs[@]}" >/dev/null 2>&1 || true
installed=1
if dpkg -i "$dist"/*.deb >"$work/dpkg-i.log" 2>&1; then ok "dpkg -i"; else cat "$work/dpkg-i.log"; nok "dpkg -i"; summary; exit 1; fi
for p in "${pkgs[@]}"; do
  dpkg -L "$p" | while read -r f; do [ -d "$f" ] || echo "$f"; done >"$work/files.$p"
done
unreadable=$work/unreadable.properties   # root's, mode 0600: www-data may not read it
echo "our \$timeout_value = 35; 1;" >"$unreadable" && chmod 600 "$unreadable" && chmod 755 "$work"
if ((HAVE_PHP)); then
check "php -m lists paygent (cli)" bash -c 'php -m | grep -qx paygent'
check "php-cgi -m lists paygent (cgi)" bash -c 'php-cgi -m | grep -qx paygent'
ri=$(php --ri paygent 2>&1)
check "php --ri paygent: version $VERSION" grep -q "version => $VERSION" <<<"$ri"
check "php --ri paygent: OpenSSL version ($SSL_VER, the system's)" grep -qi "OpenSSL $SSL_VER" <<<"$ri"
check "php --ri paygent: loaded from the installed paygent.so" grep -q "loaded from => $PHP_EXTDIR/paygent.so" <<<"$ri"
# The PHPT panic hook is test-only (feature test-hooks): in the package the key is a parameter.
check "packaged extension has no test panic hook" bash -c \
  'out=$(PAYGENT_TEST_PANIC=1 php -r "\$p = new PaygentB2BModule(); var_dump(\$p->reqPut(\"__paygent_panic__\", \"x\"));" 2>&1); [ "$out" = NULL ]'
# A properties file the web server's user cannot read: E01001 says "doesn't exist" (the
# official text); php --ri says why.
check "php --ri as www-data: a properties file it cannot read says so" bash -c \
  "runuser -u www-data -- php -d paygent.properties_file=$unreadable --ri paygent | grep -q 'cannot read it: Permission denied'"
fi

start_sim || { nok "simulator start"; summary; exit 1; }

if ((HAVE_PHP)); then

echo "== classic PHP cart (include_path ., /usr/share/php)"
mkdir -p "$work/classic"
write_modenv "$work/classic/modenv_properties.php" "$work/classic/paygent.log"
{
  echo '<?php'
  echo "require_once 'jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php';"
  echo "include_once 'jp/co/ks/merchanttool/connectmodule/entity/ResponseDataFactory.php';"
  echo "include_once 'jp/co/ks/merchanttool/connectmodule/exception/PaygentB2BModuleException.php';"
  php_card_payment pkg-classic-$$
  echo 'echo "shim=", (new ReflectionClass("PaygentB2BModule"))->isInternal() ? "ext" : "user", " file=", get_included_files()[1], "\n";'
} >"$work/classic/cart.php"
out=$(cd "$work/classic" && php cart.php 2>&1)
echo "   $out"
check "classic: 020 answered (resultStatus 0, payment_id)" grep -qE 'status=0 payment_id=[0-9A-Za-z]+' <<<"$out"
check "classic: shim from /usr/share/php, class from the extension" \
  grep -q 'shim=ext file=/usr/share/php/jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php' <<<"$out"
check "classic: the simulator saw the telegram" sim_saw "pkg-classic-$$"

echo "== composer project (path repository $COMPOSER_SHIM_DIR)"
check "composer validate --strict on the installed composer.json" \
  bash -c "cd '$COMPOSER_SHIM_DIR' && COMPOSER_HOME='$work/composer-home' composer validate --strict --no-check-lock >'$work/validate.log' 2>&1 || { cat '$work/validate.log'; false; }"
proj=$work/composer-project
mkdir -p "$proj"
cat >"$proj/composer.json" <<EOF
{
    "repositories": [
        {"type": "path", "url": "$COMPOSER_SHIM_DIR",
         "options": {"symlink": false, "versions": {"paygent/connect": "$VERSION"}}},
        {"packagist.org": false}
    ],
    "require": {"paygent/connect": "^${VERSION%.*}"}
}
EOF
if (cd "$proj" && COMPOSER_HOME=$work/composer-home composer install --no-interaction --no-progress) >"$work/composer.log" 2>&1; then
  ok "composer install of paygent/connect from the installed package"
else
  cat "$work/composer.log"; nok "composer install"
fi
shimdir=$proj/vendor/paygent/connect/src/paygent_module
check "composer: vendor/paygent/connect is a copy, not a link" test ! -L "$proj/vendor/paygent/connect"
write_modenv "$shimdir/modenv_properties.php" "$proj/paygent.log"
check "composer: modenv_properties.php not written into the installed package" \
  test ! -e "$COMPOSER_SHIM_DIR/src/paygent_module/modenv_properties.php"
{
  echo '<?php'
  echo 'require __DIR__ . "/vendor/autoload.php";'
  echo 'use PaygentModule\System\PaygentB2BModule;'
  php_card_payment pkg-composer-$$
} >"$proj/pay.php"
out=$(cd / && php "$proj/pay.php" 2>&1)
echo "   $out"
check "composer: 020 answered (resultStatus 0, payment_id)" grep -qE 'status=0 payment_id=[0-9A-Za-z]+' <<<"$out"
check "composer: the simulator saw the telegram" sim_saw "pkg-composer-$$"
fi

echo "== Perl from / (vendor dirs, no PERL5LIB)"
cat >"$work/paygent.properties" <<EOF
our \$HTTPS_CERT_FILE = '$SIM_PKI/client-kit.pem';
our \$HTTPS_KEY_FILE  = '';
our \$HTTPS_CA_FILE   = '$SIM_PKI/ca.pem';
our \$default_id = 'pkg_connect_id'; our \$default_password = 'pkg_connect_pw';
our \$timeout_value = 35; our \$merchant_id = '000000001'; our \$telegram_ver = '1.0';
our \$log_output_path = '$work/paygent-perl.log';
our %url = ('02' => '$SIM_BASE/n/card/request');
1;
EOF
out=$(cd / && env -u PERL5LIB -u PERLLIB PAYGENT_PROPERTIES="$work/paygent.properties" perl -MPaygent::B2B -e '
  my $p = new Paygent::B2B;
  $p->reqPuts([telegram_kind => "020", trading_id => $ARGV[0], payment_amount => "1000",
               card_number => "4111111111111111", card_valid_term => "1230", payment_class => "10"]);
  my $ok = $p->post;
  print "post=$ok status=$p->{resultStatus} payment_id=$p->{result}{payment_id} pm=$INC{q{Paygent/B2B.pm}}\n";
  my $i = Paygent::B2B->info;
  print "info.version=$i->{version}\n";
  print "info.module_file=$i->{module_file}\n";
' "pkg-perl-$$" 2>&1)
echo "   $out"
check "perl: 020 answered" grep -qE 'post=1 status=0 payment_id=[0-9A-Za-z]+' <<<"$out"
check "perl: Paygent/B2B.pm from $PERL_VENDORARCH" grep -q "pm=$PERL_VENDORARCH/Paygent/B2B.pm" <<<"$out"
check "perl: Paygent::B2B->info version" grep -q "info.version=$VERSION" <<<"$out"
check "perl: Paygent::B2B->info names the installed B2B.so" grep -q "info.module_file=$PERL_VENDORARCH/auto/Paygent/B2B/B2B.so" <<<"$out"
check "perl: Paygent::B2B->info OpenSSL $SSL_VER (the system's)" bash -c "cd / && perl -MPaygent::B2B -e 'print Paygent::B2B->info->{openssl}' | grep -q 'OpenSSL $SSL_VER'"
check "perl: the simulator saw the telegram" sim_saw "pkg-perl-$$"
check "perl: man page Paygent::B2B(3pm)" test -f /usr/share/man/man3/Paygent::B2B.3pm.gz
check "perl: Paygent::B2B->info as www-data: a properties file it cannot read says so" bash -c \
  "cd / && runuser -u www-data -- env PAYGENT_PROPERTIES=$unreadable perl -MPaygent::B2B -e 'print Paygent::B2B->info->{properties_file}' | grep -q 'cannot read it: Permission denied'"

echo "== CLI"
check "paygent --version" bash -c "cd / && paygent --version | grep -q '$VERSION'"
# One page per command, English and Japanese, from the clap definition (paygent manpages).
for page in paygent paygent-doctor paygent-send paygent-decode paygent-confirm paygent-notices paygent-notices-sync; do
  check "man pages $page(1) en and ja" test -f "/usr/share/man/man1/$page.1.gz" -a -f "/usr/share/man/ja/man1/$page.1.gz"
done
check "man paygent-notices-sync: exit status table, no groff warning" bash -c \
  'out=$(LANG=C.UTF-8 MANWIDTH=80 man --warnings paygent-notices-sync 2>&1) && grep -q "EXIT STATUS" <<<"$out" && ! grep -q "warning" <<<"$out" && grep -qE "^ +64 +a usage error" <<<"$out"'
check "man -L ja paygent-notices renders Japanese" bash -c \
  'out=$(LANG=C.UTF-8 MANWIDTH=80 man -L ja paygent-notices 2>&1) && grep -q "終了ステータス" <<<"$out" && grep -q "決済通知" <<<"$out"'
# The completion script loads in bash and completes the subcommands.
check "bash completion completes paygent's subcommands" bash -c \
  '. /usr/share/bash-completion/completions/paygent && COMP_WORDS=(paygent do) COMP_CWORD=1 && _paygent paygent do paygent && printf "%s\n" "${COMPREPLY[@]}" | grep -qx doctor'
for f in "$root"/examples/*/*; do
  rel=${f#"$root"/examples/}
  check "example $rel installed as tested" cmp -s "$f" "/usr/share/doc/paygent/examples/$rel"
done
check "every installed path the docs name exists" "$root/tests/docs/check-installed-paths.pl"

echo "== docs: the runnable commands of README.md and docs/ (installed files, the simulator as gateway)"
# What the docs assume a merchant has: the packages (.deb files in the current directory), a
# sandbox configuration at /etc/paygent/modenv_properties.php (the package's sandbox template,
# the simulator standing in for sandbox.paygent.co.jp, the merchant ID the notices need) with
# its certificate files beside it, and in the current directory; the directories of the log and
# the notices database. Made here for the run, removed after (never one that was there before).
# Some blocks run as www-data (as the docs tell a merchant to): it may enter the current
# directory, not list $work.
docs_dir=$work/docs-run
mkdir -p "$docs_dir"
chmod 711 "$work"
chmod 755 "$docs_dir"
cp "$dist"/*.deb "$docs_dir/"
made=()
for d in /etc/paygent /var/lib/paygent /var/log/paygent; do
  [ -e "$d" ] || { mkdir -p "$d" && made+=("$d"); }
done
# The TLS session cache and journal of the blocks run as www-data.
www_tmp=${TMPDIR:-/tmp}/paygent-tls-$(id -u www-data)
[ -e "$www_tmp" ] || made+=("$www_tmp")
for f in client-kit.pem ca.pem; do
  [ -e "/etc/paygent/$f" ] || { cp "$SIM_PKI/$f" "/etc/paygent/$f" && made+=("/etc/paygent/$f"); }
done
if [ ! -e /etc/paygent/modenv_properties.php ]; then
  sed -e "s|https://sandbox.paygent.co.jp/|$SIM_BASE/|" \
      -e "s|^paygentB2Bmodule.client_file_path=.*|paygentB2Bmodule.client_file_path=/etc/paygent/client-kit.pem|" \
      -e "s|^paygentB2Bmodule.ca_file_path=.*|paygentB2Bmodule.ca_file_path=/etc/paygent/ca.pem|" \
      -e "s|^paygentB2Bmodule.default_id=.*|paygentB2Bmodule.default_id=docs_connect_id|" \
      -e "s|^paygentB2Bmodule.default_password=.*|paygentB2Bmodule.default_password=docs_connect_pw|" \
      -e "s|^paygentB2Bmodule.log_output_path=.*|paygentB2Bmodule.log_output_path=/var/log/paygent/paygent.log|" \
      -e "s|^?>|paygentB2Bmodule.merchant_id=10000\n?>|" \
      "$root/php-ext/shim/composer/src/paygent_module/modenv_properties.php.sandbox" >/etc/paygent/modenv_properties.php
  chmod 600 /etc/paygent/modenv_properties.php
  made+=(/etc/paygent/modenv_properties.php)
fi
cp /etc/paygent/modenv_properties.php "$docs_dir/modenv_properties.php"
if perl "$root/tests/docs/run-doc-commands.pl" --dir "$docs_dir" >"$work/docs.log" 2>&1; then
  ok "every runnable command of the docs ($(grep -c '^ok ' "$work/docs.log") blocks)"
else
  cat "$work/docs.log"; nok "runnable commands of the docs"
fi
for ((i = ${#made[@]} - 1; i >= 0; i--)); do rm -rf "${made[i]}"; done
stop_sim

echo "== purge"
# Test-made files (composer project, properties) are outside the package; remove none by hand.
installed=0
if dpkg --purge "${pkgs[@]}" >"$work/purge.log" 2>&1; then ok "dpkg --purge"; else cat "$work/purge.log"; nok "dpkg --purge"; fi
left=$(cat "$work"/files.* | while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
check "no packaged file left after purge" test -z "$left"
[ -z "$left" ] || echo "$left"
if ((HAVE_PHP)); then
links=$(find "/etc/php/$PHP_VER" -name '*paygent*' 2>/dev/null; find /var/lib/php/modules -name paygent 2>/dev/null)
check "no conf.d link, ini or module state left" test -z "$links"
[ -z "$links" ] || echo "$links"
check "php -m no longer lists paygent" bash -c '! php -m | grep -qx paygent'
check "php still runs" bash -c 'php -r "echo 1;" | grep -qx 1'
fi

echo "== rpm (file lists and dependencies; installing needs an RPM machine)"
"$root/tests/packages/rpm-check.sh" "$dist" && ok "rpm file lists and dependencies" || nok "rpm check"

summary
