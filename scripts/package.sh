#!/usr/bin/env bash
# Builds the install packages into dist/ from the release build (target/release; cargo rebuilds
# only what is stale, with the same package sets the test scripts use, so nothing is built twice):
#
#   php<X.Y>-paygent      extension (PHP's extension dir), mods-available/paygent.ini enabled for
#                         every SAPI, classic shims on /usr/share/php, composer shim package
#   libpaygent-b2b-perl   Paygent::B2B (XS) in the vendor Perl dirs     (RPM: perl-Paygent-B2B)
#   paygent               the command-line tool and its man page (help2man)
#
# as .deb (dpkg-deb) and .rpm (rpmbuild from Debian's `rpm` package; same files, RPM paths).
# Usage: scripts/package.sh [--deb] [--rpm] [--lint]     (default: --deb --rpm; --lint runs
#        lintian on the .debs and fails on any error)
# Env:   CARGO_TARGET_DIR, PHP_CONFIG (default php-config), DIST_DIR (default <repo>/dist),
#        PAYGENT_PACKAGER ("Name <mail>" for Maintainer/Packager)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=packaging/layout.sh
. packaging/layout.sh

want_deb=0; want_rpm=0; lint=0
for a in "$@"; do
  case $a in
    --deb) want_deb=1 ;; --rpm) want_rpm=1 ;; --lint) lint=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
((want_deb || want_rpm)) || { want_deb=1; want_rpm=1; }

die() { echo "package.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 not found (scripts/install-deps.sh installs it)"; }
need php-config; need help2man; need fakeroot
((want_deb)) && { need dpkg-deb; need dpkg-shlibdeps; }
((want_rpm)) && need rpmbuild
((lint)) && need lintian

layout_init
dist=${DIST_DIR:-$root/dist}
target=${CARGO_TARGET_DIR:-$root/target}/release
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$dist"

echo "== release build (paygent $VERSION, PHP $PHP_VER API $PHPAPI, Perl $PERL_VER)"
# One package per cargo call, as php-ext/run-tests.sh and perl-xs/Makefile.PL build them:
# a shared call would unify features differently and rebuild the core.
cargo build --locked --release -p paygent-php
cargo build --locked --release -p paygent-cli
[ -f "$target/libpaygent.so" ] && [ -x "$target/paygent" ] || die "release build incomplete in $target"

# ---- staged file trees (one per package, Debian paths) -------------------------------------
stage=$work/stage
stage_php "$stage/$PHP_PKG" "$target/libpaygent.so"
stage_perl "$stage/$PERL_PKG" "$work/perl-build" "${CARGO_TARGET_DIR:-$root/target}"
stage_cli "$stage/$CLI_PKG" "$target/paygent"

if ((want_deb)); then
  echo "== .deb"
  rm -f "$dist"/*.deb
  for pkg in "$PHP_PKG" "$PERL_PKG" "$CLI_PKG"; do
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
