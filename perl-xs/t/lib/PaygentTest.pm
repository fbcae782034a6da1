package PaygentTest;
# Shared helpers of the t/*.t files: temp dirs, paygent.properties writers, simulator env.
use strict;
use warnings;
use Exporter 'import';
use File::Temp ();

our @EXPORT_OK = qw(tmpdir write_file read_file write_properties base_vars sim_env sim_vars closed_url);

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

# Write a paygent.properties: scalars by name, `url` a hash ref.
sub write_properties {
    my ($path, %vars) = @_;
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

# (port, pki dir) of the simulator: the one run-tests.sh started (PAYGENT_SIM_PORT,
# PAYGENT_PKI), else one started here from the workspace's build (so that a plain `make test`
# runs every test), else () when the tests must skip — a failure under CI.
my @own_sim;
sub sim_env {
    my ($port, $pki) = @ENV{qw(PAYGENT_SIM_PORT PAYGENT_PKI)};
    return ($port, $pki) if $port && $pki;
    return @own_sim if @own_sim;
    @own_sim = _start_sim();
    return @own_sim if @own_sim;
    die "no simulator: run perl-xs/run-tests.sh, or build it (cargo build -p paygent-sim); "
        . "CI must not skip\n" if require_all();
    return ();
}

my $sim_stdin;
sub _start_sim {
    require File::Spec;
    my $root = File::Spec->rel2abs('..');
    my $target = $ENV{CARGO_TARGET_DIR} || "$root/target";
    my ($sim) = grep { -x } map { "$target/$_/paygent-sim" } qw(release debug);
    return () unless $sim;
    my $dir = tmpdir();
    system($sim, 'pki', '--out', "$dir/pki") == 0 or return ();
    # The simulator exits when this process (its stdin's writer) ends.
    open($sim_stdin, '|-', $sim, 'serve', '--listen', '127.0.0.1:0', '--pki', "$dir/pki",
        '--cases', "$root/tests/conformance/cases", '--record', "$dir/record.jsonl",
        '--ready-file', "$dir/port", '--exit-on-stdin-eof') or return ();
    for (1 .. 100) {
        last if -s "$dir/port";
        select(undef, undef, undef, 0.05);
    }
    my $port = read_file("$dir/port");
    return () unless $port;
    $port =~ s/\s+//g;
    @ENV{qw(PAYGENT_SIM_PORT PAYGENT_PKI PAYGENT_SIM_RECORD)} = ($port, "$dir/pki", "$dir/record.jsonl");
    $ENV{PAYGENT_CASES} ||= "$root/tests/conformance/cases";
    return ($port, "$dir/pki");
}

1;
