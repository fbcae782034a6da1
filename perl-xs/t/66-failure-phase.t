# Failure phase ({failurePhase}, getFailurePhase), $retry_not_sent and confirm against the
# simulator's faults (issue 12): the phase is right, and the request record shows each telegram
# exactly once for maybe_sent and never for not_sent.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties sim_vars need_sim read_file closed_url);
use Paygent::B2B;

my ($port, $pki) = need_sim();
delete @ENV{qw(HTTPS_KEY_FILE HTTPS_CERT_FILE HTTPS_CA_FILE)};
my $dir = tmpdir();
my %base = (sim_vars($dir, $port, $pki), timeout_value => 2);
my $run = "$$-" . time;
my $record = $ENV{PAYGENT_SIM_RECORD};
my $sent = sub {
    my $id = shift;
    my @n = (read_file($record) // '') =~ /trading_id=\Q$id\E&/g;
    return scalar @n;
};
my $card = sub {
    my ($id, $fault, %vars) = @_;
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/$id.properties", %base, %vars);
    my $p = Paygent::B2B->new;
    $p->reqPuts({ telegram_kind => '020', trading_id => $id, payment_amount => '1500',
        card_number => '4111111111111111', card_valid_term => '1230',
        ($fault ? (sim_fault => $fault) : ()) });
    my $ok = $p->post;
    return ($ok, $p);
};

my ($ok, $p) = $card->("ph-$run-1", 'processed:close');
is($ok, 0, 'processed, then closed: post false');
is($p->{failurePhase}, 'maybe_sent', '{failurePhase} maybe_sent');
is($p->getFailurePhase, 'maybe_sent', 'getFailurePhase');
is($sent->("ph-$run-1"), 1, 'the gateway got it exactly once');
my $c = $p->confirm;
is($c->{outcome}, 'found', 'confirm: found');
like($c->{payment_id} // '', qr/^\d{18}$/, 'confirm: payment_id');
is($c->{payment_status}, '20', 'confirm: payment_status (authorised)');
is($c->{payment_amount}, '1500', 'confirm: payment_amount');

($ok, $p) = $card->("ph-$run-2", 'reset');
is($p->{failurePhase}, 'maybe_sent', 'reset mid-reply: maybe_sent');
is_deeply($p->confirm, { outcome => 'not_found' }, 'never processed: not_found');

($ok, $p) = $card->("ph-$run-3", '');
is($ok, 1, 'normal payment');
is($p->{failurePhase}, '', 'no failure: empty phase');

my %down = (url => { '02' => closed_url(), '094' => "https://127.0.0.1:$port/n/ref/paymentref" });
($ok, $p) = $card->("ph-$run-4", '', %down, retry_not_sent => 2);
is($ok, 0, 'refused: post false');
like(scalar Paygent::PException::getInfo(), qr/^E02005/, 'E02005 as always');
is($p->{failurePhase}, 'not_sent', 'refused: not_sent');
is($sent->("ph-$run-4"), 0, 'the gateway never saw it');
like(read_file("$dir/paygent.log") // '', qr/retry 2\/2 after a failure before sending/,
    'each retry is logged');
is($p->confirm->{outcome}, 'not_found', 'the inquiry still reaches the gateway: not_found');

# retry_not_sent unset: two retries by default; 0: none (the official behaviour).
($ok, $p) = $card->("ph-$run-6", '', %down, log_output_path => "$dir/default.log");
is($p->{failurePhase}, 'not_sent', 'refused, default settings: not_sent');
like(read_file("$dir/default.log") // '', qr/retry 2\/2 after a failure before sending/,
    'retry_not_sent defaults to 2');
($ok, $p) = $card->("ph-$run-7", '', %down, log_output_path => "$dir/none.log", retry_not_sent => 0);
unlike(read_file("$dir/none.log") // '', qr/retry \d/, 'retry_not_sent = 0: no retry');

($ok, $p) = $card->("ph-$run-5", '', url => { '02' => closed_url(), '094' => closed_url() });
$c = $p->confirm;
is($c->{outcome}, 'unknown', 'inquiry impossible: unknown');
like($c->{reason} // '', qr/^E02005/, 'with the reason');

done_testing;
