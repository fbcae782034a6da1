--TEST--
Session cache: concurrent fresh processes sharing one cached (single-use) TLS 1.3 ticket make exactly one connection per telegram
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
// The simulator (rustls) takes a TLS 1.3 ticket once: of the processes that read the same
// cached session, one resumes and the others get a full handshake, which must happen on the
// same connection (issue 14 item 8: it used to be a second one).
require __DIR__ . '/conformance.inc';
$env = pc_env();
$tmp = sys_get_temp_dir() . '/paygent-conn-' . getmypid();
@mkdir("$tmp/sessions", 0700, true);
chmod("$tmp/sessions", 0700);
$path = '/n/atm/request';
$tag = 'conn' . getmypid();
pc_write_properties($tmp, pc_fill($tmp, "https://127.0.0.1:{$env['port']}$path"),
    ['paygentB2Bmodule.session_cache_dir' => "$tmp/sessions"]);

function one_telegram(string $id): int {
    $p = new PaygentB2BModule();
    if ($p->init() !== true) return 2;
    $p->reqPut('telegram_kind', '010');
    $p->reqPut('trading_id', $id);
    return $p->post() === true ? 0 : 1;
}
function in_children(int $n, string $prefix): array {
    $pids = [];
    for ($i = 0; $i < $n; $i++) {
        $pid = pcntl_fork();
        if ($pid === 0) exit(one_telegram("$prefix-$i"));
        $pids[] = $pid;
    }
    $codes = [];
    foreach ($pids as $pid) { pcntl_waitpid($pid, $st); $codes[] = pcntl_wexitstatus($st); }
    return $codes;
}

// Prime the cache in one process (full handshake, ticket stored), then 20 at once.
var_dump(in_children(1, "$tag-prime") === [0]);
var_dump(count(glob("$tmp/sessions/*.tlssession")));
$codes = in_children(20, "$tag-burst");
var_dump(array_sum($codes));

$reqs = pc_requests($path);
$prime = array_values(array_filter($reqs, fn($r) => str_contains($r['body'], "trading_id=$tag-prime-0")));
$burst = array_values(array_filter($reqs, fn($r) => str_contains($r['body'], "trading_id=$tag-burst-")));
var_dump(count($prime), count($burst));
// Every connection the simulator accepted after the priming one, whether it carried a request
// or failed its handshake, is numbered: the highest number is reached by a request, since a
// process's fall-back connection would come after its failed one.
$conns = array_map(fn($r) => $r['conn'], $burst);
echo 'connections for 20 telegrams: ', max($conns) - $prime[0]['conn'], "\n";
echo 'distinct: ', count(array_unique($conns)), "\n";
pc_rmtree($tmp);
?>
--EXPECT--
bool(true)
int(1)
int(0)
int(1)
int(20)
connections for 20 telegrams: 20
distinct: 20
