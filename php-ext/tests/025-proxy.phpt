--TEST--
Proxy keys (proxy_server_ip / proxy_server_name, proxy_server_port, proxy_user, proxy_password) through a real CONNECT proxy (tinyproxy, Basic auth)
--EXTENSIONS--
paygent
--SKIPIF--
<?php
require __DIR__ . '/conformance.inc';
if ($r = pc_skip_reason()) die("skip $r");
if (!is_executable('/usr/bin/tinyproxy')) die('skip tinyproxy not installed (apt-get install tinyproxy)');
?>
--FILE--
<?php
require __DIR__ . '/conformance.inc';
$env = pc_env();
$tmp = sys_get_temp_dir() . '/paygent-proxy-' . getmypid();
@mkdir($tmp, 0700, true);
$s = stream_socket_server('tcp://127.0.0.1:0');
$pport = (int) explode(':', stream_socket_get_name($s, false))[1];
fclose($s);
[$user, $pass] = ['TEST-proxy-user', 'TEST-proxy-pass'];
[$pid, $pdir] = explode(' ', trim((string) shell_exec(
    __DIR__ . "/../../tests/proxy/tinyproxy.sh $pport $user $pass")) . ' ');
if (!ctype_digit($pid)) { echo "tinyproxy did not start\n"; exit(1); }
$connects = fn() => preg_match_all("/CONNECT 127\\.0\\.0\\.1:{$env['port']} /",
    (string) @file_get_contents("$pdir/tinyproxy.log"));
$tag = 'proxy' . getmypid();
function pay(string $tmp, array $over, string $id): array {
    global $env;
    pc_write_properties($tmp, pc_fill($tmp, "https://127.0.0.1:{$env['port']}/n/card/request"),
        $over + ['paygentB2Bmodule.keep_alive' => 'false']);
    $p = new PaygentB2BModule();
    $p->init();
    $p->reqPut('merchant_id', '000000');
    $p->reqPut('telegram_kind', '020');
    $p->reqPut('trading_id', $id);
    $p->reqPut('payment_amount', '100');
    $p->reqPut('card_number', '4111111111111111');
    $p->reqPut('card_valid_term', '1230');
    $r = @$p->post();
    return [$r, $p->getResultStatus()];
}
$explicit = ['paygentB2Bmodule.proxy_server_ip' => '127.0.0.1', 'paygentB2Bmodule.proxy_server_port' => (string) $pport,
    'paygentB2Bmodule.proxy_user' => $user, 'paygentB2Bmodule.proxy_password' => $pass];

$n = $connects();
var_dump(pay($tmp, $explicit, "$tag-ip"), $connects() - $n);
$n = $connects();
$byName = ['paygentB2Bmodule.proxy_server_ip' => '', 'paygentB2Bmodule.proxy_server_name' => 'localhost'] + $explicit;
var_dump(pay($tmp, $byName, "$tag-name"), $connects() - $n);
// Wrong password: the proxy refuses, E02005, the gateway never sees the telegram.
var_dump(pay($tmp, ['paygentB2Bmodule.proxy_password' => 'wrong'] + $explicit, "$tag-refused"));
var_dump(count(array_filter(pc_requests('/n/card/request'), fn($r) => str_contains($r['body'], "$tag-refused"))));
// No proxy: nothing in its log.
$n = $connects();
var_dump(pay($tmp, [], "$tag-direct")[0], $connects() - $n);
posix_kill((int) $pid, SIGTERM);
pc_rmtree($tmp);
shell_exec('rm -rf ' . escapeshellarg($pdir));
?>
--EXPECT--
array(2) {
  [0]=>
  bool(true)
  [1]=>
  string(1) "0"
}
int(1)
array(2) {
  [0]=>
  bool(true)
  [1]=>
  string(1) "0"
}
int(1)
array(2) {
  [0]=>
  string(6) "E02005"
  [1]=>
  NULL
}
int(0)
bool(true)
int(0)
