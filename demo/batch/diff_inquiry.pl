#!/usr/bin/perl
# Cron-style payment diff inquiry (差分照会, telegram 091).
# Asks repeatedly until success_code=1 (no more data), sending the last payment_notice_id it has
# seen so the gateway continues from there; that id is kept in a state file between runs.
# success_code=2 means older notices were purged before we fetched them: reported as a gap.
#
#   diff_inquiry.pl [--state FILE] [--max-calls N]
# Exit: 0 caught up (success_code=1), 1 gateway error, 2 module error, 3 busy (lock),
#       4 stopped at --max-calls before success_code=1.
use strict;
use warnings;
use Encode qw(decode encode);
use Fcntl qw(:flock);
use Getopt::Long;
use Paygent::B2B;

my $state = ($ENV{DEMO_STATE_DIR} || '.') . '/diff_inquiry.state';
my $max_calls = 1000;
GetOptions('state=s' => \$state, 'max-calls=i' => \$max_calls)
    or die "usage: $0 [--state FILE] [--max-calls N]\n";

open my $lock, '>', "$state.lock" or die "cannot open $state.lock: $!\n";
if (!flock $lock, LOCK_EX | LOCK_NB) {
    print "another diff_inquiry run holds $state.lock; skipping\n";
    exit 3;
}

my $last_id = read_state($state);
my ($calls, $notices, $gaps, $final) = (0, 0, 0, '');
print "091 diff inquiry: starting after payment_notice_id=", ($last_id eq '' ? '(none)' : $last_id), "\n";

while ($calls < $max_calls) {
    $calls++;
    my $p = new Paygent::B2B;
    my %req = (telegram_kind => '091');    # merchant_id, telegram_version: paygent.properties
    $req{payment_notice_id} = $last_id if $last_id ne '';
    $p->reqPuts(\%req);
    if (!$p->post) {
        my @info = Paygent::PException::getInfo();
        print "MODULE ERROR: ", text(join ' ', map { ref $_ eq 'HASH' ? join(' ', map { $_ // '' } values %$_) : $_ // '' } @info), "\n";
        summary();
        exit 2;
    }
    if (($p->{resultStatus} // '') ne '0') {
        print "GATEWAY ERROR: response_code=", ($p->{resultCode} // ''), " ", text($p->{resultMsg}), "\n";
        summary();
        exit 1;
    }
    my $r = $p->{result} || {};
    $final = $r->{success_code} // '';
    last if $final eq '1';
    if ($final eq '2') {
        $gaps++;
        print "GAP: notices before payment_notice_id=", ($r->{payment_notice_id} // '?'),
            " were purged at the gateway (success_code=2); check them with 094\n";
    } elsif ($final ne '0') {
        print "unexpected success_code='$final'; stopping\n";
        summary();
        exit 1;
    }
    $notices++;
    print "notice ", join(' ', map { "$_=" . text($r->{$_}) }
        grep { defined $r->{$_} && $r->{$_} ne '' }
        qw(payment_notice_id payment_id trading_id payment_type payment_status payment_amount)), "\n";
    my $id = $r->{payment_notice_id} // '';
    if ($id eq '' || $id eq $last_id) {
        print "reply without a new payment_notice_id; stopping to avoid a loop\n";
        summary();
        exit 1;
    }
    $last_id = $id;
    write_state($state, $last_id);    # after each notice, so a crash does not re-read much
}
summary();
exit($final eq '1' ? 0 : 4);

sub summary {
    print "summary: calls=$calls notices=$notices gaps=$gaps last_payment_notice_id=",
        ($last_id eq '' ? '(none)' : $last_id), " final success_code=", ($final eq '' ? '(none)' : $final), "\n";
}

# Gateway text is Shift_JIS; the terminal is UTF-8.
sub text {
    my $s = shift;
    return '' unless defined $s;
    return encode('UTF-8', decode('cp932', $s));
}

sub read_state {
    my $file = shift;
    open my $fh, '<', $file or return '';
    while (<$fh>) {
        return $1 if /^payment_notice_id=(\S*)/;
    }
    return '';
}

sub write_state {
    my ($file, $id) = @_;
    open my $fh, '>', "$file.tmp" or die "cannot write $file.tmp: $!\n";
    print $fh "payment_notice_id=$id\n";
    close $fh or die "cannot write $file.tmp: $!\n";
    rename "$file.tmp", $file or die "cannot rename $file.tmp: $!\n";
}
