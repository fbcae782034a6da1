#!/usr/bin/env bash
# Checks the .rpm files scripts/package.sh built (installing them needs an RPM machine): file
# lists (rpm -qlp) hold the same files as the .debs at RPM paths, and the dependencies (rpm -qRp)
# name the PHP ABI, the Perl ABI and the OpenSSL the binaries link (libssl.so.3; libssl.so.1.1 on
# Debian 11, which builds no PHP package). Usage: rpm-check.sh DIST_DIR
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist=${1:?usage: rpm-check.sh DIST_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-rpmcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$root/tests/packages/lib.sh"
. "$root/packaging/layout.sh"
layout_init
command -v rpm >/dev/null || skip_or_fail "rpm missing (scripts/install-deps.sh installs it)"

rpmf() { echo "$dist/$1-$VERSION-1.$RPM_ARCH.rpm"; }
debf() { echo "$dist/${1}_${VERSION}_$DEB_ARCH.deb"; }
files() { rpm -qlp "$(rpmf "$1")" 2>/dev/null; }
requires() { rpm -qRp "$(rpmf "$1")" 2>/dev/null; }
has() { grep -qxF -- "$2" <<<"$1"; }
# Regular files of a .deb without the Debian-only docs, with a path mapping applied.
deb_files() { # $1 = deb package, $2 = sed script (Debian path -> RPM path)
  dpkg-deb -c "$(debf "$1")" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}' \
    | grep -v '^/usr/share/doc/' | sed "$2" | LC_ALL=C sort
}
rpm_files() { # regular files only, without docs and licenses
  rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$(rpmf "$1")" 2>/dev/null \
    | awk '$1 !~ /^d/ {print $2}' | grep -v '^/usr/share/\(doc\|licenses\)/' | LC_ALL=C sort
}

rpms=("$RPM_PERL_PKG" paygent)
((HAVE_PHP)) && rpms=(php-paygent "${rpms[@]}")
for p in "${rpms[@]}"; do
  check "$p: built" test -f "$(rpmf "$p")"
done
check "no php-paygent without PHP 8.1+" bash -c "[ $HAVE_PHP = 1 ] || ! test -e '$(rpmf php-paygent)'"

if ((HAVE_PHP)); then
f=$(files php-paygent); r=$(requires php-paygent)
check "php-paygent: extension in $RPM_PHP_EXTDIR" has "$f" "$RPM_PHP_EXTDIR/paygent.so"
check "php-paygent: ini $RPM_PHP_INI" has "$f" "$RPM_PHP_INI"
check "php-paygent: classic shim on /usr/share/php" \
  has "$f" /usr/share/php/jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php
check "php-paygent: composer shim" has "$f" "$COMPOSER_SHIM_DIR/composer.json"
check "php-paygent: same files as $PHP_PKG.deb" diff \
  <(deb_files "$PHP_PKG" "s|^$PHP_EXTDIR/|$RPM_PHP_EXTDIR/|; s|^/etc/php/$PHP_VER/mods-available/paygent.ini|$RPM_PHP_INI|") \
  <(rpm_files php-paygent)
check "php-paygent: requires php(api) = $PHPAPI-64" has "$r" "php(api) = $PHPAPI-64"
check "php-paygent: requires php(zend-abi) = $PHPAPI-64" has "$r" "php(zend-abi) = $PHPAPI-64"
check "php-paygent: requires $SSL_SONAME" has "$r" "$SSL_SONAME()(64bit)"
check "php-paygent: ini is %config(noreplace)" \
  bash -c "rpm -qp --configfiles '$(rpmf php-paygent)' 2>/dev/null | grep -qxF '$RPM_PHP_INI'"
fi

f=$(files "$RPM_PERL_PKG"); r=$(requires "$RPM_PERL_PKG")
check "$RPM_PERL_PKG: Paygent/B2B.pm in $RPM_PERL_VENDORARCH" has "$f" "$RPM_PERL_VENDORARCH/Paygent/B2B.pm"
check "$RPM_PERL_PKG: B2B.so" has "$f" "$RPM_PERL_VENDORARCH/auto/Paygent/B2B/B2B.so"
check "$RPM_PERL_PKG: same files as $PERL_PKG.deb" diff \
  <(deb_files "$PERL_PKG" "s|^$PERL_VENDORARCH/|$RPM_PERL_VENDORARCH/|") <(rpm_files "$RPM_PERL_PKG")
check "$RPM_PERL_PKG: requires perl(:MODULE_COMPAT_$PERL_VER)" has "$r" "perl(:MODULE_COMPAT_$PERL_VER)"
check "$RPM_PERL_PKG: requires $SSL_SONAME" has "$r" "$SSL_SONAME()(64bit)"

f=$(files paygent)
check "paygent: /usr/bin/paygent and its man page" \
  bash -c "grep -qx /usr/bin/paygent <<<'$f' && grep -qx /usr/share/man/man1/paygent.1.gz <<<'$f'"
check "paygent: same files as $CLI_PKG.deb" diff <(deb_files "$CLI_PKG" "") <(rpm_files paygent)

summary
