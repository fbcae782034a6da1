--TEST--
End to end against paygent-sim: post() true, binary getters, records, responseData, fork, connection refused
--EXTENSIONS--
paygent
--SKIPIF--
<?php
require __DIR__ . '/conformance.inc';
if ($r = pc_skip_reason()) die("skip $r");
if (!function_exists('pcntl_fork')) die('skip pcntl not available');
?>
--FILE--
<?php
require __DIR__ . '/conformance.inc';
$env = pc_env();
$tmp = sys_get_temp_dir() . '/paygent-e2e-' . getmypid();
@mkdir($tmp, 0700, true);
$write = fn(string $sim) => pc_write_properties($tmp, pc_fill($tmp, $sim));
$write("https://127.0.0.1:{$env['port']}/case/reply-50-fixture03-error-sjis");

$p = new \PaygentModule\System\PaygentB2BModule();
var_dump($p->init());
$p->reqPut('merchant_id', 'test_merchant');
$p->reqPut('telegram_kind', '010');
$p->reqPut('trading_id', 'ORDER-0001');
var_dump($p->post());
var_dump($p->getResultStatus(), $p->getResponseCode());
var_dump(bin2hex(substr($p->getResponseDetail(), -6)));   // Windows-31J bytes, untouched
var_dump($p->telegramKind, $p->hasResNext());
var_dump($p->resNext(), $p->resNext(), $p->hasResNext());
$rd = $p->responseData;
var_dump(get_class($rd), $rd->resultStatus, count($rd->data));

// Children post on their own connections; the parent's pool survives.
$pids = [];
for ($i = 0; $i < 2; $i++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $c = new PaygentB2BModule();
        $ok = $c->init() === true;
        $c->reqPut('telegram_kind', '010');
        $ok = $ok && $c->post() === true && $c->getResponseCode() === 'P010' && $p->post() === true;
        exit($ok ? 0 : 1);
    }
    $pids[] = $pid;
}
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $st);
    echo 'child ', pcntl_wifexited($st) ? pcntl_wexitstatus($st) : 'killed', "\n";
}
var_dump($p->post(), $p->getResponseCode());

// Connection refused: E02005, a warning, and the reply state is reset.
$write('https://127.0.0.1:1/case/none');
$q = new PaygentB2BModule();
$q->init();
$q->reqPut('telegram_kind', '010');
var_dump($q->post());
var_dump(str_starts_with($q->getResultMessage(), 'E02005: 7: '), $q->getResultStatus());

unlink("$tmp/modenv_properties.php");
@unlink("$tmp/paygent.log");
@rmdir($tmp);
?>
--EXPECTF--
bool(true)
bool(true)
string(1) "1"
string(4) "P010"
string(12) "82c582b78142"
string(3) "010"
bool(true)
array(2) {
  ["payment_id"]=>
  string(0) ""
  ["trading_id"]=>
  string(10) "ORDER-0003"
}
NULL
bool(false)
string(8) "stdClass"
string(1) "1"
int(1)
child 0
child 0
bool(true)
string(4) "P010"

Warning: E02005: Http request ended with errors. in %s on line %d
string(6) "E02005"
bool(true)
NULL
