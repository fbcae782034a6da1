#!/usr/bin/perl
# Cron job: closes the orders pay.pl left pending_confirmation, from the answers of
# `paygent confirm --pending` (run it as the web server's user, who owns the module's journal):
#     */5 * * * * perl /srv/shop/bin/close-pending.pl
# The configuration is the module's own ($ENV{PAYGENT_PROPERTIES}). SHOP_SETTLE, when set, is
# passed as --settle (seconds before "the gateway does not have it" means "not processed"; the
# default, 600, is right in production: the tests set 0).
use strict;
use warnings;
use Fcntl qw(:flock);
use FindBin;
use lib $FindBin::Bin;
use JSON::PP qw(decode_json);
use Orders;

my $config = $ENV{PAYGENT_PROPERTIES} || '/etc/paygent/paygent.properties';
my $answers = Orders::shop_dir() . '/paygent-resolutions.jsonl';
open my $lock, '>>', $answers or die "$answers: $!\n";   # one run at a time
flock $lock, LOCK_EX or die "$answers: $!\n";

# Every answer is appended to this file before it is used: a crash below loses nothing,
# the next run reads it again.
my @settle = defined $ENV{SHOP_SETTLE} ? ('--settle', $ENV{SHOP_SETTLE}) : ();
open my $stdout, '>&', \*STDOUT or die "stdout: $!\n";
open STDOUT, '>>', $answers or die "$answers: $!\n";
system 'paygent', 'confirm', '--pending', '--jsonl', '--config', $config, @settle;
my $exit = $? == -1 ? 2 : $? >> 8;
open STDOUT, '>&', $stdout or die "stdout: $!\n";
warn "paygent confirm --pending: configuration or journal error (run it by hand)\n" if $exit == 2;

my $db = Orders::open_db();
open my $in, '<', $answers or die "$answers: $!\n";
while (my $line = <$in>) {
    my $r = eval { decode_json($line) } or next;   # a line cut by a crash of the command
    # An order that is not pending_confirmation (paid by confirm in pay.pl, closed by an
    # earlier run, or not an order of this shop) is left alone: Orders::move returns false.
    if ($r->{resolution} eq 'processed') {
        Orders::move($db, $r->{trading_id}, 'pending_confirmation', 'paid', $r->{gateway_payment_id});
    } elsif ($r->{resolution} eq 'not_processed') {
        # Nothing was charged: the order is closed, unpaid (the shop may ask the customer again).
        Orders::move($db, $r->{trading_id}, 'pending_confirmation', 'unpaid');
    }                                    # 'pending': the next run asks again
}
truncate $lock, 0 or die "$answers: $!\n";   # every answer is applied
exit $exit;
