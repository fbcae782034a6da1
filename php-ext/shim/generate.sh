#!/usr/bin/env bash
# Regenerates the shim files (both layouts) from one template. The shims hold no logic: the
# extension `paygent` defines every class and constant they stood for.
set -euo pipefail
cd "$(dirname "$0")"

shim() { # $1 = file, $2 = what it stood for
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<PHP
<?php
// paygent-rs shim for $2: the PHP extension "paygent" provides its classes and constants.
if (!extension_loaded('paygent')) {
    trigger_error('The PHP extension "paygent" is not loaded: add extension=paygent.so to php.ini', E_USER_WARNING);
}
PHP
}

classic=classic/jp/co/ks/merchanttool/connectmodule
for f in system/PaygentB2BModule system/PaygentB2BModuleResources \
         entity/ResponseData entity/ResponseDataFactory entity/PaymentResponseDataImpl \
         entity/ReferenceResponseDataImpl entity/FilePaymentResponseDataImpl \
         exception/PaygentB2BModuleConnectException exception/PaygentB2BModuleException \
         util/CSVTokenizer util/CSVWriter util/HttpsRequestSender util/PaygentB2BModuleLogger \
         util/StringUtil util/Encoder; do
  shim "$classic/$f.php" "jp/co/ks/merchanttool/connectmodule/$f.php"
done

src=composer/src/paygent_module
for f in System/PaygentB2BModule System/PaygentB2BModuleResources \
         Entity/ResponseData Entity/ResponseDataFactory Entity/PaymentResponseDataImpl \
         Entity/ReferenceResponseDataImpl Entity/FilePaymentResponseDataImpl \
         Exception/PaygentB2BModuleConnectException Exception/PaygentB2BModuleException \
         Util/CSVTokenizer Util/CSVWriter Util/HttpsRequestSender Util/PaygentB2BModuleLogger \
         Util/StringUtil Util/Encoder; do
  shim "$src/$f.php" "PaygentModule\\${f//\//\\}"
done
