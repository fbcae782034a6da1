--TEST--
Memory, offline: 50000 failing telegrams in one PHP process leave PHP's heap and the resident set flat
--EXTENSIONS--
paygent
--SKIPIF--
<?php
if (!is_readable('/proc/self/statm')) die('skip needs /proc/self/statm');
?>
--FILE--
<?php
require __DIR__ . '/memory.inc';
$tmp = mem_configure('https://127.0.0.1:1/none');
set_error_handler(fn() => true);   // the E02003 warning of every post

// An unknown kind fails before sending: parameters, conversion, errors, result state.
$kana = "\xef\xbd\xb1\xef\xbd\xb2\xef\xbd\xb3";   // half-width kana, converted on the way
mem_verdict('offline, 50000 failing telegrams', mem_measure(50000, function (int $i) use ($kana) {
    $p = new PaygentB2BModule();
    $p->init();
    $p->reqPut('telegram_kind', '9');
    $p->reqPut('trading_id', "mem-$i");
    $p->reqPut('payment_amount', $i);
    $p->reqPut('customer_name', str_repeat($kana, 20));
    if ($p->post() !== 'E02003') throw new RuntimeException('unexpected: ' . $p->getResultMessage());
}));
pc_rmtree($tmp);
?>
--EXPECT--
offline, 50000 failing telegrams: flat
