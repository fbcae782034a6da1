--TEST--
Memory, through paygent-sim: 5000 mutual-TLS telegrams in one PHP process leave PHP's heap and the resident set flat
--EXTENSIONS--
paygent
--SKIPIF--
<?php
if (!is_readable('/proc/self/statm')) die('skip needs /proc/self/statm');
require __DIR__ . '/conformance.inc';
if ($r = pc_skip_reason()) die("skip $r");
?>
--FILE--
<?php
require __DIR__ . '/memory.inc';
$tmp = mem_configure('https://127.0.0.1:' . pc_env()['port'] . '/case/reply-48-fixture01-atm-ok');

// Post over the pooled mutual-TLS connection, parse the reply into records, read them back.
mem_verdict('online, 5000 telegrams', mem_measure(5000, function (int $i) {
    $p = new PaygentB2BModule();
    $p->init();
    $p->reqPut('telegram_kind', '010');
    $p->reqPut('trading_id', "mem-$i");
    if ($p->post() !== true) throw new RuntimeException('post: ' . $p->getResultMessage());
    $n = 0;
    while ($p->hasResNext()) $n += count($p->resNext());
    if ($n === 0 || $p->responseData === null) throw new RuntimeException('no record');
}));
pc_rmtree($tmp);
?>
--EXPECT--
online, 5000 telegrams: flat
