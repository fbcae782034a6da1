#!/usr/bin/env bash
# Composer: both composer.json files pass `composer validate --strict` (Debian's composer), and
# the recipe of docs/migration-php.md works from a checkout: a `path` repository on
# php-ext/shim/composer (copied, not linked; version given by the repository options), a real
# `composer install`, modenv_properties.php found through paygent.properties_file outside
# vendor/, a telegram to the simulator. The installed-package recipe is in install-test.sh.
# Prints `N passed, N failed`; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/paygent-composer.XXXXXX")
. "$root/tests/packages/lib.sh"
. "$root/packaging/layout.sh"
cleanup() { stop_sim; rm -rf "$work"; }
trap cleanup EXIT
command -v composer >/dev/null || skip_or_fail "composer missing (scripts/install-deps.sh installs it)"
layout_init
export COMPOSER_HOME=$work/composer-home COMPOSER_NO_INTERACTION=1

echo "== composer validate --strict ($(composer --version 2>/dev/null | head -1))"
for f in php-ext/composer.json php-ext/shim/composer/composer.json; do
  check "$f" bash -c "cd '$root/$(dirname "$f")' && composer validate --strict >'$work/validate.log' 2>&1 || { cat '$work/validate.log'; false; }"
done

echo "== recipe: path repository on php-ext/shim/composer"
(cd "$root" && cargo build --locked --release -p paygent-php >"$work/build.log" 2>&1) \
  || { cat "$work/build.log"; nok "cargo build -p paygent-php"; summary; exit 1; }
ext=${CARGO_TARGET_DIR:-$root/target}/release/libpaygent.so
shim=$root/php-ext/shim/composer
proj=$work/shop
mkdir -p "$proj" "$work/config"
cat >"$proj/composer.json" <<EOF
{
    "repositories": [
        {"type": "path", "url": "$shim",
         "options": {"symlink": false, "versions": {"paygent/connect": "$VERSION"}}},
        {"packagist.org": false}
    ],
    "require": {"paygent/connect": "^${VERSION%.*}"}
}
EOF
# Composer itself must see the extension: the package requires ext-paygent.
if ! php -m | grep -qx paygent; then
  check "without the extension composer refuses (ext-paygent)" \
    bash -c "cd '$proj' && ! composer install --no-progress >'$work/refuse.log' 2>&1 && grep -q 'ext-paygent' '$work/refuse.log'"
  rm -rf "$proj/vendor" "$proj/composer.lock"
fi
if (cd "$proj" && php -d "extension=$ext" "$(command -v composer)" install --no-progress) >"$work/install.log" 2>&1; then
  ok "composer install"
else
  cat "$work/install.log"; nok "composer install"
fi
check "composer.lock pins paygent/connect $VERSION" grep -q "\"version\": \"$VERSION\"" "$proj/composer.lock"
check "vendor/paygent/connect is a copy, not a link into the checkout" test ! -L "$proj/vendor/paygent/connect"
check "autoload maps PaygentModule\\System\\ to the package" grep -qF "'PaygentModule\\\\System\\\\' => array(\$vendorDir . '/paygent/connect/src/paygent_module/System')" "$proj/vendor/composer/autoload_psr4.php"

start_sim || { nok "simulator start"; summary; exit 1; }
write_modenv "$work/config/modenv_properties.php" "$work/paygent.log"
{
  echo '<?php'
  echo 'require __DIR__ . "/vendor/autoload.php";'
  echo 'use PaygentModule\System\PaygentB2BModule;'
  php_card_payment composer-recipe-$$
} >"$proj/pay.php"
out=$(cd / && php -d "extension=$ext" -d "paygent.properties_file=$work/config/modenv_properties.php" "$proj/pay.php" 2>&1)
echo "   $out"
check "composer project: 020 answered (properties file outside vendor/)" grep -qE 'status=0 payment_id=' <<<"$out"
check "the simulator saw the telegram" sim_saw "composer-recipe-$$"
check "nothing written into php-ext/shim/composer" bash -c "cd '$root' && test -z \"\$(git status --porcelain --ignored -- php-ext/shim/composer)\""

summary
