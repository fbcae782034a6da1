#!/usr/bin/perl
# Applies the payment notices that `paygent notices sync` stored to the shop's orders, oldest
# first, until none is left: run it after each sync (cron), as the database user of
# grant.postgres.sql / grant.mariadb.sql. Safe to run twice at once, and to run again after a
# crash: each notice is applied and marked in one transaction, and a notice older than the one
# an order already has changes nothing.
#
#   SHOP_DB_DSN='dbi:Pg:host=db;dbname=shop' SHOP_DB_USER=shop_reader SHOP_DB_PASSWORD=… perl reader.pl
#   (dbi:MariaDB:host=db;database=shop, dbi:SQLite:dbname=/var/lib/paygent/notices.db)
#
# Exit status: 0 every notice applied; 1 some notice could not be applied (its process_error
# says why; it is tried again next run); 2 database error.
use strict;
use warnings;
use DBI;

my $dbh = eval {
    DBI->connect($ENV{SHOP_DB_DSN} || 'dbi:Pg:host=localhost;dbname=shop',
                 $ENV{SHOP_DB_USER}, $ENV{SHOP_DB_PASSWORD},
                 { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
} or do { print STDERR "database error: $@"; exit 2 };
my $driver = $dbh->{Driver}{Name};
my $now = { Pg => 'now()', MariaDB => 'UTC_TIMESTAMP(6)', mysql => 'UTC_TIMESTAMP(6)',
            SQLite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" }->{$driver};
# SQLite has no row locks: DBD::SQLite begins with BEGIN IMMEDIATE (the write lock first).
my $for_update = $driver eq 'SQLite' ? '' : ' FOR UPDATE';
$dbh->sqlite_busy_timeout(30_000) if $driver eq 'SQLite';

# Notice ids are digits of any length: a later one is longer, or as long and greater.
my $later = '(length(payment_notice_id) > length(?) OR (length(payment_notice_id) = length(?)'
          . ' AND payment_notice_id > ?))';
my $next = $dbh->prepare("SELECT payment_notice_id FROM paygent_notices
                           WHERE processed_at IS NULL AND $later
                           ORDER BY length(payment_notice_id), payment_notice_id LIMIT 500");
my $lock = $dbh->prepare("SELECT trading_id, payment_status, payment_amount FROM paygent_notices
                           WHERE payment_notice_id = ? AND processed_at IS NULL$for_update");
my $order = $dbh->prepare("SELECT paygent_notice_id FROM orders WHERE order_no = ?$for_update");
my $apply = $dbh->prepare("UPDATE orders SET payment_status = ?, paid_amount = ?,
                                  paygent_notice_id = ?, updated_at = $now WHERE order_no = ?");
my $done = $dbh->prepare("UPDATE paygent_notices SET processed_at = $now, process_error = NULL
                           WHERE payment_notice_id = ?");
my $failed = $dbh->prepare('UPDATE paygent_notices SET process_error = ? WHERE payment_notice_id = ?');

sub later_than {
    my ($id, $than) = @_;
    return !defined $than || length $id > length $than
        || (length $id == length $than && $id gt $than);
}

my ($applied, $errors) = (0, 0);
my $last = '';   # the last notice looked at in this run: a failed one is not tried twice
my $ok = eval {
    while (1) {
        my $ids = $dbh->selectcol_arrayref($next, undef, $last, $last, $last);
        last unless @$ids;
        for my $id (@$ids) {
            $last = $id;
            $dbh->begin_work;
            my $applied_one = eval {
                my $n = $dbh->selectrow_hashref($lock, undef, $id);
                return 0 unless $n;          # another reader applied it meanwhile
                my $o = $dbh->selectrow_hashref($order, undef, $n->{trading_id});
                die "no order $n->{trading_id}\n" unless $o;
                if (later_than($id, $o->{paygent_notice_id})) {
                    # payment_status as PAYGENT reports it: 20 authorised, 40 paid, …
                    $apply->execute($n->{payment_status}, $n->{payment_amount}, $id,
                                    $n->{trading_id});
                }
                $done->execute($id);
                1;
            };
            if ($applied_one) {
                $dbh->commit;
                $applied++;
            } elsif (defined $applied_one) {
                $dbh->rollback;
            } else {
                my $why = $@ =~ s/\s+\z//r;
                $dbh->rollback;
                $failed->execute(substr($why, 0, 500), $id);
                print STDERR "notice $id: $why\n";
                $errors++;
            }
        }
    }
    1;
};
if (!$ok) {
    print STDERR "database error: $@";
    exit 2;
}
print "applied=$applied failed=$errors\n";
exit($errors ? 1 : 0);
