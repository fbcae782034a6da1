use strict;
use warnings;
use Test::More;

BEGIN { use_ok('Paygent::B2B') }
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties base_vars closed_url);

my $dir = tmpdir();
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", base_vars($dir, closed_url()));

like($Paygent::B2B::VERSION, qr/^\d+\.\d+\.\d+$/, 'version');
is(Paygent::B2B::_version(), $Paygent::B2B::VERSION, 'XS and .pm versions agree');

{
    no strict 'refs';
    my $p = eval 'new Paygent::B2B';    # indirect object syntax, as in the manual
    isa_ok($p, 'Paygent::B2B', 'new Paygent::B2B');
    ok(Paygent::B2B::_has_handle($p), 'has a handle');
}
my $q = Paygent::B2B->new;
isa_ok($q, 'Paygent::B2B', 'Paygent::B2B->new');
my $r = $q->new;
isa_ok($r, 'Paygent::B2B', '$obj->new');
isnt($r, $q, 'a new object');

is($q->{resultStatus}, undef, 'resultStatus undef before post');
is_deeply($q->{result}, {}, 'result {} before post');
is_deeply($q->{resultLine}, [], 'resultLine [] before post');

# Objects are independent.
$q->reqPut(trading_id => 'a');
$r->reqPut(trading_id => 'b');
is($q->reqGet('trading_id'), 'a', 'first object keeps its value');
is($r->reqGet('trading_id'), 'b', 'second object keeps its value');

# A subclass works.
{
    package My::B2B;
    our @ISA = ('Paygent::B2B');
}
isa_ok(My::B2B->new, 'Paygent::B2B', 'subclass');

# Many objects created and dropped: each handle freed once (no crash, no double free).
for (1 .. 200) {
    my $o = Paygent::B2B->new;
    $o->reqPut(x => $_);
}
pass('200 objects created and destroyed');

done_testing;
