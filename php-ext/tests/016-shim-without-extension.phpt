--TEST--
A shim file included without the extension says how to fix it (and defines nothing itself)
--EXTENSIONS--
paygent
--FILE--
<?php
$shim = __DIR__ . '/../shim/classic/jp/co/ks/merchanttool/connectmodule/system/PaygentB2BModule.php';
$code = 'include ' . var_export($shim, true) . '; var_dump(class_exists("PaygentB2BModule", false));';
$out = shell_exec(escapeshellarg(PHP_BINARY) . ' -n -d display_errors=stdout -r ' . escapeshellarg($code) . ' 2>&1');
echo trim($out), "\n";
?>
--EXPECTF--
Warning: The PHP extension "paygent" is not loaded: add extension=paygent.so to php.ini in %sPaygentB2BModule.php on line 4
bool(false)
