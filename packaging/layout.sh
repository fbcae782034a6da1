# The package layout, shared by scripts/package.sh (build) and tests/packages/ (checks).
# shellcheck shell=bash
# Sourced with $root = repo root. Functions stage file trees with Debian paths; rpm_build maps them
# to RPM paths.

layout_init() {
  PHP_CONFIG=${PHP_CONFIG:-php-config}
  VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")
  [ -n "$VERSION" ] || { echo "no [workspace.package] version in Cargo.toml" >&2; return 1; }
  PHP_VER=$("$PHP_CONFIG" --version | cut -d. -f1,2)
  PHPAPI=$("$PHP_CONFIG" --phpapi)
  PHP_EXTDIR=$("$PHP_CONFIG" --extension-dir)
  PERL_VER=$(perl -MConfig -e 'print $Config{version}')
  PERL_ABI=$(perl -MConfig -e 'print $Config{debian_abi} || $Config{version}')
  PERL_VENDORARCH=$(perl -MConfig -e 'print $Config{vendorarchexp}')
  DEB_ARCH=$(dpkg --print-architecture)
  RPM_ARCH=$(uname -m)
  PHP_PKG=php$PHP_VER-paygent
  PERL_PKG=libpaygent-b2b-perl
  CLI_PKG=paygent
  RPM_PERL_PKG=perl-Paygent-B2B
  PACKAGER=${PAYGENT_PACKAGER:-paygent-rs maintainers <maintainers@paygent-rs.invalid>}
  # Reproducible dates: the last commit's.
  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
  export SOURCE_DATE_EPOCH
  # Tags about the source package / Debian archive, which a dpkg-deb build has none of.
  LINTIAN_SUPPRESS=no-manual-page,initial-upload-closes-no-bugs,debian-changelog-line-too-long
  # Where the composer shim package goes (a composer `path` repository; see migration-php.md).
  COMPOSER_SHIM_DIR=/usr/share/php/paygent/connect
}

