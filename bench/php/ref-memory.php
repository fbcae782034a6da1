<?php
// Memory of one large 027 reference reply (issue 14 #3): php ref-memory.php RECORDS BODY_FILE
// Prints `records=N reply_kb=B retained_kb=R peak_kb=P`: RSS held while the reply's records are
// readable (after post, before resNext) and the peak (VmHWM) during post, both above the RSS
// after init. PAYGENT properties come from include_path (set by bench/run.sh).
function status_kb(string $field): int
{
    preg_match("/^$field:\\s+(\\d+) kB/m", file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
}

[$_, $want, $body] = $argv + [null, 0, ''];
$p = new PaygentB2BModule();
if ($p->init() !== true) { fwrite(STDERR, "init failed\n"); exit(1); }
$p->reqPut('telegram_kind', '027');
$p->reqPut('customer_id', 'bench-customer');
$base = status_kb('VmRSS');
$r = $p->post();
if ($r !== true) { fwrite(STDERR, "post: " . var_export($r, true) . ' ' . $p->getResultMessage() . "\n"); exit(1); }
$retained = status_kb('VmRSS') - $base;
$peak = status_kb('VmHWM') - $base;
$n = 0;
while ($p->hasResNext()) { $n += $p->resNext() ? 1 : 0; }
if ($n !== (int) $want) { fwrite(STDERR, "$n records, expected $want\n"); exit(1); }
printf("records=%d reply_kb=%d retained_kb=%d peak_kb=%d\n", $n, intdiv(filesize($body), 1024), $retained, $peak);
