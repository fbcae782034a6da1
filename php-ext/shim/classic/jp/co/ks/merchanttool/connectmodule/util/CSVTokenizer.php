<?php
// paygent-rs shim for jp/co/ks/merchanttool/connectmodule/util/CSVTokenizer.php: the PHP extension "paygent" provides its classes and constants.
if (!extension_loaded('paygent')) {
    trigger_error('The PHP extension "paygent" is not loaded: add extension=paygent.so to php.ini', E_USER_WARNING);
}
