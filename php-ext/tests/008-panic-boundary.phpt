--TEST--
A Rust panic inside a method becomes E01901 "internal error" (warning), prints nothing else, PHP goes on
--EXTENSIONS--
paygent
--ENV--
PAYGENT_TEST_PANIC=1
--FILE--
<?php
$p = new PaygentB2BModule();
$p->reqPut('a', '1');
var_dump($p->reqPut('__paygent_panic__', 'x'));
$p->reqPut('b', '2');
var_dump($p->telegramParam);
echo "alive\n";
?>
--EXPECTF--
Warning: E01901: internal error: test panic requested in %s on line %d
NULL
array(2) {
  ["a"]=>
  string(1) "1"
  ["b"]=>
  string(1) "2"
}
alive
