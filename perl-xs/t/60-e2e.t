# End to end against the simulator's gateway mode (tests/gateway-sim/README.md): card payment,
# refusal, stored cards and the 027 reference (resultLine), result CSV, transport errors, and
# every client credential format of the Perl kit.
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties sim_vars need_sim read_file);
use Paygent::B2B;

my ($port, $pki) = need_sim();
delete @ENV{qw(HTTPS_KEY_FILE HTTPS_CERT_FILE HTTPS_CA_FILE)};

my $dir = tmpdir();
my %vars = sim_vars($dir, $port, $pki);
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", %vars);
my $run = "$$-" . time;

sub info { scalar Paygent::PException::getInfo() }

# ---- card payment (020) ----
my $p = new Paygent::B2B;
$p->reqPuts({
    telegram_kind   => '020',
    trading_id      => "e2e-$run-1",
    payment_amount  => '1500',
    card_number     => '4111111111111111',
    card_valid_term => '1230',
    payment_class   => '10',
});
is($p->post($0), 1, 'payment: post returns 1') or diag(info());
is($p->{resultStatus}, '0', 'resultStatus 0');
is($p->{resultCode}, '', 'resultCode empty');
like($p->{result}{payment_id}, qr/^\d{18}$/, '{result}{payment_id}: 18 digits');
is($p->{result}{trading_id}, "e2e-$run-1", '{result}{trading_id}');
is(scalar @{ $p->{resultLine} }, 1, 'payment: resultLine holds the one record');
is_deeply($p->{resultLine}[0], $p->{result}, 'resultLine[0] is {result}');
ok(!exists $p->{result}{result}, 'result is not a record field');
is(Paygent::PException::getInfo(), undef, 'no module error');
my $payment_id = $p->{result}{payment_id};

# Parameters persist on the object: the same trading_id again is refused by the gateway
# (result=1 is a received reply: post still returns 1).
is($p->post, 1, 'second post of the same telegram: reply received');
is($p->{resultStatus}, '1', 'resultStatus 1');
is($p->{resultCode}, '2005', 'resultCode 2005 (trading_id used)');
is_deeply($p->{result}, {}, '{result} is {} without a record') if !keys %{ $p->{result} };

# ---- declined card ----
my $d = Paygent::B2B->new;
$d->reqPuts({ telegram_kind => '020', trading_id => "e2e-$run-2", payment_amount => '100',
    card_number => '4000000000000002', card_valid_term => '1230' });
is($d->post, 1, 'decline: post returns 1');
is($d->{resultStatus}, '1', 'decline: resultStatus 1');
is($d->{resultCode}, '2003', 'decline: resultCode 2003');
ok(length $d->{resultMsg}, 'decline: resultMsg (response_detail) present');
ok(!utf8::is_utf8($d->{resultMsg}), 'resultMsg is a byte string (Windows-31J)');

# ---- capture (022) by payment_id ----
my $c = Paygent::B2B->new;
$c->reqPuts({ telegram_kind => '022', payment_id => $payment_id });
is($c->post, 1, 'capture: reply');
is($c->{resultStatus}, '0', 'capture accepted') or diag("$c->{resultCode} $c->{resultMsg}");

# ---- stored cards (025) and the 027 reference: resultLine ----
my $customer = "cust-$run";
for my $card ('4111111111111111', '5555555555554444') {
    my $r = Paygent::B2B->new;
    $r->reqPuts({ telegram_kind => '025', customer_id => $customer, card_number => $card,
        card_valid_term => '1230' });
    is($r->post, 1, "register $card");
    is($r->{resultStatus}, '0', 'registered') or diag("$r->{resultCode} $r->{resultMsg}");
}
my $ref = Paygent::B2B->new;
$ref->reqPuts({ telegram_kind => '027', customer_id => $customer });
is($ref->post, 1, '027: post returns 1') or diag(info());
is($ref->{resultStatus}, '0', '027: resultStatus 0');
is(scalar @{ $ref->{resultLine} }, 2, '027: two records in resultLine');
is(${ $ref->{resultLine}->[0] }{card_number}, '************1111', 'the manual\'s ${$p->{resultLine}->[0]}{card_number}');
is($ref->{resultLine}[1]{card_number}, '************4444', 'second card');
is($ref->{resultLine}[0]{customer_id}, $customer, 'customer_id field');
ok(exists $ref->{resultLine}[0]{customer_card_id}, 'customer_card_id field');
is_deeply($ref->{result}, $ref->{resultLine}[0], '{result} is the first record');

