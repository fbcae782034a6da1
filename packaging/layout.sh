# The package layout, shared by scripts/package.sh (build) and tests/packages/ (checks).
# shellcheck shell=bash
# Sourced with $root = repo root. Functions stage file trees with Debian paths; rpm_build maps them
# to RPM paths.

layout_init() {
  PHP_CONFIG=${PHP_CONFIG:-php-config}
  VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml")
  [ -n "$VERSION" ] || { echo "no [workspace.package] version in Cargo.toml" >&2; return 1; }
  # The PHP package only where PHP is 8.1 or newer (ext-php-rs): Debian 11 has 7.4, and gets the
  # Perl and CLI packages alone. PAYGENT_NO_PHP=1 leaves PHP out anywhere.
  HAVE_PHP=0 PHP_VER="" PHPAPI="" PHP_EXTDIR="" PHP_PKG=""
  if [ "${PAYGENT_NO_PHP:-0}" != 1 ] && command -v "$PHP_CONFIG" >/dev/null \
      && [ "$("$PHP_CONFIG" --vernum)" -ge 80100 ]; then
    HAVE_PHP=1
    PHP_VER=$("$PHP_CONFIG" --version | cut -d. -f1,2)
    PHPAPI=$("$PHP_CONFIG" --phpapi)
    PHP_EXTDIR=$("$PHP_CONFIG" --extension-dir)
    PHP_PKG=php$PHP_VER-paygent
  fi
  # The system OpenSSL the binaries link (libssl.so.3; libssl.so.1.1 on Debian 11).
  SSL_SONAME=$(ldconfig -p 2>/dev/null | sed -n 's/^[[:space:]]*\(libssl\.so\.[0-9.]*\) (libc6,x86-64).*/\1/p' | head -1)
  SSL_VER=$(openssl version 2>/dev/null | awk '{print $2}')
  PERL_VER=$(perl -MConfig -e 'print $Config{version}')
  PERL_ABI=$(perl -MConfig -e 'print $Config{debian_abi} || $Config{version}')
  PERL_VENDORARCH=$(perl -MConfig -e 'print $Config{vendorarchexp}')
  DEB_ARCH=$(dpkg --print-architecture)
  RPM_ARCH=$(uname -m)
  PERL_PKG=libpaygent-b2b-perl
  CLI_PKG=paygent
  # The packages this machine builds: PHP's first where there is one.
  PKGS=($PHP_PKG "$PERL_PKG" "$CLI_PKG")
  RPM_PERL_PKG=perl-Paygent-B2B
  PACKAGER=${PAYGENT_PACKAGER:-paygent-rs maintainers <maintainers@paygent-rs.invalid>}
  # Reproducible dates: the last commit's. Not exported: cargo build scripts (cc) watch
  # SOURCE_DATE_EPOCH, and a change would rebuild the whole release tree.
  DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
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
    printf ' -- %s  %s\n' "$PACKAGER" "$(date -R -u -d "@$DATE_EPOCH")"
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
  # As it is in the repository: no `version` field (`composer validate --strict` refuses one);
  # the project's path repository gives the version (`options.versions`, migration-php.md).
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
  # One man page per command, English and Japanese (man -L ja), from the same clap definition
  # and message files as --help (`paygent manpages`, hidden), so they cannot drift.
  local lang dir
  for lang in en ja; do
    dir=$t/usr/share/man/man1
    [ "$lang" = en ] || dir=$t/usr/share/man/$lang/man1
    env -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 SOURCE_DATE_EPOCH="$DATE_EPOCH" \
      "$t/usr/bin/paygent" --lang "$lang" manpages --out "$dir" >/dev/null || return 1
    gzip -9n "$dir"/*.1
  done
  # Bash completion from the same clap definition.
  install -d "$t/usr/share/bash-completion/completions"
  "$t/usr/bin/paygent" completions bash >"$t/usr/share/bash-completion/completions/paygent" || return 1
  # The programs the docs show, as their tests run them: the notice readers and their SQL
  # (docs/notices.md, tests/notices/readers.sh), the failure-phase pattern (docs/error-codes.md,
  # tests/examples/failure.sh).
  local ex
  for ex in notices failure; do
    install -d "$t/usr/share/doc/paygent/examples/$ex"
    install -m644 "$root"/examples/$ex/* "$t/usr/share/doc/paygent/examples/$ex/"
  done
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

# Synopsis line, then the long description (Debian control format).
describe() { # $1 = package
  case $1 in
    "$PHP_PKG") echo "PAYGENT connection module for PHP $PHP_VER (paygent-rs)
 The PHP extension paygent: a drop-in PaygentB2BModule for code written for
 PAYGENT's official PHP connection module, with shims for the classic
 (include_path jp/co/ks/merchanttool/...) and composer (paygent/connect)
 layouts. It is enabled for every PHP SAPI on installation." ;;
    "$PERL_PKG") echo "PAYGENT connection module for Perl (paygent-rs)
 Paygent::B2B and Paygent::PException: a drop-in replacement for PAYGENT's
 official Perl connection module, as an XS module over a Rust core." ;;
    "$CLI_PKG") echo "command-line tool for the PAYGENT connection module (paygent-rs)
 The tool checks a merchant's set-up, sends a telegram, decodes wire data and
 synchronises payment notices (difference inquiry, telegram 091)." ;;
  esac
}

deb_build() { # $1 = tree, $2 = package, $3 = out dir
  local t=$1 pkg=$2 depends section
  depends=$(deb_shlibdeps "$t")
  case $pkg in
    "$PHP_PKG") section=php
      depends="$depends, phpapi-$PHPAPI, php-common (>= 1:81~), php$PHP_VER-common" ;;
    "$PERL_PKG") section=perl depends="$depends, perl, perlapi-$PERL_ABI" ;;
    "$CLI_PKG") section=utils ;;
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
    echo "Description: $(describe "$pkg")"
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
  SOURCE_DATE_EPOCH=$DATE_EPOCH dpkg-deb --root-owner-group -Zxz --build "$t" "$3/${pkg}_${VERSION}_$DEB_ARCH.deb" >/dev/null
  echo "built $3/${pkg}_${VERSION}_$DEB_ARCH.deb"
}

# ---- RPM: the same files at the paths RPM distributions use (AlmaLinux/RHEL/Fedora) ----------
RPM_PHP_EXTDIR=/usr/lib64/php/modules
RPM_PHP_INI=/etc/php.d/40-paygent.ini
RPM_PERL_VENDORARCH=/usr/lib64/perl5/vendor_perl

# Copy a Debian-layout tree to RPM paths. $1 = Debian tree, $2 = RPM tree, $3 = package.
rpm_tree() {
  local d=$1 r=$2
  rm -rf "$r"; mkdir -p "$r"
  cp -a "$d/." "$r/"
  rm -rf "$r/DEBIAN" "$r/usr/share/doc"
  install -d "$r/usr/share/doc/$3" "$r/usr/share/licenses/$3"
  cp "$d/usr/share/doc/"*/NEWS.md.gz "$r/usr/share/doc/$3/"
  cp "$root/packaging/copyright" "$r/usr/share/licenses/$3/copyright"
  # Shared objects are 0755 in RPMs (the RPM convention; rpm 4.16, Debian 11's, generates the
  # library dependencies of executable ELF files only); 0644 in the .debs (Debian policy).
  find "$r" -name '*.so' -type f -exec chmod 755 {} +
  if [ -n "$PHP_EXTDIR" ] && [ -e "$r$PHP_EXTDIR/paygent.so" ]; then
    install -D -m755 "$r$PHP_EXTDIR/paygent.so" "$r$RPM_PHP_EXTDIR/paygent.so"
    install -D -m644 "$r/etc/php/$PHP_VER/mods-available/paygent.ini" "$r$RPM_PHP_INI"
    rm -rf "$r/usr/lib/php" "$r/etc/php"
  fi
  if [ -d "$r$PERL_VENDORARCH" ]; then
    install -d "$r$RPM_PERL_VENDORARCH"
    cp -a "$r$PERL_VENDORARCH/." "$r$RPM_PERL_VENDORARCH/"
    rm -rf "$r/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
  fi
}

