package Orders;
# The shop's orders, in SQLite: a stand-in for the shop's own database, shared by pay.pl and
# close-pending.pl. SHOP_DIR (default /var/lib/shop) holds orders.sqlite.
#
# An order moves pending_payment -> paid | failed | pending_confirmation, and
# pending_confirmation -> paid | unpaid. Every move is one UPDATE that names the state it
# leaves, so when two processes race (the web request's confirm and the cron job), only the
# first one moves the order and the other sees false.
use strict;
use warnings;
use DBI;

sub shop_dir { $ENV{SHOP_DIR} || '/var/lib/shop' }

sub open_db {
    my $db = DBI->connect('dbi:SQLite:dbname=' . shop_dir() . '/orders.sqlite', '', '',
        { RaiseError => 1, AutoCommit => 1, sqlite_busy_timeout => 30_000 });
    $db->do('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, amount INTEGER NOT NULL,
        state TEXT NOT NULL, payment_id TEXT, note TEXT)');
    return $db;
}

# A new order, pending_payment; false when the order exists already (never pay it twice).
sub create {
    my ($db, $id, $amount) = @_;
    return $db->do(q{INSERT OR IGNORE INTO orders (id, amount, state) VALUES (?, ?, 'pending_payment')},
        undef, $id, $amount) == 1;
}

# Moves the order from $from to $to; false when it was not in $from.
sub move {
    my ($db, $id, $from, $to, $payment_id, $note) = @_;
    return $db->do('UPDATE orders SET state = ?, payment_id = COALESCE(?, payment_id), note = ?
        WHERE id = ? AND state = ?', undef, $to, $payment_id, $note, $id, $from) == 1;
}

1;
