--TEST--
init() without a properties file returns "E01001" with the official warning, never dies
--EXTENSIONS--
paygent
--INI--
include_path=/nonexistent-paygent-dir
--FILE--
<?php
$p = new PaygentB2BModule();
var_dump($p->init());
var_dump($p->getResultStatus());
// post() without a successful init() gives the init error, no telegram is sent.
var_dump($p->post());
var_dump($p->getResultMessage());
ini_set('paygent.properties_file', '/nonexistent-paygent-dir/modenv_properties.php');
var_dump($p->init());
?>
--EXPECTF--
Warning: E01001: Properties file doesn't exist. in %s on line %d
string(6) "E01001"
NULL

Warning: E01001: Properties file doesn't exist. in %s on line %d
string(6) "E01001"
string(38) "E01001: Properties file doesn't exist."

Warning: E01001: Properties file doesn't exist. in %s on line %d
string(6) "E01001"
