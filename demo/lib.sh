# Shared by demo/run.sh and tests/e2e/demo-test.sh: install, build, PKI, simulator, Apache.
# Source it after setting REPO (repo root) and RUN (runtime dir, absolute).
# shellcheck shell=bash

PHP_CGI=${PHP_CGI:-$(command -v php-cgi || echo /usr/bin/php-cgi8.2)}
# The PHP cart needs PHP 8.1+ (the extension's minimum): without it (Debian 11 has 7.4) the demo
# serves the Perl checkout and the batch only. DEMO_NO_PHP=1 leaves PHP out anywhere.
DEMO_PHP=0
if [ "${DEMO_NO_PHP:-0}" != 1 ] && command -v php-config >/dev/null && [ -x "$PHP_CGI" ] \
    && [ "$(php-config --vernum)" -ge 80100 ]; then
    DEMO_PHP=1
fi
APACHE_BIN=${APACHE_BIN:-/usr/sbin/apache2}
APACHE_MODS=${APACHE_MODS:-/usr/lib/apache2/modules}
APT_PACKAGES="php8.2-cgi php8.2-cli php8.2-dev php8.2-mbstring libclang-dev clang libssl-dev apache2 build-essential pkg-config curl perl openssl"

say() { printf '[demo] %s\n' "$*" >&2; }
die() { printf '[demo] ERROR: %s\n' "$*" >&2; exit 1; }

# Which of the needed tools are missing (one word per missing package).
demo_missing_packages() {
    local miss=""
    [ -x "$PHP_CGI" ] || miss="$miss php8.2-cgi"
    command -v php8.2 >/dev/null || miss="$miss php8.2-cli"
    command -v php-config8.2 >/dev/null || miss="$miss php8.2-dev"
    php8.2 -m 2>/dev/null | grep -qx mbstring || miss="$miss php8.2-mbstring"
    ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || miss="$miss libclang-dev"
    command -v clang >/dev/null || miss="$miss clang"
    [ -f /usr/include/openssl/ssl.h ] || miss="$miss libssl-dev"
    [ -x "$APACHE_BIN" ] || miss="$miss apache2"
    command -v cc >/dev/null && command -v make >/dev/null || miss="$miss build-essential"
    command -v pkg-config >/dev/null || miss="$miss pkg-config"
    command -v curl >/dev/null || miss="$miss curl"
    command -v openssl >/dev/null || miss="$miss openssl"
    echo "$miss"
}

demo_install() {
    local miss
    # The repo-wide installer knows every package the build and tests need.
    if [ -x "$REPO/scripts/install-deps.sh" ]; then
        "$REPO/scripts/install-deps.sh" || die "scripts/install-deps.sh failed"
        return 0
    fi
    miss=$(demo_missing_packages)
    if [ -z "$miss" ]; then
        say "system packages: all present"
    else
        say "installing:$miss"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -q
        # shellcheck disable=SC2086
        $sudo apt-get install -y -q --no-install-recommends $APT_PACKAGES
    fi
    command -v cargo >/dev/null \
        || die "cargo not found: install Rust >= 1.85 (rustup) first; Debian 12's rustc is too old"
}

demo_target() { echo "${CARGO_TARGET_DIR:-$REPO/target}/release"; }

demo_build() {
    local php=()
    ((DEMO_PHP)) && php=(-p paygent-php)
    say "building ${php:+the PHP extension, }the simulator and the paygent tool (release)..."
    (cd "$REPO" && cargo build --locked --release "${php[@]}" -p paygent-sim -p paygent-cli) \
        || die "cargo build failed"
    ((DEMO_PHP == 0)) || [ -f "$(demo_target)/libpaygent.so" ] || die "$(demo_target)/libpaygent.so missing"
    say "building the Perl module..."
    mkdir -p "$(demo_target)"
    (cd "$REPO/perl-xs" && perl Makefile.PL && make) >"$(demo_target)/perl-build.log" 2>&1 \
        || { tail -30 "$(demo_target)/perl-build.log" >&2; die "Perl module build failed"; }
}

# A free loopback TCP port (tiny race between close and Apache's bind; fine for a demo).
demo_free_port() {
    perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 1) or die; print $s->sockport, "\n"'
}

# Lay out RUN: pki, simulator, PHP/Perl config, docroot, Apache config.
demo_prepare() {
    rm -rf "$RUN/www" "$RUN/php" "$RUN/perl" "$RUN/cgi-bin" "$RUN/apache"
    mkdir -p "$RUN"/{www,php/conf,perl,cgi-bin,apache,logs,state,pki}
    "$(demo_target)/paygent-sim" pki --out "$RUN/pki" >/dev/null || die "paygent-sim pki failed"

    if ((DEMO_PHP)); then
        cp "$(demo_target)/libpaygent.so" "$RUN/php/paygent.so"
    else
        say "no PHP 8.1+ here: the PHP cart is left out (Perl checkout and batch only)"
    fi
    [ -d "$REPO/php-ext/shim" ] || die "php-ext/shim missing"
    cp -r "$REPO/php-ext/shim" "$RUN/php/shim"
    cp -r "$REPO/perl-xs/blib" "$RUN/perl/blib"
    cp -r "$REPO/demo/php-cart/." "$RUN/www/"
    mkdir -p "$RUN/www/perl-cart"
    cp "$REPO/demo/perl-cart/"*.cgi "$RUN/www/perl-cart/"
    chmod 755 "$RUN/www/perl-cart/"*.cgi
}

