use strict;
use warnings;
use Test::More;
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties base_vars closed_url);
use Paygent::B2B;

my $dir = tmpdir();
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", base_vars($dir, closed_url()));

my $p = Paygent::B2B->new;

# reqPuts with anything that is not a hash/array ref: false, nothing dies.
for my $bad (undef, 'string', 42, \'scalar ref', sub { 1 }, qr/x/) {
    my $ok = eval { $p->reqPuts($bad); 1 };
    ok($ok, 'reqPuts(' . (defined $bad ? $bad : 'undef') . ') does not die');
}
is($p->reqPuts('x'), 0, 'reqPuts(string) returns false');
is_deeply([$p->getParamNames], [], 'nothing was put');

# Values: undef -> "", numbers kept (0 is "0"), references stringified, never a crash.
$p->reqPuts({ a => undef, zero => 0, float => 1.5, list => [1, 2], code => sub { 1 } });
is($p->reqGet('a'), '', 'undef becomes ""');
is($p->reqGet('zero'), '0', '0 stays "0"');
is($p->reqGet('float'), '1.5', 'number stringified');
like($p->reqGet('list'), qr/^ARRAY\(0x[0-9a-f]+\)$/, 'array ref stringified');
is($p->reqGet('missing'), undef, 'missing key: undef');
is($p->reqGet(undef), undef, 'undef key: undef');

# Merge: later keys win, first position kept; one plain hash goes in sorted key order.
my $m = Paygent::B2B->new;
$m->reqPuts({ c => 1, b => 1 });
$m->reqPuts({ c => 2, a => 2 });
is_deeply([$m->getParamNames], [qw(b c a)], 'sorted within a call, first insertion order across calls')
    or diag(join ',', $m->getParamNames);
is($m->reqGet('c'), '2', 'later value wins');

# An array ref of pairs and a tied hash keep their own order.
my $o = Paygent::B2B->new;
$o->reqPuts([z => 1, y => 2, x => 3, 'odd']);
is_deeply([$o->getParamNames], [qw(z y x odd)], 'array of pairs: given order');
is($o->reqGet('odd'), '', 'odd element: empty value');
{
    package OrderedHash;
    sub TIEHASH  { bless { k => [], h => {} }, shift }
    sub STORE    { my ($s, $k, $v) = @_; push @{ $s->{k} }, $k unless exists $s->{h}{$k}; $s->{h}{$k} = $v }
    sub FETCH    { $_[0]{h}{ $_[1] } }
    sub FIRSTKEY { $_[0]{i} = 0; $_[0]{k}[0] }
    sub NEXTKEY  { $_[0]{k}[ ++$_[0]{i} ] }
    sub EXISTS   { exists $_[0]{h}{ $_[1] } }
    sub CLEAR    { $_[0]{k} = []; $_[0]{h} = {} }
}
tie my %ordered, 'OrderedHash';
%ordered = (telegram_kind => '020', trading_id => 't', amount => '1');
my $t = Paygent::B2B->new;
$t->reqPuts(\%ordered);
is_deeply([$t->getParamNames], [qw(telegram_kind trading_id amount)], 'tied hash: its own order');

# Byte strings pass untouched; UTF-8 flagged strings: downgraded when possible, else UTF-8.
my $b = Paygent::B2B->new;
my $sjis = "\x83\x65\x83\x58\x83\x67\x00\xff";    # Windows-31J bytes with a NUL
$b->reqPut(name => $sjis);
is($b->reqGet('name'), $sjis, 'Windows-31J bytes with NUL round-trip');
ok(!utf8::is_utf8($b->reqGet('name')), 'returned value is a byte string');
my $upgraded = "\x83\x65";
utf8::upgrade($upgraded);
$b->reqPut(up => $upgraded);
is($b->reqGet('up'), "\x83\x65", 'accidentally upgraded bytes are sent as the bytes');
$b->reqPut(wide => "\x{3042}");
is($b->reqGet('wide'), "\xe3\x81\x82", 'wide characters are sent as UTF-8');
$b->reqPut("\x{3042}key" => 'v');
is($b->reqGet("\xe3\x81\x82key"), 'v', 'wide key as UTF-8 bytes');

# Huge values are refused at post time (E02002), never a crash.
my $h = Paygent::B2B->new;
$h->reqPuts({ telegram_kind => '020', big => 'x' x (20 * 1024 * 1024) });
is($h->post, 0, '20 MB value: post false');
is(Paygent::PException::getErrorCode(), 'E02002', 'E02002');

# Objects without a handle (blessed by hand) fail cleanly.
my $fake = bless {}, 'Paygent::B2B';
is($fake->post, 0, 'hand-blessed hash: post false');
is(Paygent::PException::getErrorCode(), 'E01901', 'E01901');
is($fake->reqPut(a => 1), 0, 'hand-blessed hash: reqPut false');
is($fake->reqGet('a'), undef, 'hand-blessed hash: reqGet undef');
my $arr = bless [], 'Paygent::B2B';
is($arr->post, 0, 'blessed array: post false');

# Attaching twice keeps the one handle; the fields are plain hash entries the caller may touch.
ok(Paygent::B2B::_attach($p, 1), 'second attach is a no-op');
$p->{resultStatus} = 'junk';
$p->{result} = 'junk';
$p->reqPut(telegram_kind => '9');
$p->post;
is($p->{resultStatus}, undef, 'post resets the fields the caller changed');
is_deeply($p->{result}, {}, 'result reset');

# Re-blessing keeps the handle; destruction frees it once.
bless $p, 'Some::Other';
ok(Paygent::B2B::_has_handle($p), 'handle survives re-bless');
undef $p;
pass('re-blessed object destroyed');

done_testing;
