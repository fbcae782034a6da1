# Memory: many telegrams through one process, resident set size must stay flat. Offline (an
# unknown kind fails before sending: parameters, errors, result fields) always; through the
# simulator (mTLS post + reply parsing + records) when it runs.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties base_vars closed_url sim_env);
use Paygent::B2B;

PaygentTest::skip_all_loudly('needs /proc/self/statm') unless -r '/proc/self/statm';

sub rss_kb {
    open my $fh, '<', '/proc/self/statm' or return 0;
    my (undef, $resident) = split ' ', scalar <$fh>;
    return $resident * 4;    # 4 KiB pages
}

my $dir = tmpdir();
my ($port, $pki) = sim_env();
my %vars = base_vars($dir, closed_url(), $pki);
$vars{url}{'01'} = "https://127.0.0.1:$port/case/reply-48-fixture01-atm-ok" if $port;
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", %vars);

# Run `$n` iterations of `$body` after a warm-up; return (kB grown, seconds).
sub measure {
    my ($n, $body) = @_;
    $body->($_) for 1 .. 2000;    # warm-up: pools, caches, allocator arenas
    my $before = rss_kb();
    my $t0 = time;
    $body->($_) for 1 .. $n;
    return (rss_kb() - $before, time - $t0);
}

my $p = Paygent::B2B->new;
my $offline = sub {
    my $i = shift;
    $p = Paygent::B2B->new if $i % 100 == 0;    # objects are freed too
    $p->reqPuts({ telegram_kind => '9', trading_id => "leak-$i", payment_amount => $i,
        customer_name => "\x83\x65\x83\x58\x83\x67" x 20 });
    $p->post and die 'unexpected success';
    my @info = Paygent::PException::getInfo();
};
my ($grown, $secs) = measure(100_000, $offline);
cmp_ok($grown, '<', 4096, "offline: 100000 failing telegrams, RSS grew $grown kB (${\ sprintf '%.1f', $secs} s)");

SKIP: {
    PaygentTest::skip_loudly(2, 'RSS through the simulator', PaygentTest::sim_missing()) unless $port;
    # ~6 000 round trips/s measured on the 2-core box (keep-alive): 100 000 take ~20 s.
    my $n = $ENV{PAYGENT_LEAK_POSTS} || 100_000;
    my $q = Paygent::B2B->new;
    my $online = sub {
        my $i = shift;
        $q = Paygent::B2B->new if $i % 1000 == 0;
        $q->reqPuts({ telegram_kind => '010', trading_id => "leak-$i", payment_amount => '1000' });
        $q->post or die 'post failed: ' . Paygent::PException::getInfo();
        die 'no record' unless $q->{result}{pay_center_number} || keys %{ $q->{result} };
    };
    my ($g, $s) = eval { measure($n, $online) };
    ok(defined $g, 'all posts succeeded') or diag($@);
    cmp_ok($g // 1e9, '<', 4096, "online: $n telegrams through the simulator, RSS grew ${\ ($g // '?')} kB"
        . sprintf(' (%.1f s, %.0f/s)', $s // 0, $n / (($s || 1))));
}

done_testing;
