#!/usr/bin/env bash
# Builds the install packages into dist/ from the release build (target/release; cargo rebuilds
# only what is stale, with the same package sets the test scripts use, so nothing is built twice):
#
#   php<X.Y>-paygent      extension (PHP's extension dir), mods-available/paygent.ini enabled for
#                         every SAPI, classic shims on /usr/share/php, composer shim package
#   libpaygent-b2b-perl   Paygent::B2B (XS) in the vendor Perl dirs     (RPM: perl-Paygent-B2B)
#   paygent               the command-line tool, its man pages (English, Japanese), bash completion
#
# as .deb (dpkg-deb) and .rpm (rpmbuild from Debian's `rpm` package; same files, RPM paths).
# The PHP package is built where PHP is 8.1 or newer (the extension's minimum); elsewhere (Debian
# 11: PHP 7.4) only the Perl and CLI packages.
# Usage: scripts/package.sh [--deb] [--rpm] [--lint] [--suite SUITE]
#        (default: --deb --rpm; --lint runs lintian on the .debs and fails on any error)
#        --suite bookworm|trixie|bullseye: build inside a throwaway root of that Debian release
#        (tests/platforms/lib.sh: debootstrap, the suite's PHP/Perl/OpenSSL, the host's Rust),
#        so the packages depend on that release's libraries: trixie gives php8.4-paygent, Perl
#        5.40, OpenSSL 3.5; bullseye Perl 5.32, OpenSSL 1.1.1 and no PHP package. Needs root.
#        Output: DIST_DIR (default <repo>/dist/SUITE).
# Env:   CARGO_TARGET_DIR, PHP_CONFIG (default php-config), DIST_DIR (default <repo>/dist),
#        PAYGENT_PACKAGER ("Name <mail>" for Maintainer/Packager), PAYGENT_NO_PHP=1 (no PHP
#        package)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=packaging/layout.sh
. packaging/layout.sh

want_deb=0; want_rpm=0; lint=0; suite=""; pass=()
while [ $# -gt 0 ]; do
  case $1 in
    --deb) want_deb=1; pass+=("$1") ;; --rpm) want_rpm=1; pass+=("$1") ;; --lint) lint=1; pass+=("$1") ;;
    --suite) suite=${2:?--suite needs a suite}; shift ;;
    --suite=*) suite=${1#--suite=} ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
((want_deb || want_rpm)) || { want_deb=1; want_rpm=1; }

die() { echo "package.sh: $*" >&2; exit 1; }

if [ -n "$suite" ]; then
  # Build inside that suite's root, with this script, then copy the packages out.
  # shellcheck source=tests/platforms/lib.sh
  . "$root/tests/platforms/lib.sh"
  out=${DIST_DIR:-$root/dist/$suite}
  # Traps run with the redirections of the interrupted command: keep the script's own.
  exec {out_fd}>&1 {err_fd}>&2
  trap 'platform_root_destroy >&"$out_fd" 2>&"$err_fd"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  platform_root_create "$suite"
  platform_root_copy_src "$root"
  platform_in_root env DIST_DIR=/src/dist PAYGENT_PACKAGER="${PAYGENT_PACKAGER:-}" \
    SOURCE_DATE_EPOCH="$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)" \
    /src/scripts/package.sh "${pass[@]}" || die "packaging inside the $suite root failed"
  mkdir -p "$out"
  rm -f "$out"/*.deb "$out"/*.rpm
  built=()
  for f in "$ROOT"/src/dist/*.deb "$ROOT"/src/dist/*.rpm; do [ -f "$f" ] && built+=("$f"); done
  ((${#built[@]})) || die "no package built in the $suite root"
  cp "${built[@]}" "$out"/
  echo "== $suite packages in $out"
  ls -l "$out"
  exit 0
fi

need() { command -v "$1" >/dev/null || die "$1 not found (scripts/install-deps.sh installs it)"; }
need fakeroot
((want_deb)) && { need dpkg-deb; need dpkg-shlibdeps; }
((want_rpm)) && need rpmbuild
((lint)) && need lintian

layout_init
dist=${DIST_DIR:-$root/dist}
target=${CARGO_TARGET_DIR:-$root/target}/release
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$dist"

if ((HAVE_PHP)); then
  echo "== release build (paygent $VERSION, PHP $PHP_VER API $PHPAPI, Perl $PERL_VER, OpenSSL $SSL_VER)"
else
  echo "== release build (paygent $VERSION, no PHP package: no PHP 8.1+ here, Perl $PERL_VER, OpenSSL $SSL_VER)"
fi
# One package per cargo call, as php-ext/run-tests.sh and perl-xs/Makefile.PL build them:
# a shared call would unify features differently and rebuild the core.
if ((HAVE_PHP)); then
  cargo build --locked --release -p paygent-php
  [ -f "$target/libpaygent.so" ] || die "release build incomplete in $target"
fi
cargo build --locked --release -p paygent-cli
[ -x "$target/paygent" ] || die "release build incomplete in $target"

# ---- staged file trees (one per package, Debian paths) -------------------------------------
stage=$work/stage
((HAVE_PHP)) && stage_php "$stage/$PHP_PKG" "$target/libpaygent.so"
stage_perl "$stage/$PERL_PKG" "$work/perl-build" "${CARGO_TARGET_DIR:-$root/target}"
stage_cli "$stage/$CLI_PKG" "$target/paygent"

if ((want_deb)); then
  echo "== .deb"
  rm -f "$dist"/*.deb
  for pkg in "${PKGS[@]}"; do
    deb_build "$stage/$pkg" "$pkg" "$dist"
  done
  if ((lint)); then
    echo "== lintian"
    # Errors fail; warnings are shown. The packages are built without a source package
    # (dpkg-deb), so the source-level tags do not apply.
    out=$(lintian --tag-display-limit 0 --suppress-tags "$LINTIAN_SUPPRESS" "$dist"/*.deb 2>&1 \
      | grep -v '^running with root privileges') || true
    [ -z "$out" ] || echo "$out"
    if grep -q '^E: ' <<<"$out"; then die "lintian reported errors"; fi
    echo "lintian: no errors"
  fi
fi

if ((want_rpm)); then
  echo "== .rpm"
  rm -f "$dist"/*.rpm
  rpm_build "$stage" "$dist" "$work/rpm"
fi

ls -l "$dist"
