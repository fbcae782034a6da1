package PaygentTest;
# Shared helpers of the t/*.t files: temp dirs, paygent.properties writers, simulator env.
use strict;
use warnings;
use Exporter 'import';
use File::Spec ();
use File::Temp ();

our @EXPORT_OK = qw(tmpdir write_file read_file write_properties base_vars sim_env sim_vars closed_url
    need_sim sim_missing report_skip skip_all_loudly skip_loudly tests_path);

sub tmpdir { File::Temp::tempdir('paygent-t-XXXXXX', TMPDIR => 1, CLEANUP => 1) }

sub write_file {
    my ($path, $bytes) = @_;
    open my $fh, '>:raw', $path or die "write $path: $!";
    print {$fh} $bytes;
    close $fh or die "close $path: $!";
}

sub read_file {
    my $path = shift;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    my $data = <$fh>;
    return defined $data ? $data : '';
}

sub _q {
    my $v = shift;
    $v =~ s/([\\'])/\\$1/g;
    return "'$v'";
}

my $session_cache;    # this process's TLS session cache directory (set at the end)

# Write a paygent.properties: scalars by name, `url` a hash ref. Unless given, the TLS session
# cache is this test process's own directory, not the default one in the system temp dir.
sub write_properties {
    my ($path, %vars) = @_;
    $vars{session_cache_dir} = $session_cache if $session_cache && !exists $vars{session_cache_dir};
    my $text = "# test paygent.properties\n";
    for my $k (sort keys %vars) {
        my $v = $vars{$k};
        next unless defined $v;
        if ($k eq 'url') {
            $text .= 'our %url = (' . join(', ', map { _q($_) . ' => ' . _q($v->{$_}) } sort keys %$v) . ");\n";
        }
        else {
            $text .= "our \$$k = " . _q($v) . ";\n";
        }
    }
    write_file($path, "${text}1;\n");
    return $path;
}

# A port nothing listens on (bound, then closed).
sub closed_url {
    require IO::Socket::INET;
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die $!;
    my $port = $s->sockport;
    close $s;
    return "https://127.0.0.1:$port/n/request";
}

# Variables of a working configuration; `$url` for every kind prefix used by the tests.
sub base_vars {
    my ($dir, $url, $pki) = @_;
    $pki ||= $dir;
    my %url = map { $_ => $url } qw(01 02 03 04 05 06 07 09 091 094 098 10 11 20 45);
    return (
        HTTPS_CERT_FILE   => "$pki/client.crt",
        HTTPS_KEY_FILE    => "$pki/client.key",
        HTTPS_CA_FILE     => "$pki/ca.pem",
        proxy_server_name => '',
        log_output_path   => "$dir/paygent.log",
        default_id        => 'test_connect_id',
        default_password  => 'test_connect_pw',
        timeout_value     => 10,
        select_max_cnt    => 2000,
        merchant_id       => '',
        telegram_ver      => '',
        Debug             => 0,
        telegram_kind_ref => '027,090',
        url               => \%url,
    );
}

# Variables for the simulator's gateway mode (paths of protocol.md §3.5), Perl kit style:
# separate unencrypted key and certificate files.
sub sim_vars {
    my ($dir, $port, $pki) = @_;
    my $u = "https://127.0.0.1:$port";
    my %vars = base_vars($dir, "$u/n/card/request", $pki);
    $vars{merchant_id} = '000000';
    $vars{url} = {
        '01' => "$u/n/atm/request",   '02' => "$u/n/card/request",
        '03' => "$u/n/conveni/request", '04' => "$u/n/conveni/request_print",
        '05' => "$u/n/bank/request",  '06' => "$u/n/bank/requestasp",
        '07' => "$u/n/virtualaccount/request", '091' => "$u/n/ref/paynotice",
        '094' => "$u/n/ref/paymentref", '20' => "$u/n/o/requestdata",
    };
    return %vars;
}

# Under CI (CI=true or PAYGENT_REQUIRE_ALL=1) a test that cannot run its real part fails.
sub require_all { ($ENV{CI} // '') eq 'true' || ($ENV{PAYGENT_REQUIRE_ALL} // '') eq '1' }

# A file the tests carry beside them: tests/<rel> of a tarball (dist-rust.sh copies it there),
# else of the repository (perl-xs/..).
sub tests_path {
    my $rel = shift;
    my $dist = File::Spec->rel2abs("tests/$rel");
    return -e $dist ? $dist : File::Spec->rel2abs("../tests/$rel");
}

# Says loudly that (part of) this test file did not run: `SKIPPED t/NN-x.t (what): why` on
# stderr, which `make test` shows between the harness's lines (a TAP skip reason alone is only
# seen with -v), and into the run's list that t/lib/run-harness.pl prints at the end.
sub report_skip {
    my ($why, $what) = @_;
    my $line = "SKIPPED $0" . (defined $what ? " ($what)" : '') . ": $why";
    $line =~ s/\s*\n\s*/ /g;
    print STDERR "\n$line\n";
    if (my $log = $ENV{PAYGENT_SKIP_LOG}) {
        open my $fh, '>>', $log or die "$log: $!";
        print {$fh} "$line\n";
        close $fh;
    }
}

# The whole file: plan skip_all, loudly.
sub skip_all_loudly {
    my $why = shift;
    report_skip($why);
    Test::More::plan(skip_all => $why);
}

# Inside a SKIP: block: skip $count tests (described by $what), loudly.
sub skip_loudly {
    my ($count, $what, $why) = @_;
    report_skip($why, "$count tests: $what");
    Test::More::skip($why, $count);
}

# Why there is no simulator: what t/lib/run-harness.pl found (PAYGENT_SIM_MISSING), else the
# tests were not started by `make test`.
sub sim_missing {
    return $ENV{PAYGENT_SIM_MISSING}
        || 'no gateway simulator (PAYGENT_SIM_PORT and PAYGENT_PKI unset): run `make test`, which '
        . 'builds and starts one, or perl-xs/run-tests.sh';
}

# (port, pki dir) of the gateway simulator: the one `make test` started (t/lib/run-harness.pl) or
# the caller's (PAYGENT_SIM_PORT, PAYGENT_PKI, e.g. run-tests.sh); () when there is none — then
# the test skips loudly, and under CI dies instead.
sub sim_env {
    my ($port, $pki) = @ENV{qw(PAYGENT_SIM_PORT PAYGENT_PKI)};
    return ($port, $pki) if $port && $pki;
    die 'no simulator: ' . sim_missing() . "; CI must not skip\n" if require_all();
    return ();
}

# sim_env for a file that needs the simulator throughout: else the whole file skips, loudly.
sub need_sim {
    my @sim = sim_env();
    skip_all_loudly(sim_missing()) unless @sim;
    return @sim;
}

# Every test has its own configuration: a file here unless the test names another, never
# /etc/perl/Paygent/paygent.properties or any other file of the @INC search, nor the caller's
# $PAYGENT_PROPERTIES or HTTPS_* certificate variables; and its own TLS session cache.
delete @ENV{qw(HTTPS_KEY_FILE HTTPS_CERT_FILE HTTPS_CA_FILE)};
{
    my $dir = tmpdir();
    $session_cache = "$dir/tls-session-cache";
    $ENV{PAYGENT_PROPERTIES} = write_properties("$dir/paygent.properties", base_vars($dir, closed_url()));
}

1;
