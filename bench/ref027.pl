#!/usr/bin/perl
# Writes a 027 reference reply with N records and a simulator case serving it:
#   perl ref027.pl SIMDIR N [ID]
# -> SIMDIR/bench/ID.body and SIMDIR/conformance/cases/ID.json (ID: bench-027 by default)
# (the simulator resolves a case body {"file": ...} against the cases dir's grandparent).
use strict;
use warnings;
use File::Path qw(make_path);

my ($dir, $n, $id) = @ARGV;
$id //= 'bench-027';
die "usage: ref027.pl SIMDIR N [ID]\n" unless defined $n && $n =~ /^\d+$/ && $id =~ /^[\w-]+$/;
make_path("$dir/bench", "$dir/conformance/cases");

# Layout of protocol.md §6.4.1 / fixture 04: header, data header, N data lines, trailer; CRLF.
# cardholder_name in Windows-31J (YAMADA TARO in katakana) as in real replies.
my $kana = "\x{83}\x{84}\x{83}\x{7d}\x{83}\x{5f}\x{20}\x{83}\x{5e}\x{83}\x{8d}\x{83}\x{45}";
open my $fh, '>:raw', "$dir/bench/$id.body" or die "$id.body: $!";
print {$fh} qq{"1","0","",""\r\n};
print {$fh} qq{"2","customer_id","customer_card_id","card_number","card_valid_term",}
    . qq{"cardholder_name","add_info1","add_info2","add_info3","add_info4"\r\n};
for my $i (1 .. $n) {
    my $last4 = sprintf '%04d', $i % 10000;
    my $term  = sprintf '%02d%02d', 1 + $i % 12, 27 + $i % 5;
    print {$fh} qq{"3","bench-customer","$i","************$last4","$term","$kana",}
        . qq{"note $i, with comma","","",""\r\n};
}
print {$fh} qq{"4","$n"\r\n};
close $fh or die "$id.body: $!";

open my $case, '>', "$dir/conformance/cases/$id.json" or die "case: $!";
print {$case} <<JSON;
{
  "id": "$id",
  "spec": "bench: 027 reference reply with $n records",
  "reply": {
    "status": 200,
    "headers": [["Content-Type", "text/html; charset=Windows-31J"]],
    "body": {"file": "bench/$id.body"}
  }
}
JSON
close $case or die "case: $!";
