use strict;
use warnings;
use Test::More;
use Config;
use Scalar::Util ();
use lib 't/lib';
use PaygentTest qw(tmpdir write_properties base_vars sim_vars closed_url sim_env);
use Paygent::B2B;

my $dir = tmpdir();
my ($port, $pki) = sim_env();
PaygentTest::report_skip(PaygentTest::sim_missing(), 'posts with a gateway reply: they fail before one')
    unless $port;
# With the simulator, posts get a reply (gateway mode); without it, they fail before a reply.
my %vars = $port ? sim_vars($dir, $port, $pki) : base_vars($dir, closed_url());
$ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", %vars);
my $expect = $port ? 1 : 0;

is(Paygent::B2B->CLONE_SKIP, 1, 'CLONE_SKIP is 1');

sub one_post {
    my $p = shift;
    our $n++;
    $p->reqPuts({ telegram_kind => '020', trading_id => "fork-$$-$n", payment_amount => '100',
        card_number => '4111111111111111', card_valid_term => '1230' });
    my $r = $p->post;
    diag(scalar Paygent::PException::getInfo()) if $r != $expect;
    diag("result $p->{resultStatus} $p->{resultCode}") if $r && $p->{resultStatus} ne '0';
    return $r;
}

my $p = Paygent::B2B->new;
is(one_post($p), $expect, 'parent posts before fork');

# fork after load and use: the child posts on its own copy, the parent afterwards.
my @kids;
for my $n (1 .. 2) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        my $r = one_post($p);                  # the inherited object
        my $r2 = one_post(Paygent::B2B->new);  # a new one
        POSIX::_exit($r == $expect && $r2 == $expect ? 0 : 1);
    }
    push @kids, $pid;
}
require POSIX;
for my $pid (@kids) {
    waitpid $pid, 0;
    is($? >> 8, 0, "child $pid posted");
}
is(one_post($p), $expect, 'parent posts after the children');
is(one_post(Paygent::B2B->new), $expect, 'parent: new object posts');

SKIP: {
    PaygentTest::skip_loudly(3, 'CLONE_SKIP in a thread', 'perl without ithreads') unless $Config{useithreads};
    require threads;
    my $obj = Paygent::B2B->new;
    $obj->reqPut(k => 'v');
    my $thr = threads->create({ context => 'list' }, sub {
        # CLONE_SKIP: the clone is a reference to undef, not a Paygent::B2B; calls fail cleanly.
        my $cloned_undef = !Scalar::Util::blessed($obj) && !defined $$obj
            && !Paygent::B2B::_has_handle($obj) && Paygent::B2B::post($obj) == 0;
        my $own = Paygent::B2B->new;
        $own->reqPut(k => 'thread');
        return ($cloned_undef, $own->reqGet('k'));
    });
    my ($undef_in_thread, $own_value) = $thr->join;
    ok($undef_in_thread, 'object is a ref to undef in a new thread (CLONE_SKIP); post on it is false');
    is($own_value, 'thread', 'a thread can create its own object');
    is($obj->reqGet('k'), 'v', 'parent object intact after the thread');
}

done_testing;
