--TEST--
Failure phase (getFailurePhase), retry_not_sent and confirm() against the simulator's faults
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
$env = pc_env();
$tmp = sys_get_temp_dir() . '/paygent-phase-' . getmypid();
@mkdir($tmp, 0700, true);
$sim = "https://127.0.0.1:{$env['port']}";
$tag = 'phase' . getmypid();
function props(string $tmp, string $card, string $ref, array $over = []): void {
    pc_write_properties($tmp, pc_fill($tmp, $card), $over + [
        'paygentB2Bmodule.url.02' => $card, 'paygentB2Bmodule.url.094' => $ref,
        'paygentB2Bmodule.timeout_value' => '2']);
}
function card(string $id, string $fault = ''): PaygentB2BModule {
    $p = new PaygentB2BModule();
    $p->init();
    foreach (['merchant_id' => '10000', 'telegram_kind' => '020', 'trading_id' => $id,
        'payment_amount' => '1500', 'card_number' => '4111111111111111', 'card_valid_term' => '1230'] as $k => $v) {
        $p->reqPut($k, $v);
    }
    if ($fault !== '') $p->reqPut('sim_fault', $fault);
    @$p->post();
    return $p;
}
function sent(string $id): int {
    return count(array_filter(pc_requests('/n/card/request'), fn($r) => str_contains($r['body'], "trading_id=$id&")));
}
props($tmp, "$sim/n/card/request", "$sim/n/ref/paymentref");

// Processed by the gateway, then the reply was lost.
$p = card("$tag-1", 'processed:close');
var_dump($p->getResultStatus(), $p->getFailurePhase(), sent("$tag-1"));
$c = $p->confirm();
var_dump($c['outcome'], strlen($c['payment_id']), $c['trading_id'] === "$tag-1", $c['payment_status'], $c['payment_amount']);

// Never processed: still maybe_sent (the module cannot know), and not_found.
$p = card("$tag-2", 'close');
var_dump($p->getFailurePhase(), $p->confirm());

// A normal payment: no phase.
$p = card("$tag-3");
var_dump($p->getFailurePhase(), $p->confirm()['outcome']);

// Connection refused: not_sent; with retry_not_sent the message says the same code.
props($tmp, 'https://127.0.0.1:1/n/card/request', "$sim/n/ref/paymentref", ['paygentB2Bmodule.retry_not_sent' => '1']);
$p = card("$tag-4");
var_dump(substr($p->getResultMessage(), 0, 6), $p->getFailurePhase(), sent("$tag-4"));
// The inquiry about it goes to the simulator: not_found.
var_dump($p->confirm()['outcome']);
// retry_not_sent unset: two retries by default; 0: none (the official behaviour).
foreach (['default' => [], 'zero' => ['paygentB2Bmodule.retry_not_sent' => '0']] as $name => $over) {
    props($tmp, 'https://127.0.0.1:1/n/card/request', "$sim/n/ref/paymentref",
        $over + ['paygentB2Bmodule.log_output_path' => "$tmp/$name.log"]);
    $p = card("$tag-$name");
    $log = (string) @file_get_contents("$tmp/$name.log");
    var_dump($p->getFailurePhase(), preg_match_all('/retry \d\/\d after a failure before sending/', $log));
}
// Inquiry endpoint down too: unknown, with the module's reason.
props($tmp, 'https://127.0.0.1:1/n/card/request', 'https://127.0.0.1:1/n/ref/paymentref');
$p = card("$tag-5");
$c = $p->confirm();
var_dump($c['outcome'], substr($c['reason'], 0, 6));
pc_rmtree($tmp);
?>
--EXPECT--
NULL
string(10) "maybe_sent"
int(1)
string(5) "found"
int(18)
bool(true)
string(2) "20"
string(4) "1500"
string(10) "maybe_sent"
array(1) {
  ["outcome"]=>
  string(9) "not_found"
}
string(0) ""
string(5) "found"
string(6) "E02005"
string(8) "not_sent"
int(0)
string(9) "not_found"
string(8) "not_sent"
int(2)
string(8) "not_sent"
int(0)
string(7) "unknown"
string(6) "E02005"