# 027 with a result CSV: the records go to the file instead (protocol.md §6.2).
my $csv = "$dir/result.csv";
my $rc = Paygent::B2B->new;
$rc->reqPuts({ telegram_kind => '027', customer_id => $customer });
is($rc->setResultCsv($csv), 1, 'setResultCsv');
is($rc->post, 1, '027 with CSV: post returns 1') or diag(info());
my $text = read_file($csv);
ok(defined $text && $text =~ /4444/, 'result CSV written with the records') or diag($text);

# 027 without cards: P026 and no records.
my $none = Paygent::B2B->new;
$none->reqPuts({ telegram_kind => '027', customer_id => "nobody-$run" });
is($none->post, 1, '027 none: reply');
is($none->{resultStatus}, '1', '027 none: resultStatus 1');
is($none->{resultCode}, 'P026', '027 none: P026');
is_deeply($none->{resultLine}, [], '027 none: resultLine []');
is_deeply($none->{result}, {}, '027 none: result {}');

# ---- transport errors ----
my %faults = (
    'status:500'     => qr/^E02005: HTTP status 500$/,
    'close'          => qr/^E02005: /,
    'garbage_status' => qr/^E02005: /,
    'empty'          => qr/^E02005: resultStatus is Nothing\.$/,
);
for my $fault (sort keys %faults) {
    my $f = Paygent::B2B->new;
    $f->reqPuts({ telegram_kind => '020', trading_id => "e2e-$run-$fault", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230', sim_fault => $fault });
    is($f->post, 0, "fault $fault: post false");
    is(Paygent::PException::getErrorCode(), 'E02005', "fault $fault: E02005");
    like(info(), $faults{$fault}, "fault $fault: message") ;
    # An empty 200 body is a reply without fields: getters give "" (not undef).
    is($f->{resultStatus}, $fault eq 'empty' ? '' : undef, "fault $fault: resultStatus");
}

# ---- credential formats (decisions.md 5, 16) ----
my %kits = (
    'kit PEM, DES-EDE3 key inside'  => { HTTPS_CERT_FILE => "$pki/client-kit.pem",     HTTPS_KEY_FILE => '' },
    'kit PEM, AES key inside'       => { HTTPS_CERT_FILE => "$pki/client-kit-aes.pem", HTTPS_KEY_FILE => '' },
    'unencrypted PEM with key'      => { HTTPS_CERT_FILE => "$pki/client-plain.pem",   HTTPS_KEY_FILE => '' },
    'encrypted PKCS#8 key file'     => { HTTPS_CERT_FILE => "$pki/client.crt", HTTPS_KEY_FILE => "$pki/client-pkcs8-enc.key" },
    'PKCS#12'                       => { HTTPS_CERT_FILE => "$pki/client.p12",         HTTPS_KEY_FILE => '' },
);
my $n = 0;
for my $name (sort keys %kits) {
    $n++;
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/kit$n.properties", %vars, %{ $kits{$name} });
    my $k = Paygent::B2B->new;
    $k->reqPuts({ telegram_kind => '020', trading_id => "e2e-$run-kit$n", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230' });
    is($k->post, 1, "$name: post") or diag(info());
    is($k->{resultStatus}, '0', "$name: approved");
}
{
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/rogue.properties", %vars,
        HTTPS_CERT_FILE => "$pki/client-rogue.pem", HTTPS_KEY_FILE => '');
    my $k = Paygent::B2B->new;
    $k->reqPuts({ telegram_kind => '020', trading_id => "e2e-$run-rogue", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230' });
    is($k->post, 0, 'client certificate from an untrusted CA: post false');
    like(Paygent::PException::getErrorCode(), qr/^E0200[45]$/, 'certificate/connect error');
}
{
    # %ENV fallback (the manual's mod_perl recipe) with a working configuration.
    my %noenv = %vars;
    delete @noenv{qw(HTTPS_CERT_FILE HTTPS_KEY_FILE HTTPS_CA_FILE)};
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/env.properties", %noenv);
    local $ENV{HTTPS_CERT_FILE} = "$pki/client.crt";
    local $ENV{HTTPS_KEY_FILE}  = "$pki/client.key";
    local $ENV{HTTPS_CA_FILE}   = "$pki/ca.pem";
    my $k = Paygent::B2B->new;
    $k->reqPuts({ telegram_kind => '020', trading_id => "e2e-$run-env", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230' });
    is($k->post, 1, '%ENV{HTTPS_*} credentials: post') or diag(info());
    is($k->{resultStatus}, '0', '%ENV{HTTPS_*} credentials: approved');
}

done_testing;
