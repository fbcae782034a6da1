# Paygent::B2B->info: the installation report (what `php --ri paygent` shows for PHP).
use strict;
use warnings;
use Test::More;
use lib 't/lib';
use PaygentTest qw(tmpdir write_file write_properties base_vars closed_url);
use Paygent::B2B;

my $dir = tmpdir();
my $cache = "$dir/cache";
mkdir $cache, 0700 or die "mkdir $cache: $!";

# A loaded file: its log, debug and session cache settings.
{
    my $file = write_properties("$dir/paygent.properties", base_vars($dir, closed_url()),
        Debug => 1, session_cache_dir => $cache);
    local $ENV{PAYGENT_PROPERTIES} = $file;
    my $i = Paygent::B2B->info;
    is($i->{version}, $Paygent::B2B::VERSION, 'version');
    is($i->{pm_file}, $INC{'Paygent/B2B.pm'}, 'the Paygent/B2B.pm in use');
    like($i->{module_file}, qr{/auto/Paygent/B2B/B2B\.so\z}, 'the B2B.so in use');
    ok(-f $i->{module_file}, 'which exists');
    like($i->{openssl}, qr/\AOpenSSL (?:3\.\d+\.\d+|1\.1\.1)/, 'OpenSSL library in use (3.x; 1.1.1 on Debian 11)');
    like($i->{tls_backend}, qr/OpenSSL|rustls/, 'default TLS backend');
    is($i->{properties_file}, $file, 'properties file found');
    is($i->{session_cache}, "$cache (usable)", 'session cache directory, usable');
    is($i->{log_file}, "$dir/paygent.log", 'log file');
    is($i->{debug}, 'on', 'debug on');

    write_properties($file, base_vars($dir, closed_url()), session_cache_dir => "$dir/paygent.properties");
    # Another file name: require loads it afresh.
    my $other = "$dir/other.properties";
    rename $file, $other or die "rename: $!";
    local $ENV{PAYGENT_PROPERTIES} = $other;
    $i = Paygent::B2B->info;
    # renamed away just above: the cache setting names a path that is not there
    is($i->{session_cache}, "not usable: $dir/paygent.properties: missing (cache off)", 'cache dir missing');
    is($i->{debug}, 'off', 'debug off');
}

# A file that does not compile: the path and why it did not load.
{
    write_file("$dir/broken.properties", "our \$x = ;\n");
    local $ENV{PAYGENT_PROPERTIES} = "$dir/broken.properties";
    local $ENV{TMPDIR} = $dir;    # the default session cache directory is made there, not in /tmp
    my $i = Paygent::B2B->info;
    like($i->{properties_file}, qr{\A\Q$dir\E/broken\.properties \(not loaded: E01002: .*syntax error}s,
        'properties file that does not compile');
    is($i->{log_file}, '(no properties file loaded)', 'no log setting without a file');
}

# No file anywhere: why.
{
    local $ENV{PAYGENT_PROPERTIES};
    local $INC{'Paygent/B2B.pm'} = "$dir/nowhere/Paygent/B2B.pm";
    local @INC = ("$dir/nowhere");
    local $ENV{TMPDIR} = $dir;
    my $i = Paygent::B2B->info;
    like($i->{properties_file}, qr/\Anone: .*PAYGENT_PROPERTIES.* \@INC/, 'why no file was found');
    is($i->{debug}, '(no properties file loaded)', 'no debug setting without a file');
}

done_testing;
