#!/usr/bin/perl
# A program shown in the docs is the program CI runs (issue 21 items 5 and 6): a fenced block
# right after the line
#     <!-- include: examples/notices/reader.php -->
# must be that file of the repository, byte for byte. The tests run the files under examples/;
# this check keeps the copies in README.md, docs/*.md and docs/ja/*.md equal to them.
# Usage: check-includes.pl [--fix] [FILE...]   (--fix rewrites the blocks from the files)
# Prints one line per include and exits 1 when a block differs or a named file is missing.
use strict;
use warnings;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $root = abs_path(dirname(__FILE__) . '/../..');
my $fix = @ARGV && $ARGV[0] eq '--fix' ? shift @ARGV : 0;
my @files = @ARGV ? @ARGV : ("$root/README.md", glob("$root/docs/*.md"), glob("$root/docs/ja/*.md"));

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or return undef;
    local $/;
    return scalar <$fh>;
}

my ($ok, $bad) = (0, 0);
for my $file (@files) {
    my $text = slurp($file) // die "$file: $!\n";
    my $rel = $file =~ s{^\Q$root\E/}{}r;
    my $changed = 0;
    # The marker, then the opening fence (its info string kept), the body, the closing fence.
    $text =~ s{^(<!--\s*include:\s*(\S+)\s*-->\n+(```[^\n]*)\n)(.*?)(^```[ \t]*$)}{
        my ($head, $path, $body, $close) = ($1, $2, $4, $5);
        my $want = slurp("$root/$path");
        my $line = 1 + (() = substr($text, 0, $-[0]) =~ /\n/g);
        if (!defined $want) {
            print "MISSING $rel:$line: $path does not exist\n"; $bad++;
            "$head$body$close";
        } elsif ($body eq $want) {
            print "ok      $rel:$line: $path\n"; $ok++;
            "$head$body$close";
        } elsif ($fix) {
            print "fixed   $rel:$line: $path\n"; $ok++; $changed = 1;
            $want .= "\n" unless $want =~ /\n\z/;
            "$head$want$close";
        } else {
            print "DIFFERS $rel:$line: the block is not $path (run tests/docs/check-includes.pl --fix)\n"; $bad++;
            "$head$body$close";
        }
    }gmse;
    if ($changed) {
        open my $out, '>:raw', $file or die "$file: $!\n";
        print $out $text;
        close $out or die "$file: $!\n";
    }
}
print "includes: $ok ok, $bad wrong\n";
exit($bad ? 1 : 0);
