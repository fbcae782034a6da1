--TEST--
Every conformance case (tests/conformance/cases) through the extension against paygent-sim
--EXTENSIONS--
paygent
--SKIPIF--
<?php
require __DIR__ . '/conformance.inc';
if ($r = pc_skip_reason()) die("skip $r");
?>
--FILE--
<?php
require __DIR__ . '/conformance.inc';
pc_run_all();
?>
--EXPECTF--
%d cases, 0 failed
