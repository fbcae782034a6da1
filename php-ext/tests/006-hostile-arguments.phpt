--TEST--
Hostile arguments: arrays, objects, resources, huge strings, NUL bytes never crash
--EXTENSIONS--
paygent
--FILE--
<?php
$p = new PaygentB2BModule();
$p->reqPut('arr', [1, 2, 3]);
$p->reqPut('obj', new stdClass());
$p->reqPut('res', STDIN);
$p->reqPut(['k'], 'array key');
$p->reqPut(new stdClass(), 'object key');
$p->reqPut(1.9, 'float key');
$p->reqPut("nul\0key", "nul\0value");
$huge = str_repeat("\xff", 8 * 1024 * 1024);
$p->reqPut('huge', $huge);
$p->reqPut($huge, 'huge key');
$p->setTimeout([]);
$p->setDefaultId(new stdClass());
var_dump($p->setEncoding([]));
$tp = $p->telegramParam;
var_dump(count($tp));
var_dump($tp['arr'], $tp['obj'], $tp['res'], $tp[1]);
var_dump(bin2hex($p->reqGet("nul\0key")), strlen($p->reqGet('huge')) === strlen($huge));
var_dump(strlen(array_keys($tp)[6]) === strlen($huge));
var_dump($p->getTimeout(), $p->getDefaultId());
var_dump($p->reqGet([]));
try {
    $p->reqPut('only key');
} catch (ArgumentCountError $e) {
    echo get_class($e), "\n";
}
echo "alive\n";
?>
--EXPECTF--
Warning: PaygentB2BModule::reqPut(): array given where a string is expected; "" stored in %s on line %d

Warning: PaygentB2BModule::reqPut(): object given where a string is expected; "" stored in %s on line %d

Warning: PaygentB2BModule::reqPut(): resource given where a string is expected; "" stored in %s on line %d

Warning: PaygentB2BModule::reqPut(): illegal key of type array; parameter ignored in %s on line %d

Warning: PaygentB2BModule::reqPut(): illegal key of type object; parameter ignored in %s on line %d

Warning: PaygentB2BModule::setTimeout(): array given where a string is expected; "" stored in %s on line %d

Warning: PaygentB2BModule::setDefaultId(): object given where a string is expected; "" stored in %s on line %d

Warning: PaygentB2BModule::setEncoding(): array given where a string is expected; "" stored in %s on line %d
string(6) "E01006"
int(7)
string(0) ""
string(0) ""
string(0) ""
string(9) "float key"
string(18) "6e756c0076616c7565"
bool(true)
bool(true)
string(0) ""
string(0) ""

Warning: Illegal offset type array in %s on line %d
NULL
ArgumentCountError
alive
