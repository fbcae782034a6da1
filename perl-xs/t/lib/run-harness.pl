# `make test` runs the test harness through this script (Makefile.PL, MY::test_via_harness) so
# that the tests are hermetic: they get a gateway simulator of their own, and what they could not
# run is said loudly.
#
#   - PAYGENT_SIM_PORT set: the caller's simulator (perl-xs/run-tests.sh) is used as it is.
#   - Else, when cargo is there: builds paygent-sim from the workspace the module is built from
#     (a tarball's own sources, --offline --frozen; the repository's, --locked) with the same
#     cargo, target dir and profile; generates its test PKI into a temp dir; starts it on a free
#     loopback port (it exits with this script: --exit-on-stdin-eof) and exports
#     PAYGENT_SIM_PORT, PAYGENT_PKI, PAYGENT_SIM_RECORD and PAYGENT_CASES to the tests.
#   - Else PAYGENT_SIM_MISSING says why there is none: each test that needs the simulator prints
#     `SKIPPED <file>: <why>` (PaygentTest::report_skip), or fails under CI.
#
# Every skip is also appended to PAYGENT_SKIP_LOG; after the harness this script lists them.
# Then it stops the simulator and removes the temp dir. Exit status: the harness's.
#
# Usage: perl t/lib/run-harness.pl --cargo C --workspace W --target-dir T --profile P
#            --cargo-flags "F ..." -- HARNESS-COMMAND...
use strict;
use warnings;
use File::Temp ();
use Getopt::Long qw(GetOptions);
use POSIX ();

my %opt = (cargo => 'cargo', profile => 'release', 'cargo-flags' => '');
GetOptions(\%opt, 'cargo=s', 'workspace=s', 'target-dir=s', 'profile=s', 'cargo-flags=s')
    && @ARGV or die "usage: $0 --cargo C --workspace W --target-dir T --profile P --cargo-flags F -- CMD...\n";

my $tmp = File::Temp::tempdir('paygent-make-test-XXXXXX', TMPDIR => 1, CLEANUP => 1);
$ENV{PAYGENT_SKIP_LOG} = "$tmp/skipped.log";
my ($sim_pid, $sim_stdin);
my $how_to_run = 'To run them: install Rust 1.85+ (cargo) and run `make test` again, or start a '
    . 'paygent-sim and set PAYGENT_SIM_PORT and PAYGENT_PKI.';

sub say_err { print STDERR @_, "\n" }

# Runs a command with its output on ours; its exit status, or -1 when it cannot be started.
sub run_in {
    my ($dir, @cmd) = @_;
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        chdir $dir or POSIX::_exit(126);
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    return $? == 127 << 8 ? -1 : $?;
}

# run_in with no output.
sub run_quiet {
    my ($dir, @cmd) = @_;
    open my $out, '>&', \*STDOUT or die "dup: $!";
    open my $err, '>&', \*STDERR or die "dup: $!";
    open STDOUT, '>', '/dev/null' or die "/dev/null: $!";
    open STDERR, '>&', \*STDOUT or die "dup: $!";
    my $st = run_in($dir, @cmd);
    open STDOUT, '>&', $out or die "dup: $!";
    open STDERR, '>&', $err or die "dup: $!";
    return $st;
}

