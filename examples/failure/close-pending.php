<?php
// Cron job: closes the orders pay.php left pending_confirmation, from the answers of
// `paygent confirm --pending` (run it as the web server's user, who owns the module's journal):
//     */5 * * * * php /srv/shop/bin/close-pending.php
// The configuration is the module's own (paygent.properties_file in php.ini). SHOP_SETTLE, when
// set, is passed as --settle (seconds before "the gateway does not have it" means "not
// processed"; the default, 600, is right in production: the tests set 0).
require __DIR__ . '/orders.php';

$config = ini_get('paygent.properties_file') ?: '/etc/paygent/modenv_properties.php';
$answers = shop_dir() . '/paygent-resolutions.jsonl';
$lock = fopen($answers, 'c') or exit(2);    // one run at a time
flock($lock, LOCK_EX);

// Every answer is appended to this file before it is used: a crash below loses nothing,
// the next run reads it again.
$settle = getenv('SHOP_SETTLE');
exec('paygent confirm --pending --jsonl --config ' . escapeshellarg($config)
    . ($settle === false ? '' : ' --settle ' . escapeshellarg($settle))
    . ' >> ' . escapeshellarg($answers), $unused, $exit);
if ($exit === 2) {
    error_log('paygent confirm --pending: configuration or journal error (run it by hand)');
}

$db = orders();
foreach (file($answers, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    $r = json_decode($line, true);
    if (!is_array($r)) {
        continue;                            // a line cut by a crash of the command
    }
    // An order that is not pending_confirmation (paid by confirm() in pay.php, closed by an
    // earlier run, or not an order of this shop) is left alone: order_move() returns false.
    if ($r['resolution'] === 'processed') {
        order_move($db, $r['trading_id'], 'pending_confirmation', 'paid', $r['gateway_payment_id']);
    } elseif ($r['resolution'] === 'not_processed') {
        // Nothing was charged: the order is closed, unpaid (the shop may ask the customer again).
        order_move($db, $r['trading_id'], 'pending_confirmation', 'unpaid');
    }                                        // 'pending': the next run asks again
}
ftruncate($lock, 0);                         // every answer is applied
exit($exit);
