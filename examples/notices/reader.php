<?php
// Applies the payment notices that `paygent notices sync` stored to the shop's orders, oldest
// first, until none is left: run it after each sync (cron), as the database user of
// grant.postgres.sql / grant.mariadb.sql. Safe to run twice at once, and to run again after a
// crash: each notice is applied and marked in one transaction, and a notice older than the one
// an order already has changes nothing.
//
//   SHOP_DB_DSN='pgsql:host=db;dbname=shop' SHOP_DB_USER=shop_reader SHOP_DB_PASSWORD=… php reader.php
//   (mysql:host=db;dbname=shop, sqlite:/var/lib/paygent/notices.db)
//
// Exit status: 0 every notice applied; 1 some notice could not be applied (its process_error
// says why; it is tried again next run); 2 database error.

$db = new PDO(getenv('SHOP_DB_DSN') ?: 'pgsql:host=localhost;dbname=shop',
              getenv('SHOP_DB_USER') ?: null, getenv('SHOP_DB_PASSWORD') ?: null,
              [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 30]);
$driver = $db->getAttribute(PDO::ATTR_DRIVER_NAME);
$now = ['pgsql' => 'now()', 'mysql' => 'UTC_TIMESTAMP(6)',
        'sqlite' => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"][$driver];
// SQLite has no row locks: BEGIN IMMEDIATE takes the write lock before the notice is read.
$begin = $driver === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN';
$forUpdate = $driver === 'sqlite' ? '' : ' FOR UPDATE';

// Notice ids are digits of any length: a later one is longer, or as long and greater.
$later = fn($col) => "(length($col) > length(?) OR (length($col) = length(?) AND $col > ?))";
$next = $db->prepare("SELECT payment_notice_id FROM paygent_notices
                       WHERE processed_at IS NULL AND " . $later('payment_notice_id') . "
                       ORDER BY length(payment_notice_id), payment_notice_id LIMIT 500");
$lock = $db->prepare("SELECT trading_id, payment_status, payment_amount FROM paygent_notices
                       WHERE payment_notice_id = ? AND processed_at IS NULL$forUpdate");
$order = $db->prepare("SELECT paygent_notice_id FROM orders WHERE order_no = ?$forUpdate");
$apply = $db->prepare("UPDATE orders SET payment_status = ?, paid_amount = ?,
                              paygent_notice_id = ?, updated_at = $now WHERE order_no = ?");
$done = $db->prepare("UPDATE paygent_notices SET processed_at = $now, process_error = NULL
                       WHERE payment_notice_id = ?");
$failed = $db->prepare("UPDATE paygent_notices SET process_error = ? WHERE payment_notice_id = ?");

function later_than(string $id, ?string $than): bool {
    return $than === null || strlen($id) > strlen($than)
        || (strlen($id) === strlen($than) && strcmp($id, $than) > 0);
}

$applied = 0;
$errors = 0;
$last = '';   // the last notice looked at in this run: a failed one is not tried twice
try {
    do {
        $next->execute([$last, $last, $last]);
        $ids = $next->fetchAll(PDO::FETCH_COLUMN);
        foreach ($ids as $id) {
            $last = $id;
            $db->exec($begin);
            try {
                $lock->execute([$id]);
                $n = $lock->fetch(PDO::FETCH_ASSOC);
                $lock->closeCursor();
                if ($n === false) {          // another reader applied it meanwhile
                    $db->exec('ROLLBACK');
                    continue;
                }
                $order->execute([$n['trading_id']]);
                $o = $order->fetch(PDO::FETCH_ASSOC);
                $order->closeCursor();
                if ($o === false) {
                    throw new RuntimeException("no order {$n['trading_id']}");
                }
                if (later_than($id, $o['paygent_notice_id'])) {
                    // payment_status as PAYGENT reports it: 20 authorised, 40 paid, …
                    $apply->execute([$n['payment_status'], $n['payment_amount'], $id,
                                     $n['trading_id']]);
                }
                $done->execute([$id]);
                $db->exec('COMMIT');
                $applied++;
            } catch (Exception $e) {
                $db->exec('ROLLBACK');
                $failed->execute([substr($e->getMessage(), 0, 500), $id]);
                fwrite(STDERR, "notice $id: {$e->getMessage()}\n");
                $errors++;
            }
        }
    } while ($ids);
} catch (PDOException $e) {
    fwrite(STDERR, "database error: {$e->getMessage()}\n");
    exit(2);
}
echo "applied=$applied failed=$errors\n";
exit($errors ? 1 : 0);
