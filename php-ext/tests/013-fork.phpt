--TEST--
pcntl_fork: objects work in children and in the parent afterwards (no state shared across fork)
--EXTENSIONS--
paygent
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip pcntl not available'); ?>
--INI--
include_path=/nonexistent-paygent-dir
--FILE--
<?php
$p = new PaygentB2BModule();
$p->reqPut('telegram_kind', '020');
var_dump(@$p->init());
$pids = [];
for ($i = 0; $i < 3; $i++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $c = new PaygentB2BModule();
        $c->reqPut('child', (string) $i);
        $ok = @$c->init() === 'E01001' && $c->reqGet('child') === (string) $i
            && $p->reqGet('telegram_kind') === '020' && @$p->post() === 'E01001';
        exit($ok ? 0 : 1);
    }
    $pids[] = $pid;
}
$codes = [];
foreach ($pids as $pid) {
    pcntl_waitpid($pid, $status);
    $codes[] = pcntl_wifexited($status) ? pcntl_wexitstatus($status) : 'signal ' . pcntl_wtermsig($status);
}
var_dump($codes);
var_dump(@$p->post(), $p->telegramParam);
?>
--EXPECT--
string(6) "E01001"
array(3) {
  [0]=>
  int(0)
  [1]=>
  int(0)
  [2]=>
  int(0)
}
string(6) "E01001"
array(1) {
  ["telegram_kind"]=>
  string(3) "020"
}
