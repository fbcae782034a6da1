# Hostile replies from the simulator (tests/gateway-sim/README.md "Faults"): an endless chunked
# body and a reply cut mid-line by a bare FIN end in E02005, and the process's peak RSS (VmHWM)
# stays within a few MB of a normal telegram.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties sim_vars need_sim skip_all_loudly);
use Paygent::B2B;

my ($port, $pki) = need_sim();
skip_all_loudly('needs /proc/self/status') unless -r '/proc/self/status';
delete @ENV{qw(HTTPS_KEY_FILE HTTPS_CERT_FILE HTTPS_CA_FILE)};

my $dir = tmpdir();
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", sim_vars($dir, $port, $pki));

sub vm_hwm_kb {
    open my $fh, '<', '/proc/self/status' or die "status: $!";
    while (<$fh>) { return $1 if /^VmHWM:\s+(\d+) kB/ }
    die 'no VmHWM';
}

sub send_fault {
    my ($fault) = @_;
    my $p = Paygent::B2B->new;
    $p->reqPuts({ telegram_kind => '020', trading_id => "hostile-$$", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230', sim_fault => $fault });
    my $t = time;
    my $r = $p->post;
    return ($r, scalar Paygent::PException::getErrorCode(),
        scalar Paygent::PException::getInfo(), time - $t);
}

my ($r) = send_fault('status:200');
is($r, 1, 'a normal exchange first');
my $base = vm_hwm_kb();

my ($code, $info, $took);
($r, $code, $info, $took) = send_fault('endless_chunked');
is($code, 'E02005', 'endless chunked body: E02005');
like($info, qr/reply_max_size/, 'the message names the size limit');
cmp_ok($took, '<', 10, 'well within the timeout');

($r, $code, $info) = send_fault('cut_mid_line');
is($code, 'E02005', 'HTTP/1.0 reply cut mid-line by a FIN: E02005');
like($info, qr/cut short/, 'the message says the reply was cut');

# Cut at a line end, no TLS close_notify, on both TLS paths: used to pass as a whole reply.
for my $backend (qw(openssl rustls)) {
    # Another file name: `require` loads it afresh.
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent-$backend.properties",
        sim_vars($dir, $port, $pki), tls_backend => $backend);
    ($r, $code, $info) = send_fault('cut_at_line_end');
    is($code, 'E02005', "$backend: HTTP/1.0 reply cut at a line end without close_notify: E02005");
    like($info, qr/close_notify/, "$backend: the message says close_notify was missing");
}

my $grown = vm_hwm_kb() - $base;
cmp_ok($grown, '<', 16 * 1024, "peak RSS grew by $grown kB only");

done_testing;
