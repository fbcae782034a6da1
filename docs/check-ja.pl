#!/usr/bin/perl
# Checks that each Japanese page is complete and written as Japanese (issue 21 item 9):
#
#  1. Structure: for every English page that has a Japanese page (README.md <-> README.ja.md,
#     docs/X.md <-> docs/ja/X.md), the two have the same headings (count, levels, order) and, in
#     each section, the same code blocks: the same count, the same language tag and the same code
#     once comments are removed (whole comment lines, and `  # ...` / `  // ...` at a line's end),
#     so comments may be translated but commands may not differ.
#  2. No hard wraps inside Japanese sentences: one paragraph (or list item) is one line. A line of
#     prose that holds Japanese text and does not end a sentence (。, ：, :) may not be followed by
#     a continuation line (a non-empty line that is not a list item, table row, heading, fence or
#     HTML). Markdown renders such a break as a stray space (「トランザク ション」).
#  3. Words the glossary (docs/ja/glossary.md) replaced do not come back.
#
# Usage: perl docs/check-ja.pl   (exit 1 on any problem; run by scripts/test.sh, suite doc-ja)
use strict;
use warnings;
use utf8;
use File::Basename qw(dirname basename);
use Cwd qw(abs_path);

binmode STDOUT, ':encoding(UTF-8)';
binmode STDERR, ':encoding(UTF-8)';
my $root = abs_path(dirname(__FILE__) . '/..');

# Japanese pages with no English counterpart.
my %ja_only = map { $_ => 1 } qw(docs/ja/glossary.md);

# Translationese the glossary replaced: wrong => right.
my %avoid = (
    '時機'                => 'タイミング',
    'post-handshake 認証' => 'ポストハンドシェイク認証',
    '引き受けます'        => '（何を代わりに行うかを具体的に書く）',
    '伏せ字'              => 'マスク',
);

my $jchar = qr/[\p{Han}\p{Hiragana}\p{Katakana}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]/;

sub slurp {
    my $path = shift;
    open my $fh, '<:encoding(UTF-8)', "$root/$path" or die "$path: $!\n";
    local $/;
    return scalar <$fh>;
}

# A page as sections: [{ heading, level, line, code => [{ lang, lines, line }] }, ...]. Section 0
# holds what comes before the first heading. Also returns the prose lines (outside code) with
# their line numbers, for the wrap check.
sub parse {
    my $path = shift;
    my @lines = split /\n/, slurp($path), -1;
    my @sections = ({ heading => '(top of page)', level => 0, line => 1, code => [] });
    my @prose;
    my $fence;
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        my $no = $i + 1;
        if ($fence) {
            if ($l =~ /^\s*(\Q$fence->{mark}\E+)\s*$/ && length($1) >= length $fence->{mark}) {
                push @{ $sections[-1]{code} }, $fence->{block};
                undef $fence;
                next;
            }
            (my $c = $l) =~ s/^ {0,$fence->{indent}}//;
            push @{ $fence->{block}{lines} }, $c;
            next;
        }
        if ($l =~ /^( *)(`{3,}|~{3,})\s*([^\s`]*)/) {
            $fence = { indent => length $1, mark => $2,
                block => { lang => $3, lines => [], line => $no } };
            push @prose, [$no, undef];    # a fence ends the paragraph before it
            next;
        }
        if ($l =~ /^(#{1,6})\s+(.*?)\s*$/) {
            push @sections, { heading => $2, level => length $1, line => $no, code => [] };
        }
        push @prose, [$no, $l];
    }
    push @{ $sections[-1]{code} }, $fence->{block} if $fence;    # unclosed: keep what there is
    return (\@sections, \@prose);
}

