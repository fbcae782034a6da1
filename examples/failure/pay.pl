#!/usr/bin/perl
# Pays an order by card (telegram 020) and never charges it twice, whatever the network does:
#     perl pay.pl ORDER_ID AMOUNT CARD_TOKEN
# In a web request ORDER_ID and AMOUNT are the shop's, and CARD_TOKEN is the token PAYGENT's
# JavaScript put in the payment form. The module finds its configuration as always
# ($ENV{PAYGENT_PROPERTIES}, or paygent.properties beside Paygent/B2B.pm).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Orders;
use Paygent::B2B;

my ($order_id, $amount, $card_token) = @ARGV;
die "usage: perl pay.pl ORDER_ID AMOUNT CARD_TOKEN\n"
    unless @ARGV == 3 && $amount =~ /^[0-9]+\z/;
my $db = Orders::open_db();
Orders::create($db, $order_id, $amount) or die "order $order_id exists already\n";

my $p = Paygent::B2B->new;
$p->reqPuts({
    telegram_kind  => '020',
    trading_id     => $order_id,   # unique per order: the gateway refuses a reuse (2005)
    payment_amount => $amount,
    card_token     => $card_token,
});
if ($p->post && $p->{resultStatus} eq '0') {
    Orders::move($db, $order_id, 'pending_payment', 'paid', $p->{result}{payment_id});
} elsif (($p->{failurePhase} // '') eq 'maybe_sent') {
    # Not "failed": the gateway may have charged the card, the customer must not pay again.
    Orders::move($db, $order_id, 'pending_payment', 'pending_confirmation', undef,
        Paygent::PException::getErrorCode());
    my $c = $p->confirm;                 # ask the gateway (094) now
    Orders::move($db, $order_id, 'pending_confirmation', 'paid', $c->{payment_id})
        if $c->{outcome} eq 'found';     # else close-pending.pl closes it later
} else {
    # not_sent, or the gateway answered result=1 (declined...): nothing was charged.
    Orders::move($db, $order_id, 'pending_payment', 'failed', undef,
        $p->{resultCode} || Paygent::PException::getErrorCode());
}

my ($state) = $db->selectrow_array('SELECT state FROM orders WHERE id = ?', undef, $order_id);
print "order $order_id: $state\n";
exit($state eq 'paid' ? 0 : 1);
