use strict;
use warnings;
use Test::More;
use File::Path qw(make_path);
use lib 't/lib';
use PaygentTest qw(tmpdir write_file write_properties base_vars closed_url);
use Paygent::B2B;

my $dir = tmpdir();
my %base = base_vars($dir, closed_url());

sub err_code { (Paygent::PException::getInfo())[0] }

# ---- lookup order (decisions.md 5) ----
{
    my $beside = "$dir/beside";
    my $inc1   = "$dir/inc1";
    my $inc2   = "$dir/inc2";
    make_path("$beside/Paygent", "$inc1/Paygent", $inc2);
    local $ENV{PAYGENT_PROPERTIES};
    local $INC{'Paygent/B2B.pm'} = "$beside/Paygent/B2B.pm";
    # Only these directories: a system file (/etc/perl/Paygent/paygent.properties, where
    # migration-perl.md puts it) must not take part in the test.
    local @INC = ($inc1, $inc2, sub { () });

    write_file("$inc2/paygent.properties", "1;\n");
    is(Paygent::B2B::properties_path(), "$inc2/paygent.properties", '@INC paygent.properties');
    write_file("$inc2/Paygent/paygent.properties", "1;\n") if -d "$inc2/Paygent";
    make_path("$inc2/Paygent");
    write_file("$inc2/Paygent/paygent.properties", "1;\n");
    is(Paygent::B2B::properties_path(), "$inc2/Paygent/paygent.properties",
        '@INC Paygent/paygent.properties wins over @INC paygent.properties (any @INC dir)');
    write_file("$beside/Paygent/paygent.properties", "1;\n");
    is(Paygent::B2B::properties_path(), "$beside/Paygent/paygent.properties", 'beside B2B.pm wins');
    $ENV{PAYGENT_PROPERTIES} = "$dir/elsewhere.properties";
    is(Paygent::B2B::properties_path(), "$dir/elsewhere.properties", 'PAYGENT_PROPERTIES wins');
}
{
    local $ENV{PAYGENT_PROPERTIES};
    local $INC{'Paygent/B2B.pm'} = "$dir/nowhere/Paygent/B2B.pm";
    local @INC = ("$dir/nowhere");
    is(Paygent::B2B::properties_path(), undef, 'no file anywhere');
}

# ---- missing file: E01001, nothing dies ----
{
    local $ENV{PAYGENT_PROPERTIES} = "$dir/does-not-exist.properties";
    my $p = eval { Paygent::B2B->new };
    ok($p, 'new does not die without a configuration');
    is(err_code(), 'E01001', 'new reports E01001');
    is(scalar Paygent::PException::getInfo(), "E01001: Properties file doesn't exist.", 'message');
    is($p->init, 0, 'init returns false');
    $p->reqPuts({ telegram_kind => '020' });
    is($p->post, 0, 'post returns false');
    is(err_code(), 'E01001', 'post reports E01001');
    is($p->{resultStatus}, undef, 'no result');
}

# ---- a file that does not compile: E01002 ----
{
    local $ENV{PAYGENT_PROPERTIES} = "$dir/broken.properties";
    write_file($ENV{PAYGENT_PROPERTIES}, "our \$timeout_value = ;;; syntax error (\n");
    my $p = Paygent::B2B->new;
    is(err_code(), 'E01002', 'syntax error gives E01002');
    is(scalar Paygent::PException::getInfo(), 'E01002: Properties file contains inappropriate value.',
        'E01002 message');
    my @w = Paygent::PException::getWarnings();
    like($w[-1], qr/^paygent\.properties: syntax error at /, 'the Perl error is among the warnings');
}

# ---- a complete file; one without a final true value is accepted ----
{
    my $file = write_properties("$dir/good.properties", %base);
    local $ENV{PAYGENT_PROPERTIES} = $file;
    my $p = Paygent::B2B->new;
    is(err_code(), undef, 'complete configuration: no error') or diag(scalar Paygent::PException::getInfo());
    is($p->init, 1, 'init returns 1');
    is($Paygent::B2B::timeout_value, '10', 'variables live in package Paygent::B2B');

    # Values are read at every new: a run-time change is seen.
    local $Paygent::B2B::timeout_value = '35s';
    Paygent::B2B->new;
    is(err_code(), 'E01002', 'non-numeric timeout_value set at run time gives E01002');
}
{
    # A relative PAYGENT_PROPERTIES names a file in the current directory (not one in @INC).
    my $sub = "$dir/rel";
    make_path($sub);
    write_properties("$sub/relative.properties", %base, timeout_value => 17);
    require Cwd;
    my $back = Cwd::getcwd();
    chdir $sub or die "chdir $sub: $!";
    local $ENV{PAYGENT_PROPERTIES} = 'relative.properties';
    Paygent::B2B->new;
    chdir $back or die "chdir $back: $!";
    is(err_code(), undef, 'a relative PAYGENT_PROPERTIES loads from the current directory')
        or diag(scalar Paygent::PException::getInfo());
    is($Paygent::B2B::timeout_value, '17', 'its variables are the ones read');
    ok($INC{"$sub/relative.properties"}, 'required under its absolute path');
}
{
    my $file = "$dir/no-true.properties";
    write_properties($file, %base);
    my $text = PaygentTest::read_file($file);
    $text =~ s/1;\n\z/our \$Debug = 0;\n/;
    write_file($file, $text);
    local $ENV{PAYGENT_PROPERTIES} = $file;
    Paygent::B2B->new;
    is(err_code(), undef, 'a file ending in a false value is accepted')
        or diag(scalar Paygent::PException::getInfo());
}

