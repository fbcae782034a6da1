<?php
// One card telegram through the extension, as a CGI checkout page does it: the process-per-
// request measure under php-cgi -q. Self-contained: a bench harness include would add its own
// compile time to the figure.
$p = new PaygentB2BModule();
$p->init();
$p->reqPut('telegram_kind', '020');
$p->reqPut('telegram_version', '1.0');
$p->reqPut('merchant_id', 'bench00001');
$p->reqPut('payment_amount', '1000');
$p->reqPut('card_number', '4111111111111111');
$p->reqPut('card_valid_term', '1230');
$p->reqPut('payment_class', '10');
$r = $p->post();
if ($r !== true || $p->getResultStatus() !== '0') {
    fwrite(STDERR, 'bench: post ' . var_export($r, true) . ' ' . $p->getResultMessage() . "\n");
    exit(1);
}
while ($p->hasResNext()) {
    $p->resNext();
}