# Docs every Debian package carries: copyright, changelog.gz.
stage_doc() { # $1 = tree, $2 = package
  local doc=$1/usr/share/doc/$2
  install -d "$doc"
  install -m644 "$root/packaging/copyright" "$doc/copyright"
  {
    printf '%s (%s) unstable; urgency=medium\n\n' "$2" "$VERSION"
    printf '  * paygent-rs %s: see /usr/share/doc/%s/NEWS.md.gz (CHANGELOG.md).\n\n' "$VERSION" "$2"
    printf ' -- %s  %s\n' "$PACKAGER" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n >"$doc/changelog.gz"
  gzip -9n <"$root/CHANGELOG.md" >"$doc/NEWS.md.gz"
}

strip_so() { strip --strip-unneeded --remove-section=.comment --remove-section=.note "$1"; }

stage_php() { # $1 = tree, $2 = the built extension
  local t=$1
  install -D -m644 "$2" "$t$PHP_EXTDIR/paygent.so"
  strip_so "$t$PHP_EXTDIR/paygent.so"
  install -D -m644 "$root/packaging/paygent.ini" "$t/etc/php/$PHP_VER/mods-available/paygent.ini"
  # Classic layout: require_once 'jp/co/ks/merchanttool/...' through include_path (/usr/share/php).
  install -d "$t/usr/share/php"
  cp -R "$root/php-ext/shim/classic/jp" "$t/usr/share/php/jp"
  # Composer layout: the paygent/connect package, for a `path` repository.
  install -d "$t$COMPOSER_SHIM_DIR"
  cp -R "$root/php-ext/shim/composer/." "$t$COMPOSER_SHIM_DIR/"
  find "$t/usr/share/php" -type d -exec chmod 755 {} + -o -type f -exec chmod 644 {} +
  stage_doc "$t" "$PHP_PKG"
}

stage_perl() { # $1 = tree, $2 = scratch build dir, $3 = cargo target dir
  local t=$1 b=$2
  # Build a copy of the distribution's files (MANIFEST) so the checkout stays untouched; the
  # Rust side comes from the repo's workspace and target dir (no rebuild when fresh).
  rm -rf "$b"
  (cd "$root/perl-xs" && perl -MExtUtils::Manifest=manicopy,maniread -e 'manicopy(maniread(), $ARGV[0])' "$b" >/dev/null)
  (cd "$b" && PAYGENT_WORKSPACE=$root CARGO_TARGET_DIR=$3 perl Makefile.PL INSTALLDIRS=vendor >/dev/null \
    && make >make.log 2>&1 && make pure_install DESTDIR="$t" >>make.log 2>&1) \
    || { tail -30 "$b/make.log" >&2; return 1; }
  find "$t" -name .packlist -delete
  find "$t" -name perllocal.pod -delete
  strip_so "$t$PERL_VENDORARCH/auto/Paygent/B2B/B2B.so"
  chmod 644 "$t$PERL_VENDORARCH/auto/Paygent/B2B/B2B.so"
  find "$t/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} +
  find "$t" -type d -exec chmod 755 {} + -o -type f ! -name '*.so' -exec chmod 644 {} +
  stage_doc "$t" "$PERL_PKG"
}

stage_cli() { # $1 = tree, $2 = the built binary
  local t=$1
  install -D -m755 "$2" "$t/usr/bin/paygent"
  strip_so "$t/usr/bin/paygent"
  install -d "$t/usr/share/man/man1"
  # The man page is the clap --help / --version output (help2man), so it cannot drift.
  LANG=C.UTF-8 help2man --no-info --section=1 --version-string="$VERSION" \
    --name="PAYGENT connection module tool" "$t/usr/bin/paygent" >"$t/usr/share/man/man1/paygent.1" \
    || return 1
  gzip -9n "$t/usr/share/man/man1/paygent.1"
  stage_doc "$t" "$CLI_PKG"
}

# Shared-library dependencies of the ELF files in a tree, as dpkg-shlibdeps computes them.
deb_shlibdeps() { # $1 = tree
  local d elf
  d=$(mktemp -d)
  mkdir -p "$d/debian"
  printf 'Source: paygent-rs\n\nPackage: x\nArchitecture: any\n' >"$d/debian/control"
  mapfile -t elf < <(find "$1" -type f \( -name '*.so' -o -path '*/bin/*' \))
  (cd "$d" && dpkg-shlibdeps -O -e"${elf[@]}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
  rm -rf "$d"
}

deb_build() { # $1 = tree, $2 = package, $3 = out dir
  local t=$1 pkg=$2 depends section desc
  depends=$(deb_shlibdeps "$t")
  case $pkg in
    "$PHP_PKG")
      section=php
      depends="$depends, phpapi-$PHPAPI, php-common (>= 1:81~), php$PHP_VER-common"
      desc="PAYGENT connection module for PHP $PHP_VER (paygent-rs)
 The PHP extension paygent: a drop-in PaygentB2BModule for code written for
 PAYGENT's official PHP connection module, with shims for the classic
 (include_path jp/co/ks/merchanttool/...) and composer (paygent/connect)
 layouts. It is enabled for every PHP SAPI on installation." ;;
    "$PERL_PKG")
      section=perl
      depends="$depends, perl, perlapi-$PERL_ABI"
      desc="PAYGENT connection module for Perl (paygent-rs)
 Paygent::B2B and Paygent::PException: a drop-in replacement for PAYGENT's
 official Perl connection module, as an XS module over a Rust core." ;;
    "$CLI_PKG")
      section=utils
      desc="command-line tool for the PAYGENT connection module (paygent-rs)
 The tool checks a merchant's set-up, sends a telegram, decodes wire data and
 synchronises payment notices (difference inquiry, telegram 091)." ;;
  esac
  install -d -m755 "$t/DEBIAN"
  {
    echo "Package: $pkg"
    echo "Version: $VERSION"
    echo "Architecture: $DEB_ARCH"
    echo "Maintainer: $PACKAGER"
    echo "Installed-Size: $(du -sk --exclude=DEBIAN "$t" | cut -f1)"
    echo "Depends: $depends"
    echo "Section: $section"
    echo "Priority: optional"
    echo "Description: $desc"
  } >"$t/DEBIAN/control"
  if [ "$pkg" = "$PHP_PKG" ]; then
    echo "/etc/php/$PHP_VER/mods-available/paygent.ini" >"$t/DEBIAN/conffiles"
    for s in postinst postrm; do
      sed "s/@PHP_VER@/$PHP_VER/g" "$root/packaging/deb/php.$s" >"$t/DEBIAN/$s"
      chmod 755 "$t/DEBIAN/$s"
    done
  fi
  (cd "$t" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$t/DEBIAN/md5sums"
  chmod 644 "$t/DEBIAN/md5sums" "$t/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$t" "$3/${pkg}_${VERSION}_$DEB_ARCH.deb" >/dev/null
  echo "built $3/${pkg}_${VERSION}_$DEB_ARCH.deb"
}
