# Every proxy variable of paygent.properties through a real CONNECT proxy (Debian's tinyproxy,
# Basic auth), against the simulator: $proxy_server_ip / $proxy_server_port / $proxy_user /
# $proxy_password (they used to be dropped: the proxy was silently bypassed), and the
# $proxy_server_name URL form. The proxy's log proves each telegram went through it.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties sim_vars need_sim read_file tests_path skip_all_loudly);
use Paygent::B2B;

my ($port, $pki) = need_sim();
delete @ENV{qw(HTTPS_KEY_FILE HTTPS_CERT_FILE HTTPS_CA_FILE)};

my $dir = tmpdir();
my $pport = do {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die $!;
    my $p = $s->sockport;
    close $s;
    $p;
};
my ($user, $pass) = ('TEST-proxy-user', 'TEST-proxy-pass');
# The starter script of the repository or the tarball (tests/proxy/tinyproxy.sh), or another.
my $starter = $ENV{PAYGENT_TINYPROXY} || tests_path('proxy/tinyproxy.sh');
my ($pid, $pdir) = split ' ', (`$starter $pport $user $pass` // '');
if (!$pid || $pid !~ /^\d+$/) {
    die "tinyproxy did not start; CI must not skip\n" if PaygentTest::require_all();
    skip_all_loudly('tinyproxy not available (apt-get install tinyproxy)');
}
END {
    if ($pid && $pid =~ /^\d+$/) { kill 'TERM', $pid; system('rm', '-rf', $pdir) }
}

my $connects = sub {
    my $log = read_file("$pdir/tinyproxy.log") // '';
    my @n = $log =~ /Request \(file descriptor \d+\): CONNECT 127\.0\.0\.1:$port /g;
    return scalar @n;
};
my $run = "$$-" . time;
my %base = (sim_vars($dir, $port, $pki), keep_alive => 0);
my $pay = sub {
    my ($tag, %vars) = @_;
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/$tag.properties", %base, %vars);
    my $p = Paygent::B2B->new;
    $p->reqPuts({ telegram_kind => '020', trading_id => "proxy-$run-$tag", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230' });
    my $ok = $p->post;
    return ($ok, $p, scalar Paygent::PException::getInfo());
};

# 1. The four explicit variables.
my $before = $connects->();
my ($ok, $p, $info) = $pay->('explicit', proxy_server_name => '', proxy_server_ip => '127.0.0.1',
    proxy_server_port => $pport, proxy_user => $user, proxy_password => $pass);
is($ok, 1, '$proxy_server_ip/port/user/password: post returns 1') or diag($info);
is($p->{resultStatus}, '0', 'the gateway answered through the proxy');
is($connects->(), $before + 1, 'one CONNECT to the gateway in the proxy log');

# 2. The proxy refuses a wrong password: E02005, the telegram never reaches the gateway.
$before = $connects->();
($ok, $p, $info) = $pay->('refused', proxy_server_name => '', proxy_server_ip => '127.0.0.1',
    proxy_server_port => $pport, proxy_user => $user, proxy_password => 'wrong');
is($ok, 0, 'wrong proxy password: post false');
like($info // '', qr/^E02005/, 'E02005') or diag($info);
if (my $record = $ENV{PAYGENT_SIM_RECORD}) {
    unlike(read_file($record) // '', qr/trading_id=proxy-\Q$run\E-refused/,
        'the gateway never saw the refused telegram');
}

# 3. The $proxy_server_name URL form (credentials and port inside).
$before = $connects->();
($ok, $p, $info) = $pay->('url', proxy_server_name => "http://$user:$pass\@127.0.0.1:$pport/");
is($ok, 1, '$proxy_server_name URL: post returns 1') or diag($info);
is($connects->(), $before + 1, 'through the proxy');

# 4. Without a proxy the proxy sees nothing (the log counts are not a coincidence).
$before = $connects->();
($ok) = $pay->('direct', proxy_server_name => '');
is($ok, 1, 'no proxy: post returns 1');
is($connects->(), $before, 'no CONNECT');

done_testing;
