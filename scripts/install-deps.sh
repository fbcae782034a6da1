#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the demo need (idempotent; skips apt
# when everything is present). Run as root (CI, containers) or with sudo available.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config ca-certificates curl
  libssl-dev openssl                       # system OpenSSL: the default TLS path
  libclang-dev clang                       # bindgen for ext-php-rs
  php8.2-cli php8.2-dev php8.2-cgi php8.2-curl php8.2-mbstring
  perl libwww-perl liblwp-protocol-https-perl
  apache2                                  # CGI demo and the TLS matrix
  tinyproxy                                # a real CONNECT proxy for the proxy tests
  lintian rpm composer man-db           # scripts/package.sh and tests/packages/ (issue 13)
  postgresql mariadb-server mariadb-client # throwaway servers for the payment notice tests
  php8.2-pgsql php8.2-mysql php8.2-sqlite3  # the examples/ readers, run by their tests (PDO)
  libdbi-perl libdbd-pg-perl libdbd-mariadb-perl libdbd-sqlite3-perl   # the same in Perl (DBI)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The demo and the tests start their own Apache on loopback; Debian's default one is not needed.
  $SUDO service apache2 stop >/dev/null 2>&1 || true
  $SUDO service tinyproxy stop >/dev/null 2>&1 || true   # the tests start their own
  # tests/notices/run.sh starts its own database servers in a temp dir.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
  $SUDO service mariadb stop >/dev/null 2>&1 || true
fi

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust 1.95 (rustup) first" >&2
  exit 1
fi

# cbindgen checks that the committed C header (perl-xs/capi/include/paygent.h) matches the code.
if ! command -v cbindgen >/dev/null; then
  echo "installing cbindgen 0.29.4 (cargo install)"
  cargo install --locked --quiet cbindgen@0.29.4
fi
