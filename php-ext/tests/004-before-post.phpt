--TEST--
Getters before any post(): null reply state, no records, empty settings
--EXTENSIONS--
paygent
--FILE--
<?php
$p = new PaygentB2BModule();
var_dump($p->getResultStatus(), $p->getResponseCode(), $p->getResponseDetail());
var_dump($p->hasResNext(), $p->resNext(), $p->getResultMessage());
var_dump($p->responseData, $p->telegramParam, $p->telegramKind, $p->resultMessage);
$p->setTimeout(60);
$p->setSelectMaxCnt("100");
$p->setDefaultId("id1");
$p->setDefaultPassword("pw1");
$p->setResultCsv("/tmp/x.csv");
$p->setSendFilePath("/tmp/send.dat");
var_dump($p->getTimeout(), $p->getSelectMaxCnt(), $p->getDefaultId(), $p->getDefaultPassword(),
         $p->getResultCsv(), $p->getSendFilePath());
var_dump($p->timeout, $p->selectMaxCnt, $p->defaultId, $p->resultCsv);
?>
--EXPECT--
NULL
NULL
NULL
bool(false)
NULL
NULL
NULL
array(0) {
}
string(0) ""
NULL
string(2) "60"
string(3) "100"
string(3) "id1"
string(3) "pw1"
string(10) "/tmp/x.csv"
string(13) "/tmp/send.dat"
string(2) "60"
string(3) "100"
string(3) "id1"
string(10) "/tmp/x.csv"
