<?php
// Pays an order by card (telegram 020) and never charges it twice, whatever the network does:
//     php pay.php ORDER_ID AMOUNT CARD_TOKEN
// In a web request ORDER_ID and AMOUNT are the shop's, and CARD_TOKEN is the token PAYGENT's
// JavaScript put in the payment form. The module finds its configuration as always
// (paygent.properties_file in php.ini, or modenv_properties.php on the include_path).
require __DIR__ . '/orders.php';

if ($argc !== 4 || !preg_match('/^[0-9]+\z/', $argv[2])) {
    fwrite(STDERR, "usage: php pay.php ORDER_ID AMOUNT CARD_TOKEN\n");
    exit(64);
}
[, $orderId, $amount, $cardToken] = $argv;
$db = orders();
if (!order_create($db, $orderId, (int) $amount)) {
    fwrite(STDERR, "order $orderId exists already\n");
    exit(1);
}

$p = new PaygentB2BModule();
$r = $p->init();
if ($r === true) {
    $p->reqPut('telegram_kind', '020');
    $p->reqPut('trading_id', $orderId);      // unique per order: the gateway refuses a reuse (2005)
    $p->reqPut('payment_amount', $amount);
    $p->reqPut('card_token', $cardToken);
    $r = $p->post();
}
if ($r === true && $p->getResultStatus() === '0') {
    order_move($db, $orderId, 'pending_payment', 'paid', $p->resNext()['payment_id']);
} elseif ($p->getFailurePhase() === 'maybe_sent') {
    // Not "failed": the gateway may have charged the card, the customer must not pay again.
    order_move($db, $orderId, 'pending_payment', 'pending_confirmation', null, $r);
    $c = $p->confirm();                      // ask the gateway (094) now
    if ($c['outcome'] === 'found') {
        order_move($db, $orderId, 'pending_confirmation', 'paid', $c['payment_id']);
    }                                        // else close-pending.php closes it later
} else {
    // not_sent, or the gateway answered result=1 (declined...): nothing was charged.
    order_move($db, $orderId, 'pending_payment', 'failed', null, $r === true ? $p->getResponseCode() : $r);
}

$st = $db->prepare('SELECT state FROM orders WHERE id = ?');
$st->execute([$orderId]);
$state = $st->fetchColumn();
echo "order $orderId: $state\n";
exit($state === 'paid' ? 0 : 1);
