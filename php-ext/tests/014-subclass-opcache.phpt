--TEST--
Merchant subclasses override methods without return types (as with the official class); aliases work with opcache
--EXTENSIONS--
paygent
--INI--
opcache.enable_cli=1
include_path=/nonexistent-paygent-dir
--FILE--
<?php
class MyModule extends \PaygentModule\System\PaygentB2BModule {
    var $calls = 0;
    function post() { $this->calls++; return 'wrapped:' . parent::post(); }
    function reqPut($key, $value) { parent::reqPut(strtolower($key), $value); }
}
$m = new MyModule();
$m->reqPut('TELEGRAM_KIND', '020');
var_dump($m->telegramParam, @$m->post(), $m->calls);
var_dump($m instanceof PaygentB2BModule, get_parent_class($m));
var_dump((new ReflectionMethod('PaygentB2BModule', 'post'))->hasReturnType());
?>
--EXPECT--
array(1) {
  ["telegram_kind"]=>
  string(3) "020"
}
string(14) "wrapped:E01001"
int(1)
bool(true)
string(16) "PaygentB2BModule"
bool(false)