# The simulator: () and why not, or its port.
sub start_sim {
    my $ws = $opt{workspace};
    return (undef, 'Makefile.PL did not say which workspace to build it from') unless $ws;
    return (undef, "no simulator sources ($ws/tests/gateway-sim)") unless -f "$ws/tests/gateway-sim/Cargo.toml";
    my $cargo = $opt{cargo};
    my @flags = split ' ', $opt{'cargo-flags'};
    push @flags, '--release' if $opt{profile} eq 'release';
    my @build = ($cargo, 'build', @flags, '-p', 'paygent-sim');
    if (run_quiet($ws, $cargo, "--version") != 0) {
        return (undef, "cargo not found ('$cargo')");
    }
    local $ENV{CARGO_TARGET_DIR} = $opt{'target-dir'} if $opt{'target-dir'};
    say_err("== building the gateway simulator for the tests: (cd $ws && @build)");
    my $st = run_in($ws, @build);
    return (undef, "paygent-sim did not build (@build: exit " . ($st >> 8) . '; its output is above)') if $st;
    my $sim = ($opt{'target-dir'} || "$ws/target") . "/$opt{profile}/paygent-sim";
    return (undef, "$sim missing after the build") unless -x $sim;

    return (undef, "$sim pki failed") if run_in($tmp, $sim, 'pki', '--out', "$tmp/pki") != 0;
    my $cases = "$ws/tests/conformance/cases";
    # stdin is a pipe from this script: the simulator exits when the script does, however it ends.
    $sim_pid = open($sim_stdin, '|-') // die "fork: $!";
    if (!$sim_pid) {
        open STDOUT, '>', "$tmp/sim.log" or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        { no warnings 'exec';
          exec { $sim } $sim, 'serve', '--listen', '127.0.0.1:0', '--pki', "$tmp/pki", '--cases', $cases,
            '--record', "$tmp/record.jsonl", '--ready-file', "$tmp/port", '--exit-on-stdin-eof'; }
        POSIX::_exit(127);
    }
    my $port;
    for (1 .. 200) {
        if (open my $fh, '<', "$tmp/port") { $port = <$fh>; }
        last if defined $port && $port =~ /\d/;
        last if waitpid($sim_pid, POSIX::WNOHANG()) == $sim_pid;
        select(undef, undef, undef, 0.05);
    }
    if (!defined $port || $port !~ /(\d+)/) {
        my $log = do { local (@ARGV, $/) = ("$tmp/sim.log"); <> } // '';
        return (undef, "paygent-sim did not start: $log");
    }
    $port = $1;
    @ENV{qw(PAYGENT_SIM_PORT PAYGENT_PKI PAYGENT_SIM_RECORD PAYGENT_CASES)} =
        ($port, "$tmp/pki", "$tmp/record.jsonl", $cases);
    say_err("== gateway simulator on 127.0.0.1:$port (test PKI in $tmp, removed at the end)");
    return ($port);
}

sub stop_sim {
    return unless $sim_pid;
    kill 'TERM', $sim_pid;
    close $sim_stdin;    # waits for it
    undef $sim_pid;
}

if ($ENV{PAYGENT_SIM_PORT}) {
    say_err("== gateway simulator: the caller's, on 127.0.0.1:$ENV{PAYGENT_SIM_PORT}");
}
else {
    my ($port, $why) = start_sim();
    if (!$port) {
        $ENV{PAYGENT_SIM_MISSING} = "no gateway simulator: $why";
        say_err("== no gateway simulator: $why");
        say_err("   The tests that need it are SKIPPED (listed at the end). $how_to_run");
    }
}

# The harness: a child whose signals are its own; a TERM to this script is passed on.
my $harness = fork // die "fork: $!";
if (!$harness) {
    { no warnings 'exec'; exec { $ARGV[0] } @ARGV; }
    POSIX::_exit(127);
}
$SIG{$_} = sub { kill 'TERM', $harness } for qw(TERM HUP);
$SIG{INT} = 'IGNORE';    # the terminal's ^C reaches the harness too; clean up after it
waitpid($harness, 0);
my $status = $?;
stop_sim();

my @skipped;
if (open my $fh, '<', $ENV{PAYGENT_SKIP_LOG}) { @skipped = <$fh> }
if (@skipped) {
    say_err('');
    say_err('== SKIPPED: ' . scalar(@skipped) . ' test file(s) or parts of them did not run:');
    print STDERR map { "   $_" } @skipped;
    say_err("   $how_to_run") if $ENV{PAYGENT_SIM_MISSING};
}
elsif ($status == 0) {
    say_err('== nothing skipped: every test file ran in full');
}
exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
