--TEST--
Extension loads; PaygentB2BModule under its classic and composer names; phpinfo section
--EXTENSIONS--
paygent
--FILE--
<?php
use PaygentModule\System\PaygentB2BModule as P;

var_dump(extension_loaded('paygent'));
var_dump(class_exists('PaygentB2BModule', false));
var_dump(class_exists('PaygentModule\System\PaygentB2BModule', false));
$a = new PaygentB2BModule();
$b = new \PaygentModule\System\PaygentB2BModule();
$c = new P();
var_dump(get_class($b));
var_dump($a instanceof P, $c instanceof PaygentB2BModule);
var_dump(class_exists('PaygentModule\Exception\PaygentB2BModuleException', false));
var_dump(class_exists('PaygentModule\Exception\PaygentB2BModuleConnectException', false));
$m = get_class_methods('PaygentB2BModule');
foreach (['init', 'post', 'setEncoding', 'reqPut', 'reqGet', 'setDefaultId', 'getDefaultId',
          'setDefaultPassword', 'getDefaultPassword', 'setTimeout', 'getTimeout', 'setResultCsv',
          'getResultCsv', 'setSelectMaxCnt', 'getSelectMaxCnt', 'setSendFilePath', 'getSendFilePath',
          'getResultStatus', 'getResponseCode', 'getResponseDetail', 'hasResNext', 'resNext',
          'getResultMessage'] as $name) {
    if (!in_array($name, $m, true)) echo "missing method $name\n";
}
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
var_dump(str_contains($info, 'paygent support => enabled'));
var_dump((bool) preg_match('/^version => \d+\.\d+\.\d+/m', $info));
var_dump(str_contains($info, 'default TLS backend => '));
var_dump(str_contains($info, 'paygent.properties_file => (not set'));
var_dump(ini_get('paygent.properties_file'));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
string(16) "PaygentB2BModule"
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(0) ""
