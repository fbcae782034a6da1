#!/usr/bin/perl
# Memory of one large 027 reference reply (issue 14 #3): perl ref-memory.pl RECORDS BODY_FILE
# Prints `records=N reply_kb=B retained_kb=R peak_kb=P`: RSS held while {resultLine} holds every
# record (the official result) and the peak (VmHWM) during post, above the RSS before post.
# Environment: PAYGENT_PROPERTIES (set by bench/run.sh).
use strict;
use warnings;
use Paygent::B2B;

sub status_kb {
    my ($field) = @_;
    open my $fh, '<', '/proc/self/status' or die "status: $!";
    while (<$fh>) { return $1 if /^$field:\s+(\d+) kB/ }
    die "no $field\n";
}

my ($want, $body) = @ARGV;
my $p = Paygent::B2B->new;
$p->reqPuts({ telegram_kind => '027', customer_id => 'bench-customer' });
my $base = status_kb('VmRSS');
$p->post or die 'post: ' . (Paygent::PException::getInfo() // '?') . "\n";
my $retained = status_kb('VmRSS') - $base;
my $peak = status_kb('VmHWM') - $base;
my $n = scalar @{ $p->{resultLine} };
die "$n records, expected $want\n" unless $n == $want;
printf "records=%d reply_kb=%d retained_kb=%d peak_kb=%d\n", $n, (-s $body) / 1024, $retained, $peak;
