<?php
// Persistent loop: php loop.php module|curl card|ref COUNT BATCH WARMUP
// Prints `telegrams=N batches=K median_us=X p90_us=Y` (µs per telegram over batches).
require __DIR__ . '/common.inc';

[, $how, $telegram, $count, $batch, $warmup] = $argv + [null, '', '', 1000, 50, 20];
[$count, $batch, $warmup] = [(int) $count, (int) $batch, (int) $warmup];
if (!in_array($how, ['module', 'curl'], true) || !in_array($telegram, ['card', 'ref'], true)
    || $batch <= 0 || $count < $batch) {
    bench_fail("usage: loop.php module|curl card|ref COUNT BATCH WARMUP");
}
$one = $how === 'module' ? 'module_telegram' : 'curl_telegram';

for ($i = 0; $i < $warmup; $i++) {
    bench_check_records($telegram, $one($telegram));
}
$batches = intdiv($count, $batch);
$per = [];
for ($b = 0; $b < $batches; $b++) {
    $t = hrtime(true);
    for ($i = 0; $i < $batch; $i++) {
        $n = $one($telegram);
    }
    $per[] = (hrtime(true) - $t) / 1e3 / $batch;
    bench_check_records($telegram, $n);
}
sort($per);
$k = count($per);
$median = $k % 2 ? $per[intdiv($k, 2)] : ($per[$k / 2 - 1] + $per[$k / 2]) / 2;
$p90 = $per[intdiv(9 * $k + 9, 10) - 1]; // nearest rank, in integers
printf("telegrams=%d batches=%d median_us=%.1f p90_us=%.1f\n", $batches * $batch, $k, $median, $p90);
