--TEST--
reqPut: only null becomes "" (decisions.md 7); scalars convert like PHP strings; order kept
--EXTENSIONS--
paygent
--FILE--
<?php
$p = new PaygentB2BModule();
$p->reqPut('amount', 0);
$p->reqPut('float', 1.5);
$p->reqPut('t', true);
$p->reqPut('f', false);
$p->reqPut('n', null);
$p->reqPut('big', PHP_INT_MAX);
$p->reqPut('neg', -12);
$p->reqPut('zero_float', 0.0);
$p->reqPut(7, 'int key');
$p->reqPut(null, 'null key');
$p->reqPut(true, 'true key');
$p->reqPut('amount', '500');       // re-put keeps the position
$p->reqPut('sjis', "\x8a\xbf\x8e\x9a");  // bytes stay bytes
class S { function __toString(): string { return "stringable"; } }
$p->reqPut('obj', new S());
var_dump($p->telegramParam);
var_dump($p->reqGet('amount'), $p->reqGet(7), $p->reqGet('7'), $p->reqGet(null));
var_dump(bin2hex($p->reqGet('sjis')));
?>
--EXPECTF--
array(13) {
  ["amount"]=>
  string(3) "500"
  ["float"]=>
  string(3) "1.5"
  ["t"]=>
  string(1) "1"
  ["f"]=>
  string(0) ""
  ["n"]=>
  string(0) ""
  ["big"]=>
  string(19) "9223372036854775807"
  ["neg"]=>
  string(3) "-12"
  ["zero_float"]=>
  string(1) "0"
  [7]=>
  string(7) "int key"
  [""]=>
  string(8) "null key"
  [1]=>
  string(8) "true key"
  ["sjis"]=>
  string(4) "%s"
  ["obj"]=>
  string(10) "stringable"
}
string(3) "500"
string(7) "int key"
string(7) "int key"
string(8) "null key"
string(8) "8abf8e9a"