# One spec per package over a staged tree (no build section: the files are built already).
rpm_build() { # $1 = stage dir (Debian trees by package), $2 = out dir, $3 = scratch dir
  local stage=$1 out=$2 w=$3 pkg name requires summary spec
  mkdir -p "$w"/{BUILD,SPECS,SRPMS,BUILDROOT}
  for pkg in "${PKGS[@]}"; do
    case $pkg in
      "$PHP_PKG") name=php-paygent
        requires="php(api) = $PHPAPI-64, php(zend-abi) = $PHPAPI-64"
        summary="PAYGENT connection module for PHP $PHP_VER (paygent-rs)" ;;
      "$PERL_PKG") name=$RPM_PERL_PKG
        requires="perl(:MODULE_COMPAT_$PERL_VER)"
        summary="PAYGENT connection module for Perl (paygent-rs)" ;;
      "$CLI_PKG") name=paygent requires=""
        summary="Command-line tool for the PAYGENT connection module (paygent-rs)" ;;
    esac
    rpm_tree "$stage/$pkg" "$w/tree/$name" "$name"
    spec=$w/SPECS/$name.spec
    {
      echo "Name: $name"
      echo "Version: $VERSION"
      echo "Release: 1"
      echo "Summary: $summary"
      echo "License: MIT OR Apache-2.0"
      echo "Packager: $PACKAGER"
      [ -z "$requires" ] || echo "Requires: $requires"
      echo "%define debug_package %{nil}"
      echo "%define _build_id_links none"
      echo "%define __os_install_post %{nil}"
      echo "%description"
      describe "$pkg" | sed '1d; s/^ //'
      echo "%install"
      echo "cp -a '$w/tree/$name/.' %{buildroot}/"
      echo "%files"
      (cd "$w/tree/$name" && find . -type f -printf '/%P\n' | LC_ALL=C sort) \
        | sed -e 's|^\(/etc/.*\)|%config(noreplace) \1|' -e 's|^\(/usr/share/licenses/.*\)|%license \1|'
      # Directories the package owns (not the system's).
      case $name in
        php-paygent) owned=(/usr/share/php/jp /usr/share/php/paygent) ;;
        "$RPM_PERL_PKG") owned=("$RPM_PERL_VENDORARCH/Paygent" "$RPM_PERL_VENDORARCH/auto/Paygent") ;;
        *) owned=() ;;
      esac
      owned+=("/usr/share/doc/$name" "/usr/share/licenses/$name")
      for o in "${owned[@]}"; do
        (cd "$w/tree/$name" && find ".$o" -type d | LC_ALL=C sort | sed 's|^\.|%dir |')
      done
    } >"$spec"
    SOURCE_DATE_EPOCH=$DATE_EPOCH rpmbuild --quiet -bb --target "$RPM_ARCH" \
      --define "_topdir $w" --define "_rpmdir $w/RPMS" --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
      "$spec" >"$w/$name.log" 2>&1 || { cat "$w/$name.log" >&2; return 1; }
    mv "$w/RPMS/$name-$VERSION-1.$RPM_ARCH.rpm" "$out/"
    echo "built $out/$name-$VERSION-1.$RPM_ARCH.rpm"
  done
}
