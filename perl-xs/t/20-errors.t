use strict;
use warnings;
use Test::More;
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties base_vars closed_url);
use Paygent::B2B;

my $dir = tmpdir();
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", base_vars($dir, closed_url()));

my $p = Paygent::B2B->new;
is(Paygent::PException::getInfo(), undef, 'no error after a good new') or diag(scalar Paygent::PException::getInfo());
is_deeply([Paygent::PException::getInfo()], [], 'empty list in list context');

# Unknown telegram kind: E02003 before anything is sent.
$p->reqPuts({ telegram_kind => '9', trading_id => 'x' });
is($p->post('ignored', 'args'), 0, 'post returns false on a module error');
my ($code, $msg) = Paygent::PException::getInfo();
is($code, 'E02003', 'code E02003');
is($msg, 'E02003: HTTP request contains unexpected value.', 'message');
is(Paygent::PException::getErrorCode(), 'E02003', 'getErrorCode');
is(Paygent::PException->getInfo, $msg, 'class-method call');
is_deeply([Paygent::PException::getWarnings()], ['E02003: HTTP request contains unexpected value.'],
    'warning text of the PHP module');
is($p->getResultMessage, $msg, 'getResultMessage');
is($p->{resultStatus}, undef, 'no resultStatus');
is_deeply($p->{result}, {}, 'result {}');
is_deeply($p->{resultLine}, [], 'resultLine []');

# A snapshot object keeps its error; a constructed one holds what it was given.
my $snap = Paygent::PException->new;
is(($snap->getInfo)[0], 'E02003', 'snapshot object');
my $e = Paygent::PException->new('E02005', 'connection failed');
is_deeply([$e->getInfo], ['E02005', 'connection failed'], 'PException->new(...)->getInfo');
is(scalar $e->getInfo, 'connection failed', 'scalar context: message');
is($e->getErrorCode, 'E02005', 'object getErrorCode');

# Missing credential files: E02004 with the (file is not exists: …) notes.
$p->reqPut(telegram_kind => '020');
is($p->post, 0, 'missing client certificate: post false');
is(Paygent::PException::getErrorCode(), 'E02004', 'E02004') or diag(scalar Paygent::PException::getInfo());
like(scalar Paygent::PException::getInfo(), qr/^E02004: 58: .*\(file is not exists: \Q$dir\E\/client\.crt\)/,
    'curl errno 58 and the missing file in the message');

# Connection refused (needs real credentials: the simulator's test PKI): E02005, curl errno 7.
SKIP: {
    my ($port, $pki) = PaygentTest::sim_env();
    PaygentTest::skip_loudly(3, "connection refused (the simulator's test PKI)", PaygentTest::sim_missing())
        unless $pki;
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/refused.properties", base_vars($dir, closed_url(), $pki));
    my $c = Paygent::B2B->new;
    $c->reqPut(telegram_kind => '020');
    is($c->post, 0, 'closed port: post false');
    is(Paygent::PException::getErrorCode(), 'E02005', 'E02005') or diag(scalar Paygent::PException::getInfo());
    like(scalar Paygent::PException::getInfo(), qr/^E02005: 7: /, 'curl errno 7 in the message');
}

# A long key: E02002 with the Perl manual's text.
my $q = Paygent::B2B->new;
$q->reqPuts({ telegram_kind => '020', ('k' x 8191) => 'v' });
is($q->post, 0, 'long key refused');
is(Paygent::PException::getInfo(), 'E02002: HTTP request key must be shorter than 8190 bytes.', 'E02002 text');

# Unsupported encoding: E01006, and every later post fails with E01006.
my $r = Paygent::B2B->new;
is($r->setEncoding('latin1'), 0, 'setEncoding refuses latin1');
is(Paygent::PException::getErrorCode(), 'E01006', 'E01006');
is($r->setEncoding('UTF-8'), 0, 'stays unsupported');
$r->reqPut(telegram_kind => '020');
is($r->post, 0, 'post fails');
is(Paygent::PException::getErrorCode(), 'E01006', 'post gives E01006');

# A successful call clears the error at the next post; a setter failing sets it.
my $s = Paygent::B2B->new;
is(Paygent::PException::getInfo(), undef, 'new clears the last error');

# Calls on a non-object never die.
is(Paygent::B2B::post('Paygent::B2B'), 0, 'class-method post returns false');
is(Paygent::PException::getErrorCode(), 'E01901', 'E01901 for a non-object');
is(Paygent::B2B::post(undef), 0, 'post(undef) returns false');
is(Paygent::B2B->setResultCsv('x'), 0, 'class-method setter returns false');
is(Paygent::B2B::reqGet(undef, 'x'), undef, 'reqGet on undef');

done_testing;