demo_start_sim() {
    rm -f "$RUN/sim.ready"
    : >"$RUN/sim.record"
    "$(demo_target)/paygent-sim" serve --listen 127.0.0.1:0 --pki "$RUN/pki" \
        --record "$RUN/sim.record" --ready-file "$RUN/sim.ready" ${SIM_EXTRA_ARGS:-} >"$RUN/logs/sim.log" 2>&1 &
    echo $! >"$RUN/sim.pid"
    local i
    for i in $(seq 1 100); do
        [ -s "$RUN/sim.ready" ] && break
        kill -0 "$(cat "$RUN/sim.pid")" 2>/dev/null || { cat "$RUN/logs/sim.log" >&2; die "simulator exited"; }
        sleep 0.1
    done
    [ -s "$RUN/sim.ready" ] || die "simulator not ready after 10 s"
    # The ready file names the bound address; accept "127.0.0.1:PORT" anywhere in it.
    SIM_PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$RUN/sim.ready" | head -1 | cut -d: -f2)  || true
    [ -n "$SIM_PORT" ] || SIM_PORT=$(grep -oE '[0-9]+' "$RUN/sim.ready" | tail -1) || true
    [ -n "$SIM_PORT" ] || die "cannot read the port from $RUN/sim.ready"
    SIM_BASE="https://127.0.0.1:$SIM_PORT"
    say "simulator on $SIM_BASE"
}

