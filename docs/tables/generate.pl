#!/usr/bin/perl
# The tables both languages show come from one file each (docs/tables/*.tsv). This rewrites the
# regions between
#     <!-- generated: TABLE LANG [GROUP] (docs/tables/generate.pl; edit docs/tables/TABLE.tsv) -->
#     <!-- end generated -->
# in README*.md and docs/**/*.md. `--check` rewrites nothing and fails when a region is stale,
# when a TSV misses an error code of core/src/error.rs or a key that core/src/config/properties.rs
# reads (or names one they do not have), or when a table is not shown in both languages.
use strict;
use warnings;
use utf8;
use File::Basename qw(dirname);
use File::Find ();
use Cwd qw(abs_path);

binmode STDOUT, ':encoding(UTF-8)';
my $check = @ARGV && $ARGV[0] eq '--check';
my $root  = abs_path(dirname(__FILE__) . '/../..');
my @problems;

sub slurp {
    my $path = shift;
    open my $fh, '<:encoding(UTF-8)', $path or die "$path: $!\n";
    local $/;
    return scalar <$fh>;
}

# Rows of a TSV: array refs, comment lines skipped; every row must have $cols fields.
sub rows {
    my ($name, $cols) = @_;
    my @rows;
    for my $line (split /\n/, slurp("$root/docs/tables/$name.tsv")) {
        next if $line =~ /^#/ || $line !~ /\S/;
        my @f = split /\t/, $line, -1;
        push @problems, "$name.tsv: " . scalar(@f) . " fields instead of $cols: $line" if @f != $cols;
        push @rows, \@f;
    }
    return @rows;
}

my @errors = rows('error-codes', 5);
my @config = rows('configuration', 7);

sub table {
    my ($head, @rows) = @_;
    my $out = '| ' . join(' | ', @$head) . " |\n" . '|' . ('---|' x @$head) . "\n";
    $out .= '| ' . join(' | ', map { s/\|/\\|/gr } @$_) . " |\n" for @rows;
    return $out;
}

my %render = (
    'error-codes en' => sub {
        table(['Code', 'What happened', 'What to do'], map { ["**$_->[0]**", @$_[1, 2]] } @errors);
    },
    'error-codes ja' => sub {
        table(['コード', '意味', '対処'], map { ["**$_->[0]**", @$_[3, 4]] } @errors);
    },
    'configuration en' => sub {
        my $group = shift;
        table(['key (`paygentB2Bmodule.` + …)', 'Perl', 'required / default', 'meaning'],
            map { ["`$_->[0]`", @$_[2, 3, 4]] } grep { $_->[1] eq $group } @config);
    },
    'configuration ja' => sub {
        my $group = shift;
        table(['キー（`paygentB2Bmodule.` + …）', 'Perl の変数', '必須 / 既定値', '意味'],
            map { ["`$_->[0]`", @$_[2, 5, 6]] } grep { $_->[1] eq $group } @config);
    },
);

# Cross-checks against the code.
{
    my %tsv = map { $_->[0] => 1 } @errors;
    my %code = map { $_ => 1 } slurp("$root/core/src/error.rs") =~ /=>\s*"(E0\d{4})"/g;
    push @problems, "error-codes.tsv lacks $_ (core/src/error.rs)" for grep { !$tsv{$_} } sort keys %code;
    push @problems, "error-codes.tsv has $_, unknown to core/src/error.rs" for grep { !$code{$_} } sort keys %tsv;

    my $props = slurp("$root/core/src/config/properties.rs");
    my %read = map { $_ => 1 } $props =~ /(?:get\(props,|owned\()\s*"([a-z_.0-9]+)"/g;
    $read{'url.<prefix>'} = 1 if $props =~ /url\./;
    my %keys = map { $_->[0] => 1 } @config;
    push @problems, "configuration.tsv lacks key $_ (core/src/config/properties.rs reads it)"
        for grep { !$keys{$_} } sort keys %read;
    push @problems, "configuration.tsv has key $_, which core/src/config/properties.rs does not read"
        for grep { !$read{$_} } sort keys %keys;
}

# Rewrite the regions.
my @files = grep { -f } map { "$root/$_" } qw(README.md README.ja.md);
File::Find::find(sub { push @files, $File::Find::name if /\.md\z/ }, "$root/docs");
my %shown;
my $stale = 0;
for my $file (sort @files) {
    my $text = slurp($file);
    my $new = $text =~ s{(<!-- generated: ([\w-]+) (en|ja)(?: (\w+))? [^\n]*-->\n).*?(<!-- end generated -->)}{
        my ($open, $name, $lang, $group, $close) = ($1, $2, $3, $4, $5);
        my $r = $render{"$name $lang"};
        $shown{"$name $lang"}++;
        if (!$r) { push @problems, "$file: unknown table '$name $lang'"; "$open$close" }
        else { $open . "\n" . $r->($group // '') . "\n" . $close }
    }gsre;
    next if $new eq $text;
    my $rel = substr $file, length($root) + 1;
    if ($check) {
        $stale++;
        push @problems, "$rel: generated table out of date (run docs/tables/generate.pl)";
    }
    else {
        open my $fh, '>:encoding(UTF-8)', $file or die "$file: $!\n";
        print {$fh} $new;
        close $fh or die "$file: $!\n";
        print "updated $rel\n";
    }
}
for my $t (sort keys %render) {
    push @problems, "table '$t' is not shown in any document" unless $shown{$t};
}

if (@problems) {
    print "FAIL - $_\n" for @problems;
    exit 1;
}
print "doc tables: ", scalar(keys %shown), " tables, both languages, up to date with core\n";
