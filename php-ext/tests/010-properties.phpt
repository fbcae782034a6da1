--TEST--
Public properties mirror core state: telegramParam (ordered), telegramKind, resultMessage, responseData
--EXTENSIONS--
paygent
--FILE--
<?php
$p = new PaygentB2BModule();
$p->reqPut('telegram_kind', '020');
$p->reqPut('b', 'x');
$p->reqPut('a', 'y');
var_dump(array_keys($p->telegramParam));
var_dump(isset($p->telegramParam['b']), $p->telegramParam['a']);
var_dump($p->resultMessage, $p->responseData);
var_dump($p->setEncoding('nope'), $p->resultMessage === $p->getResultMessage());
try {
    $p->telegramKind = 'x';
} catch (Throwable $e) {
    echo "read-only\n";
}
$p->timeout = 45;
$p->defaultId = 'abc';
var_dump($p->getTimeout(), $p->defaultId, $p->getDefaultId());
?>
--EXPECT--
array(3) {
  [0]=>
  string(13) "telegram_kind"
  [1]=>
  string(1) "b"
  [2]=>
  string(1) "a"
}
bool(true)
string(1) "y"
NULL
NULL
string(6) "E01006"
bool(true)
read-only
string(2) "45"
string(3) "abc"
string(3) "abc"