demo_write_config() {
    local b=$SIM_BASE
    # Classic shims: php-ext/shim/classic/jp/co/ks/... (or directly under shim/).
    local shim="$RUN/php/shim"
    [ -d "$shim/classic/jp" ] && shim="$shim/classic"
    # PHP: classic modenv_properties.php, found through include_path (protocol.md §3).
    cat >"$RUN/php/conf/modenv_properties.php" <<EOF
<?php
# Demo configuration: every URL points at the local gateway simulator.
paygentB2Bmodule.client_file_path=$RUN/pki/client-kit.pem
paygentB2Bmodule.ca_file_path=$RUN/pki/ca.pem
paygentB2Bmodule.proxy_server_name=
paygentB2Bmodule.proxy_server_ip=
paygentB2Bmodule.proxy_server_port=
paygentB2Bmodule.default_id=demo_connect_id
paygentB2Bmodule.default_password=demo_connect_pw
paygentB2Bmodule.merchant_id=000000001
paygentB2Bmodule.timeout_value=35
paygentB2Bmodule.log_output_path=$RUN/logs/paygent-php.log
paygentB2Bmodule.debug_flg=1
paygentB2Bmodule.select_max_cnt=2000
paygentB2Bmodule.telegram_kind.ref=027,090
paygentB2Bmodule.url.01=$b/n/atm/request
paygentB2Bmodule.url.02=$b/n/card/request
paygentB2Bmodule.url.03=$b/n/conveni/request
paygentB2Bmodule.url.04=$b/n/conveni/request_print
paygentB2Bmodule.url.091=$b/n/ref/paynotice
paygentB2Bmodule.url.094=$b/n/ref/paymentref
paygentB2Bmodule.url.11=$b/n/card/request
?>
EOF
    # Perl: paygent.properties is Perl code; kit layout puts it beside Paygent/B2B.pm.
    cat >"$RUN/perl/paygent.properties" <<EOF
# Demo configuration (Perl code, loaded with require).
our \$HTTPS_CERT_FILE = '$RUN/pki/client-kit.pem';
our \$HTTPS_KEY_FILE  = '';
our \$HTTPS_CA_FILE   = '$RUN/pki/ca.pem';
our \$default_id       = 'demo_connect_id';
our \$default_password = 'demo_connect_pw';
our \$timeout_value    = 35;
our \$log_output_path  = '$RUN/logs/paygent-perl.log';
our \$select_max_cnt   = 2000;
our \$merchant_id      = '000000001';
our \$telegram_ver     = '1.0';
our \$Debug            = 1;
our %url = (
    '02'  => '$b/n/card/request',
    '03'  => '$b/n/conveni/request',
    '091' => '$b/n/ref/paynotice',
    '094' => '$b/n/ref/paymentref',
);
1;
EOF
    # `paygent` refuses a configuration or key others could write (a umask of 002).
    chmod go-w "$RUN/php/conf/modenv_properties.php" "$RUN/perl/paygent.properties" "$RUN"/pki/*
    if [ -d "$RUN/perl/blib/lib/Paygent" ]; then
        cp "$RUN/perl/paygent.properties" "$RUN/perl/blib/lib/Paygent/paygent.properties"
    fi
    # Shop settings shared by the carts (not module configuration).
    cat >"$RUN/php/conf/shop_config.php" <<EOF
<?php
define('SHOP_MERCHANT_ID', '000000001');
define('SHOP_TELEGRAM_VERSION', '1.0');
EOF
    # php-cgi behind mod_actions: Apache sets REDIRECT_STATUS, so force_redirect stays on.
    cat >"$RUN/cgi-bin/php-cgi" <<EOF
#!/bin/sh
exec $PHP_CGI -d extension=$RUN/php/paygent.so \\
  -d include_path=.:$shim:$RUN/php/conf \\
  -d cgi.force_redirect=1 -d display_errors=0 -d log_errors=1 \\
  -d error_log=$RUN/logs/php_errors.log
EOF
    chmod 755 "$RUN/cgi-bin/php-cgi"
}

demo_write_httpd_conf() {
    APACHE_PORT=${DEMO_PORT:-$(demo_free_port)}
    local user=""
    # Apache refuses CGI as root: workers run as www-data when started by root.
    [ "$(id -u)" = 0 ] && user="User www-data
Group www-data"
    cat >"$RUN/apache/httpd.conf" <<EOF
# Demo Apache: prefork + mod_cgi + mod_actions, loopback only.
ServerRoot "$RUN/apache"
ServerName 127.0.0.1
Listen 127.0.0.1:$APACHE_PORT
PidFile $RUN/apache/httpd.pid
DefaultRuntimeDir $RUN/apache
Mutex file:$RUN/apache default
ErrorLog $RUN/logs/apache_error.log
LogLevel warn
LogFormat "%h %t \"%r\" %>s %b" demo
CustomLog $RUN/logs/apache_access.log demo
$user
LoadModule mpm_prefork_module $APACHE_MODS/mod_mpm_prefork.so
LoadModule authz_core_module $APACHE_MODS/mod_authz_core.so
LoadModule mime_module $APACHE_MODS/mod_mime.so
LoadModule dir_module $APACHE_MODS/mod_dir.so
LoadModule alias_module $APACHE_MODS/mod_alias.so
LoadModule cgi_module $APACHE_MODS/mod_cgi.so
LoadModule actions_module $APACHE_MODS/mod_actions.so
LoadModule env_module $APACHE_MODS/mod_env.so
StartServers 2
MinSpareServers 1
MaxSpareServers 4
MaxRequestWorkers 8
TypesConfig /etc/mime.types
AddDefaultCharset Off
DocumentRoot "$RUN/www"
DirectoryIndex index.php index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$RUN/www">
    Options -Indexes
    Require all granted
</Directory>
<FilesMatch "\.php\$">
    SetHandler application/x-httpd-php
</FilesMatch>
ScriptAlias /php-cgi-bin/ "$RUN/cgi-bin/"
Action application/x-httpd-php /php-cgi-bin/php-cgi
<Directory "$RUN/cgi-bin">
    # reachable only through the Action redirect, never directly
    Require env REDIRECT_STATUS
</Directory>
<Directory "$RUN/www/perl-cart">
    Options +ExecCGI
    AddHandler cgi-script .cgi
    SetEnv PERL5LIB "$RUN/perl/blib/lib:$RUN/perl/blib/arch"
    SetEnv PAYGENT_PROPERTIES "$RUN/perl/paygent.properties"
    SetEnv DEMO_STATE_DIR "$RUN/state"
</Directory>
EOF
}

demo_start_apache() {
    # www-data must read the runtime tree and write logs/state.
    if [ "$(id -u)" = 0 ]; then
        chown -R www-data:www-data "$RUN/logs" "$RUN/state" "$RUN/pki" "$RUN/php" "$RUN/perl"
        chmod 755 "$RUN"
    fi
    "$APACHE_BIN" -f "$RUN/apache/httpd.conf" -k start || die "apache failed to start (see $RUN/logs/apache_error.log)"
    local i
    for i in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$APACHE_PORT/" && break
        sleep 0.1
    done
    curl -s -o /dev/null "http://127.0.0.1:$APACHE_PORT/" || die "apache not answering on $APACHE_PORT"
    echo "$APACHE_PORT" >"$RUN/apache.port"
    CART_URL="http://127.0.0.1:$APACHE_PORT/"
    say "apache on $CART_URL"
}

demo_stop() {
    if [ -f "$RUN/apache/httpd.conf" ] && [ -f "$RUN/apache/httpd.pid" ]; then
        "$APACHE_BIN" -f "$RUN/apache/httpd.conf" -k stop 2>/dev/null || true
        local i
        for i in $(seq 1 50); do [ -f "$RUN/apache/httpd.pid" ] || break; sleep 0.1; done
    fi
    if [ -f "$RUN/sim.pid" ]; then
        kill "$(cat "$RUN/sim.pid")" 2>/dev/null || true
        rm -f "$RUN/sim.pid"
    fi
}

# The Perl environment for command-line scripts (the 091 batch).
demo_perl_env() {
    export PERL5LIB="$RUN/perl/blib/lib:$RUN/perl/blib/arch"
    export PAYGENT_PROPERTIES="$RUN/perl/paygent.properties"
}

demo_start_all() {
    demo_prepare
    demo_start_sim
    demo_write_config
    demo_write_httpd_conf
    demo_start_apache
}
