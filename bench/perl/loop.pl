#!/usr/bin/perl
# Persistent loop: perl loop.pl module|lwp COUNT BATCH WARMUP
# Prints `telegrams=N batches=K median_us=X p90_us=Y` (µs per telegram over batches).
# Environment (set by bench/run.sh): PAYGENT_PROPERTIES (module), BENCH_URL_CARD, BENCH_PKI (lwp).
use strict;
use warnings;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($how, $count, $batch, $warmup) = @ARGV;
$count  //= 1000;
$batch  //= 50;
$warmup //= 20;
die "usage: loop.pl module|lwp COUNT BATCH WARMUP\n"
    unless defined $how && $how =~ /\A(?:module|lwp)\z/ && $batch > 0 && $count >= $batch;

# No trading_id: the simulator scans every earlier payment for a duplicate id.
my @params = (
    telegram_kind => '020', telegram_version => '1.0', merchant_id => 'bench00001',
    payment_amount => '1000', card_number => '4111111111111111', card_valid_term => '1230',
    payment_class => '10',
);

# One telegram as a merchant script sends it: new object, reqPuts, post, the result read.
sub module_telegram {
    my $p = Paygent::B2B->new;
    $p->reqPuts([@params]);
    $p->post or die 'post: ' . (Paygent::PException::getInfo() // '?') . "\n";
    my $status = $p->{resultStatus} // 'undef';
    die "result $status\n" unless $status eq '0';
    my %rec = %{ $p->{result} };
    return scalar keys %rec;
}

# The official Perl module's pattern: a fresh LWP::UserAgent (IO::Socket::SSL with the client
# certificate and key files, CA file) and so a fresh connection per telegram; the reply split
# into key=value fields.
sub lwp_telegram {
    my $pki = $ENV{BENCH_PKI};
    my $ua  = LWP::UserAgent->new(
        keep_alive => 0,
        timeout    => 10,
        ssl_opts   => {
            SSL_cert_file   => "$pki/client.crt",
            SSL_key_file    => "$pki/client.key",
            SSL_ca_file     => "$pki/ca.pem",
            verify_hostname => 0,
        },
    );
    my $res = $ua->post($ENV{BENCH_URL_CARD},
        [@params, connect_id => 'test_connect_id', connect_password => 'test_connect_pw']);
    die 'lwp: ' . $res->status_line . "\n" unless $res->code == 200;
    my %f = map { split /=/, $_, 2 } grep { /=/ } split /\r\n/, $res->content;
    die 'lwp: result ' . ($f{result} // 'undef') . "\n" unless ($f{result} // '') eq '0';
    return scalar keys %f;
}

my $one;
if ($how eq 'module') {
    require Paygent::B2B;
    $one = \&module_telegram;
}
else {
    require LWP::UserAgent;
    require LWP::Protocol::https;
    $one = \&lwp_telegram;
}

$one->() for 1 .. $warmup;
my $batches = int($count / $batch);
my @per;
for (1 .. $batches) {
    my $t = clock_gettime(CLOCK_MONOTONIC);
    $one->() for 1 .. $batch;
    push @per, (clock_gettime(CLOCK_MONOTONIC) - $t) * 1e6 / $batch;
}
@per = sort { $a <=> $b } @per;
my $k = @per;
my $median = $k % 2 ? $per[ $k / 2 ] : ($per[ $k / 2 - 1 ] + $per[ $k / 2 ]) / 2;
my $rank = int((9 * $k + 9) / 10);    # nearest rank of p90, in integers
printf "telegrams=%d batches=%d median_us=%.1f p90_us=%.1f\n", $batches * $batch, $k, $median,
    $per[ $rank - 1 ];
