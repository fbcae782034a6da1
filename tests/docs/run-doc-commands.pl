#!/usr/bin/perl
# A command in the docs is a test (issue 21 item 10): every fenced ```sh block of README.md and
# docs/*.md that follows the line
#     <!-- runnable -->            (or <!-- runnable exit=0,1 --> when exit 1 is a normal answer)
# Two more attributes make a block depend on the platform (tests/platforms/ runs the docs on
# several Debian releases): suite=bookworm,trixie runs it only on those releases (the
# VERSION_CODENAME of /etc/os-release), needs=... only where everything listed is there: `php`
# PHP 8.1+, `ext-NAME` PHP 8.1+ with the extension NAME loaded (ext-pdo_sqlite), `A::B` a Perl
# module that loads (DBD::SQLite), any other word a command on PATH (sqlite3); e.g.
# needs=sqlite3,ext-pdo_sqlite. A block left out prints a `skip` line and counts neither way.
# is run here, as a merchant would copy it, with bash -e -o pipefail, in the directory given
# (--dir: the caller prepares what the docs assume: an installed package, a gateway, the files
# the commands name). The Japanese pages carry the same code blocks (docs/check-ja.pl), so the
# English ones are run. Prints one line per block and `N passed, N failed`; exits 1 on a failure.
#
# Usage: run-doc-commands.pl --dir DIR [--list] [FILE...]   (default: README.md docs/*.md)
use strict;
use warnings;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $root = abs_path(dirname(__FILE__) . '/../..');
my ($dir, $list, @files);
while (@ARGV) {
    my $a = shift @ARGV;
    if    ($a eq '--dir')  { $dir = shift @ARGV }
    elsif ($a eq '--list') { $list = 1 }
    else                   { push @files, $a }
}
@files = ("$root/README.md", glob("$root/docs/*.md")) unless @files;
die "usage: run-doc-commands.pl --dir DIR [--list] [FILE...]\n" unless $dir || $list;

# (file, line, allowed exit codes, script)
sub blocks {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    my @out;
    my ($want, $in, $start, @lines, %attr);
    while (my $l = <$fh>) {
        if (!$in && $l =~ /^<!--\s*runnable((?:\s+[a-z]+=[\w.,:-]+)*)\s*-->\s*$/) {
            %attr = map { split /=/, $_, 2 } split ' ', $1;
            my @bad = grep { !/^(exit|suite|needs)$/ } keys %attr;
            die "$file:$.: unknown runnable attribute(s) @bad\n" if @bad;
            $want = [split /,/, ($attr{exit} // '0')];
            next;
        }
        if (!$in && $want && $l =~ /^```(\w*)\s*$/) {
            die "$file:$.: a runnable block must be ```sh, not ```$1\n" unless $1 eq 'sh';
            ($in, $start, @lines) = (1, $. + 1);
            next;
        }
        if ($in && $l =~ /^```\s*$/) {
            push @out, [$file, $start, $want, join('', @lines), {%attr}];
            ($in, $want) = (0, undef);
            next;
        }
        push @lines, $l if $in;
        # A marker must stand right before its block.
        $want = undef if !$in && $want && $l !~ /^\s*$/;
    }
    return @out;
}

my @all = map { blocks($_) } @files;
if ($list) {
    printf "%s:%d (exit %s)\n%s\n", $_->[0] =~ s{^\Q$root/\E}{}r, $_->[1], join(',', @{ $_->[2] }),
        $_->[3] for @all;
    exit 0;
}
die "no runnable block found\n" unless @all;
my $codename = do { open my $os, '<', '/etc/os-release'; my ($c) = map { /^VERSION_CODENAME=(\S+)/ ? $1 : () } <$os>; $c // '' };
my $have_php = (`php-config --vernum 2>/dev/null` || 0) >= 80100;
my %php_ext = $have_php ? map { chomp; (lc($_) => 1) } grep { /^\w+$/ } `php -m 2>/dev/null` : ();
# The first item of needs=... this system lacks, or undef.
sub missing {
    for my $need (split /,/, shift // '') {
        if ($need eq 'php') { return 'PHP 8.1+' unless $have_php }
        elsif ($need =~ /^ext-(\w+)$/) { return "PHP 8.1+ with $1" unless $php_ext{ lc $1 } }
        elsif ($need =~ /^\w+(?:::\w+)+$/) {
            return "Perl's $need" if system("$^X -M$need -e1 2>/dev/null") != 0;
        }
        elsif (system('sh', '-c', 'command -v "$1" >/dev/null', 'sh', $need) != 0) { return $need }
    }
    return undef;
}
my ($passed, $failed) = (0, 0);
for my $b (@all) {
    my ($file, $line, $want, $script, $attr) = @$b;
    my $where = ($file =~ s{^\Q$root/\E}{}r) . ":$line";
    if (my $suites = $attr->{suite}) {
        if (!grep { $_ eq $codename } split /,/, $suites) {
            print "skip - $where (suite=$suites; this is '$codename')\n";
            next;
        }
    }
    if (my $lack = missing($attr->{needs})) {
        print "skip - $where (needs=$attr->{needs}; no $lack here)\n";
        next;
    }
    my $out = "$dir/.doc-block.out";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        chdir $dir or die "chdir $dir: $!";
        open STDOUT, '>', $out or die;
        open STDERR, '>&', \*STDOUT or die;
        open STDIN, '<', '/dev/null' or die;
        exec 'bash', '-e', '-o', 'pipefail', '-c', $script;
    }
    waitpid $pid, 0;
    my $code = $? >> 8;
    my $text = do { local (@ARGV, $/) = ($out); <> // '' };
    unlink $out;
    if (grep { $_ == $code } @$want) {
        $passed++;
        print "ok   - $where (exit $code)\n";
    }
    else {
        $failed++;
        print "FAIL - $where: exit $code, wanted ", join(' or ', @$want), "\n";
        print "       \$ $_\n" for split /\n/, $script;
        print "       | $_\n" for split /\n/, $text;
    }
}
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