# ---- endpoints from %url, %paygent_url and $url_XX ----
SKIP: {
    my ($port, $pki) = PaygentTest::sim_env();
    PaygentTest::skip_loudly(5, 'endpoints through the simulator', PaygentTest::sim_missing()) unless $port;
    my %vars = PaygentTest::sim_vars($dir, $port, $pki);
    my $u = "https://127.0.0.1:$port/n/card/request";
    for my $style ('%url', '%paygent_url', '$url_02') {
        (my $tag = $style) =~ s/\W//g;
        my $file = write_properties("$dir/url-$tag.properties", %vars, url => {});
        my $text = PaygentTest::read_file($file);
        my $line = $style eq '$url_02' ? "our \$url_02 = '$u';\n"
            : "our ${\ substr($style, 0)} = ('02' => '$u');\n";
        $text =~ s/1;\n\z/${line}1;\n/;
        write_file($file, $text);
        local $ENV{PAYGENT_PROPERTIES} = $file;
        my $p = Paygent::B2B->new;
        $p->reqPuts({ telegram_kind => '020', trading_id => "url-$tag-$$-" . time, payment_amount => '100',
            card_number => '4111111111111111', card_valid_term => '1230' });
        is($p->post, 1, "endpoint from $style") or diag(scalar Paygent::PException::getInfo());
    }

    # A $url_XX the script declares at run time is seen by the next new (the list of those
    # variables is cached per symbol-table size): $url_020 names the kind exactly and wins
    # over the file's '02', a closed port.
    local $ENV{PAYGENT_PROPERTIES} =
        write_properties("$dir/url-late.properties", %vars, url => { '02' => closed_url() });
    my %card = (telegram_kind => '020', payment_amount => '100', card_number => '4111111111111111',
        card_valid_term => '1230');
    my $p = Paygent::B2B->new;
    $p->reqPuts({ %card, trading_id => "url-late-a-$$-" . time });
    ok(!$p->post, "the file's endpoint: a closed port");
    no strict 'refs';
    ${"Paygent::B2B::url_020"} = $u;
    $p = Paygent::B2B->new;
    $p->reqPuts({ %card, trading_id => "url-late-b-$$-" . time });
    is($p->post, 1, '$url_020 declared by the script is used') or diag(scalar Paygent::PException::getInfo());
    undef ${"Paygent::B2B::url_020"};
}

# ---- another file later: the previous file's values do not leak ----
{
    my %partial = %base;
    delete $partial{HTTPS_CA_FILE};
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/partial.properties", %partial);
    local $ENV{HTTPS_CA_FILE};
    delete $ENV{HTTPS_CA_FILE};
    Paygent::B2B->new;
    is(err_code(), 'E01002', '$HTTPS_CA_FILE of the earlier file is not inherited');
}

# ---- %ENV fallback for the certificate variables ----
{
    my %noenv = %base;
    delete @noenv{qw(HTTPS_CERT_FILE HTTPS_KEY_FILE HTTPS_CA_FILE)};
    local $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/noenv.properties", %noenv);
    local @ENV{qw(HTTPS_CERT_FILE HTTPS_KEY_FILE HTTPS_CA_FILE)};
    delete @ENV{qw(HTTPS_CERT_FILE HTTPS_KEY_FILE HTTPS_CA_FILE)};
    Paygent::B2B->new;
    is(err_code(), 'E01002', 'no certificate variables and no %ENV: E01002');
    @ENV{qw(HTTPS_CERT_FILE HTTPS_KEY_FILE HTTPS_CA_FILE)} = ("$dir/c.crt", "$dir/c.key", "$dir/ca.pem");
    Paygent::B2B->new;
    is(err_code(), undef, '%ENV{HTTPS_*} used when the variables are unset')
        or diag(scalar Paygent::PException::getInfo());
}

done_testing;
