#!/usr/bin/perl
# The installed files the docs name exist (issue 21: docs that hold when followed): every path
# under /usr that README*.md, docs/*.md and docs/ja/*.md give for a file of ours (a name with
# "paygent" in it, the classic PHP tree /usr/share/php/jp, Paygent::B2B's Perl dirs) must be
# there once the packages are installed. Run by tests/packages/install-test.sh after `dpkg -i`.
# A path under another PHP's extension dir than this one's (docs name Debian 12's) is skipped
# with a line, so the check holds on the other releases of tests/platforms too; so are the PHP
# package's paths where there is no PHP (php-config) to build it for.
# Prints one line per path and `N found, N missing`; exits 1 when one is missing.
use strict;
use warnings;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $root = abs_path(dirname(__FILE__) . '/../..');
my @files = ("$root/README.md", "$root/README.ja.md", glob("$root/docs/*.md"), glob("$root/docs/ja/*.md"));
my $extdir = `php-config --extension-dir 2>/dev/null` // '';
chomp $extdir;

my %where;
for my $file (@files) {
    open my $fh, '<', $file or die "$file: $!\n";
    while (my $line = <$fh>) {
        while ($line =~ m{(/usr/(?:bin|share|lib)/[A-Za-z0-9_.+:/-]*)}g) {
            my $path = $1 =~ s{[.:]+\z}{}r;
            next unless $path =~ m{paygent|Paygent|/usr/share/php/jp};
            $where{$path} //= ($file =~ s{^\Q$root\E/}{}r) . ":$.";
        }
    }
}
my ($found, $missing) = (0, 0);
for my $path (sort keys %where) {
    if ($path =~ m{^/usr/(?:share|lib)/php/} && $extdir eq '') {
        print "skip    $path ($where{$path}: no PHP here, so no PHP package: Debian 11)\n";
        next;
    }
    if ($path =~ m{^(/usr/lib/php/\d+)/} && index($extdir, $1) != 0) {
        print "skip    $path ($where{$path}: another PHP's extension dir than $extdir)\n";
        next;
    }
    if (-e $path) { print "ok      $path\n"; $found++ }
    else { print "MISSING $path (named in $where{$path})\n"; $missing++ }
}
print "installed paths in the docs: $found found, $missing missing\n";
exit($missing ? 1 : 0);