# Code with comments removed, trailing blanks trimmed, blank lines dropped.
sub code_text {
    my $block = shift;
    my $lang = lc $block->{lang};
    my $hash = $lang =~ /^(|sh|bash|shell|console|ini|perl|pl|conf|properties|php|toml|yaml|yml|make|cron|crontab)$/;
    my $slash = $lang =~ /^(php|rust|rs|c|h|cpp|js|javascript|ts|go|java)$/;
    my $semi = $lang =~ /^(ini)$/;
    my @out;
    for my $l (@{ $block->{lines} }) {
        next if $hash && $l =~ /^\s*#(?!!)/;
        next if $slash && $l =~ m{^\s*//};
        next if $semi && $l =~ /^\s*;/;
        $l =~ s/\s+#(?:\s.*)?$// if $hash;
        $l =~ s{\s+//(?:\s.*)?$}{} if $slash;
        $l =~ s/\s+$//;
        push @out, $l if $l ne '';
    }
    return @out;
}

sub where { my ($path, $s) = @_; "$path:$s->{line} '" . ('#' x $s->{level}) . ($s->{level} ? ' ' : '') . "$s->{heading}'" }

sub compare {
    my ($en, $ja) = @_;
    my @p;
    my ($es) = parse($en);
    my ($js) = parse($ja);
    if (@$es != @$js) {
        # Headings are told apart only by their levels: show both lists side by side, so the
        # missing (or extra) one is easy to spot.
        my $n = @$es > @$js ? @$es : @$js;
        my @rows = map {
            my ($e, $j) = ($es->[$_], $js->[$_]);
            sprintf "      %-60s | %s", ($e ? where($en, $e) : '-'), ($j ? where($ja, $j) : '-')
        } 1 .. $n - 1;
        push @p, "$ja has " . (@$js - 1) . " headings, $en has " . (@$es - 1)
            . ": a section is missing or extra (the first row that does not correspond is the place):\n"
            . join("\n", @rows);
        return @p;
    }
    for my $i (0 .. $#$es) {
        my ($e, $j) = ($es->[$i], $js->[$i]);
        if ($e->{level} != $j->{level}) {
            push @p, "$ja: heading levels differ: " . where($en, $e) . ' is level ' . $e->{level}
                . ', ' . where($ja, $j) . ' is level ' . $j->{level};
            last;
        }
        my ($ec, $jc) = ($e->{code}, $j->{code});
        if (@$ec != @$jc) {
            push @p, "$ja: section " . where($ja, $j) . ' has ' . scalar(@$jc) . ' code block(s), '
                . where($en, $e) . ' has ' . scalar(@$ec);
            next;
        }
        for my $k (0 .. $#$ec) {
            my ($eb, $jb) = ($ec->[$k], $jc->[$k]);
            my $what = "code block at $ja:$jb->{line} (English $en:$eb->{line})";
            if ($eb->{lang} ne $jb->{lang}) {
                push @p, "$what: language '$jb->{lang}', English '$eb->{lang}'";
                next;
            }
            my @el = code_text($eb);
            my @jl = code_text($jb);
            for my $m (0 .. (@el > @jl ? $#el : $#jl)) {
                my ($x, $y) = ($el[$m] // '(nothing)', $jl[$m] // '(nothing)');
                next if $x eq $y;
                push @p, "$what differs outside comments:\n      English:  $x\n      Japanese: $y";
                last;
            }
        }
    }
    return @p;
}

sub wraps {
    my $ja = shift;
    my (undef, $prose) = parse($ja);
    my @p;
    my $prose_line = sub {
        my $l = shift;
        return defined $l && $l =~ /\S/ && $l !~ /^\s*(\||#{1,6}\s|<|>)/;
    };
    for my $k (0 .. $#$prose - 1) {
        my ($no, $l) = @{ $prose->[$k] };
        my ($next_no, $next) = @{ $prose->[$k + 1] };
        next unless $prose_line->($l) && $next_no == $no + 1 && $prose_line->($next);
        next if $next =~ /^\s*([-*+]|\d+[.)])\s/;            # the next list item
        next if $l =~ /(  |\\)$/;                            # an explicit line break
        next unless $l =~ $jchar;
        next if $l =~ /[。：:]\s*$/;
        (my $tail = $l) =~ s/^\s+//;
        $tail = '…' . substr($tail, -20) if length $tail > 20;
        push @p, "$ja:$no: hard-wrapped inside a sentence ('$tail' continues on line $next_no); "
            . 'write the paragraph on one line';
    }
    for my $k (0 .. $#$prose) {
        last if $ja_only{$ja};    # the glossary names the words it replaced
        my ($no, $l) = @{ $prose->[$k] };
        next unless defined $l;
        for my $w (sort keys %avoid) {
            push @p, "$ja:$no: '$w' (glossary: $avoid{$w})" if index($l, $w) >= 0;
        }
    }
    return @p;
}

my @pairs = (['README.md', 'README.ja.md']);
opendir my $dh, "$root/docs/ja" or die "docs/ja: $!\n";
for my $f (sort grep { /\.md\z/ } readdir $dh) {
    my $ja = "docs/ja/$f";
    next if $ja_only{$ja};
    push @pairs, ["docs/$f", $ja];
}
closedir $dh;

my @fail;
my $checked = 0;
for my $pair (@pairs) {
    my ($en, $ja) = @$pair;
    my @p;
    if (!-f "$root/$en") {
        @p = ("$ja: no English page $en (a Japanese-only page belongs in %ja_only of docs/check-ja.pl)");
    }
    else {
        @p = (compare($en, $ja), wraps($ja));
    }
    $checked++;
    push @fail, @p;
}
push @fail, wraps($_) for grep { -f "$root/$_" } sort keys %ja_only;

if (@fail) {
    print "FAIL - $_\n" for @fail;
    exit 1;
}
print "doc ja: $checked page pairs: same headings and code blocks as English, no hard wraps\n";
