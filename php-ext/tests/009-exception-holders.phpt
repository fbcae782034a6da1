--TEST--
PaygentB2BModuleException / PaygentB2BModuleConnectException: new-able holders with getErrorCode()
--EXTENSIONS--
paygent
--FILE--
<?php
$e = new PaygentB2BModuleException(PaygentB2BModuleException__RESOURCE_FILE_NOT_FOUND_ERROR, "msg");
var_dump($e->getErrorCode(), $e->errorCode, $e->getLocalizedMessage());
$c = new PaygentB2BModuleConnectException('E02005');
var_dump($c->getErrorCode());
$n = new \PaygentModule\Exception\PaygentB2BModuleConnectException('E02004');
var_dump(get_class($n), $n instanceof PaygentB2BModuleConnectException, $n->getErrorCode());
$x = new \PaygentModule\Exception\PaygentB2BModuleException(null);
var_dump($x->getErrorCode());
?>
--EXPECT--
string(6) "E01001"
string(6) "E01001"
NULL
string(6) "E02005"
string(32) "PaygentB2BModuleConnectException"
bool(true)
string(6) "E02004"
NULL
