--TEST--
Warnings go through trigger_error(): set_error_handler sees E_USER_WARNING; a throwing handler's exception leaves the call
--EXTENSIONS--
paygent
--INI--
include_path=/nonexistent-paygent-dir
--FILE--
<?php
$seen = [];
set_error_handler(function (int $no, string $str) use (&$seen) {
    $seen[] = [$no === E_USER_WARNING ? 'E_USER_WARNING' : $no, $str];
    return true;
});
$p = new PaygentB2BModule();
var_dump($p->init());
$p->reqGet('missing');
var_dump($seen);

set_error_handler(function (int $no, string $str) {
    throw new ErrorException($str, 0, $no);
});
try {
    $r = $p->init();
    echo "not thrown\n";
} catch (ErrorException $e) {
    echo "caught: ", $e->getMessage(), "\n";
}
// The object keeps working after the exception.
restore_error_handler();
var_dump(@$p->init());

// A handler may call back into the object that raised the warning.
set_error_handler(function (int $no, string $str) use ($p) {
    $p->reqPut('seen', $str);
    echo 'handler sees: ', $p->getResultMessage(), "\n";
    return true;
});
var_dump($p->post(), $p->reqGet('seen'));
?>
--EXPECT--
string(6) "E01001"
array(2) {
  [0]=>
  array(2) {
    [0]=>
    string(14) "E_USER_WARNING"
    [1]=>
    string(38) "E01001: Properties file doesn't exist."
  }
  [1]=>
  array(2) {
    [0]=>
    string(14) "E_USER_WARNING"
    [1]=>
    string(29) "Undefined array key "missing""
  }
}
caught: E01001: Properties file doesn't exist.
string(6) "E01001"
handler sees: E01001: Properties file doesn't exist.
string(6) "E01001"
string(38) "E01001: Properties file doesn't exist."
