--TEST--
Hostile replies, through paygent-sim: an endless chunked body and a reply cut mid-line by a FIN end in E02005, and the process's peak RSS stays within a few MB of a normal telegram
--EXTENSIONS--
paygent
--SKIPIF--
<?php
if (!is_readable('/proc/self/status')) die('skip needs /proc/self/status');
require __DIR__ . '/conformance.inc';
if ($r = pc_skip_reason()) die("skip $r");
?>
--FILE--
<?php
require __DIR__ . '/conformance.inc';

function vm_hwm_kb(): int {
    preg_match('/^VmHWM:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
}

$tmp = sys_get_temp_dir() . '/paygent-hostile-' . getmypid();
@mkdir($tmp, 0700, true);
pc_write_properties($tmp, pc_fill($tmp, 'https://127.0.0.1:' . pc_env()['port'] . '/n/card/request'));
set_error_handler(fn() => true);   // the E02005 warnings are expected

function send(string $fault) {
    $p = new PaygentB2BModule();
    $p->init();
    $p->reqPut('telegram_kind', '020');
    $p->reqPut('trading_id', 'hostile');
    $p->reqPut('sim_fault', $fault);
    $t = microtime(true);
    $r = $p->post();
    return [$r, $p->getResultMessage(), microtime(true) - $t];
}

[$r] = send('status:200');   // a normal exchange: result=1 from the gateway
echo 'normal: ', var_export($r, true), "\n";
$base = vm_hwm_kb();

[$r, $msg, $took] = send('endless_chunked');
echo 'endless: ', $r, ' ', str_contains($msg, 'reply_max_size') ? 'size limit' : $msg, "\n";
echo 'within timeout: ', $took < 10 ? 'yes' : "no ($took s)", "\n";

[$r, $msg] = send('cut_mid_line');
echo 'cut: ', $r, ' ', str_contains($msg, 'cut short') ? 'cut' : $msg, "\n";

// Cut at a line end, no TLS close_notify, on both TLS paths: used to pass as a whole reply.
foreach (['openssl', 'rustls'] as $backend) {
    pc_write_properties($tmp, pc_fill($tmp, 'https://127.0.0.1:' . pc_env()['port'] . '/n/card/request'),
        ['paygentB2Bmodule.tls_backend' => $backend]);
    [$r, $msg] = send('cut_at_line_end');
    echo "cut at a line end ($backend): ", $r, ' ', str_contains($msg, 'close_notify') ? 'no close_notify' : $msg, "\n";
}

$grown = vm_hwm_kb() - $base;
echo 'peak RSS: ', $grown < 16 * 1024 ? 'bounded' : "grew by $grown kB", "\n";
pc_rmtree($tmp);
?>
--EXPECT--
normal: true
endless: E02005 size limit
within timeout: yes
cut: E02005 cut
cut at a line end (openssl): E02005 no close_notify
cut at a line end (rustls): E02005 no close_notify
peak RSS: bounded
