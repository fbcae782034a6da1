<?php
// The shop's orders, in SQLite: a stand-in for the shop's own database, shared by pay.php and
// close-pending.php. SHOP_DIR (default /var/lib/shop) holds orders.sqlite.
//
// An order moves pending_payment -> paid | failed | pending_confirmation, and
// pending_confirmation -> paid | unpaid. Every move is one UPDATE that names the state it
// leaves, so when two processes race (the web request's confirm() and the cron job), only the
// first one moves the order and the other sees false.

function shop_dir(): string
{
    return getenv('SHOP_DIR') ?: '/var/lib/shop';
}

function orders(): PDO
{
    $db = new PDO('sqlite:' . shop_dir() . '/orders.sqlite', null, null,
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 30]);
    $db->exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, amount INTEGER NOT NULL,
        state TEXT NOT NULL, payment_id TEXT, note TEXT)');
    return $db;
}

// A new order, pending_payment; false when the order exists already (never pay it twice).
function order_create(PDO $db, string $id, int $amount): bool
{
    $st = $db->prepare("INSERT OR IGNORE INTO orders (id, amount, state) VALUES (?, ?, 'pending_payment')");
    $st->execute([$id, $amount]);
    return $st->rowCount() === 1;
}

// Moves the order from $from to $to; false when it was not in $from.
function order_move(PDO $db, string $id, string $from, string $to, ?string $paymentId = null, ?string $note = null): bool
{
    $st = $db->prepare('UPDATE orders SET state = ?, payment_id = COALESCE(?, payment_id), note = ?
        WHERE id = ? AND state = ?');
    $st->execute([$to, $paymentId, $note, $id, $from]);
    return $st->rowCount() === 1;
}
