# The shared conformance cases (tests/conformance/cases/*.json, format in
# tests/conformance/README.md) through Paygent::B2B against the simulator. The cases are written
# for the PHP configuration file; each is translated to a paygent.properties. Cases about the
# PHP file syntax, or keys the Perl configuration does not have, are skipped with the reason.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use File::Spec;
use File::Path qw(make_path);
use lib 't/lib';
use PaygentTest qw(tmpdir write_file read_file write_properties need_sim tests_path);
use Paygent::B2B;

my ($port, $pki) = need_sim();
my $cases_dir = $ENV{PAYGENT_CASES} || tests_path('conformance/cases');
my $tests_dir = File::Spec->catdir($cases_dir, '..', '..');
my $record    = $ENV{PAYGENT_SIM_RECORD};
my $work      = tmpdir();
delete @ENV{qw(HTTPS_KEY_FILE HTTPS_CERT_FILE HTTPS_CA_FILE)};

my $json = JSON::PP->new->relaxed;
my $base = read_file(File::Spec->catfile($cases_dir, '..', 'base.properties'));
my @cases = sort glob(File::Spec->catfile($cases_dir, '*.json'));
@cases = grep { /$ENV{PAYGENT_CASE}/ } @cases if $ENV{PAYGENT_CASE};    # e.g. PAYGENT_CASE=reply-6
ok(scalar @cases, scalar(@cases) . ' cases found');

# PHP property key (without the prefix) → Perl variable: the core's table (one source).
my %PERL_VAR;
{
    my @t = Paygent::B2B::_perl_variables();
    while (my ($name, $key) = splice @t, 0, 3) { $PERL_VAR{$key} = $name }
}
# Deleting these gives E01002 in PHP; the Perl configuration has a default instead.
my %PERL_DEFAULT = map { $_ => 1 } qw(timeout_value select_max_cnt log_output_path telegram_kind.ref);

# The Perl manual's wording where it differs from the PHP module (protocol.md §2).
sub perl_text {
    my $t = shift;
    $t =~ s/Error in indespensable HTTP request value\./Error indespensable HTTP request value./g;
    $t =~ s/CVS file name error\./CSV file name error./g;
    return $t;
}

sub bytes_of {
    my ($v, $fill) = @_;
    return undef unless defined $v;
    if (ref $v eq 'HASH') {
        if (defined $v->{hex}) { (my $h = $v->{hex}) =~ s/\s+//g; return pack 'H*', $h }
        if (defined $v->{file}) {
            my $data = read_file(File::Spec->catfile($tests_dir, $v->{file}));
            die "missing file $v->{file}" unless defined $data;
            return $data;
        }
        if (defined $v->{repeat}) { my $s = $v->{repeat}; utf8::encode($s); return $s x $v->{times} }
        die 'unknown byte value ' . $json->encode($v);
    }
    my $s = "$v";
    utf8::encode($s);
    return $fill ? $fill->($s) : $s;
}

# Printable form for diagnostics (long values cut).
sub show {
    my $s = shift;
    return 'undef' unless defined $s;
    my $len = length $s;
    $s = substr($s, 0, 300) if $len > 300;
    $s =~ s/([^\x20-\x7e])/sprintf '\\x%02x', ord $1/ge;
    return $len > 300 ? "$s... ($len bytes)" : $s;
}

# Byte-exact comparison (undef only equals undef).
sub bytes_is {
    my ($got, $want, $name) = @_;
    my $same = defined $got ? defined $want && $got eq $want : !defined $want;
    ok($same, $name) or diag("got:  " . show($got) . "\nwant: " . show($want));
}

# The translated paygent.properties of a case, or (undef, reason) to skip.
sub perl_properties {
    my ($case, $fill) = @_;
    my (%props, @order);
    for my $line (split /\n/, $base) {
        next unless $line =~ /^paygentB2Bmodule\.([^=]+)=(.*)$/;
        $props{$1} = $fill->($2);
    }
    my $over = $case->{properties} || {};
    for my $key (sort keys %$over) {
        return (undef, "PHP properties syntax ($key)") unless $key =~ /^paygentB2Bmodule\.([\w.]+)$/;
        my $name = $1;
        my $v = $over->{$key};
        return (undef, "compat=escape_truncation is about the PHP file") if $name eq 'compat' && defined $v && $v =~ /escape_truncation/;
        if (!defined $v) {
            return (undef, "Perl default for $name") if $PERL_DEFAULT{$name};
            delete $props{$name};
            next;
        }
        $props{$name} = ref $v ? "$v" : $fill->("$v");
    }
    my (%vars, %url);
    for my $name (keys %props) {
        my $v = $props{$name};
        if ($name =~ /^url\.(.+)$/) { $url{$1} = $v }
        elsif ($name =~ /^proxy_server_(name|ip|port)$/) {
            # $proxy_server_name is a URL in Perl, the PHP cases set a host and a port.
            return (undef, "PHP proxy key $name") if length $v;
        }
        elsif ($PERL_VAR{$name}) { $vars{ $PERL_VAR{$name} } = $v }
        else { return (undef, "no Perl variable for $name") }
    }
    $vars{HTTPS_KEY_FILE} = '' if defined $vars{HTTPS_CERT_FILE};    # kit PEM: key inside
    $vars{url} = \%url;
    return \%vars;
}

# What the simulator recorded, read incrementally (the file grows by one line per request and
# can hold 100 000 lines of other tests): per path, the number of requests and the last line.
# Lines can be tens of MB (a 10 MB telegram): only the last one of a case is decoded.
my (%seen, %last_line, $offset);
sub scan_record {
    return unless $record && open my $fh, '<:raw', $record;
    seek $fh, $offset || 0, 0;
    while (my $line = <$fh>) {
        last unless $line =~ /\n\z/;    # a line being written: read it next time
        $offset = tell $fh;
        my ($path) = $line =~ /"path"\s*:\s*"([^"]*)"/;
        next unless defined $path && index($path, '/case/') == 0;
        $seen{$path}++;
        $last_line{$path} = $line;
    }
}

sub request_count { my $path = shift; scan_record(); return $seen{$path} || 0 }

sub last_request {
    my $path = shift;
    scan_record();
    my $line = $last_line{$path};
    return undef unless defined $line;
    my ($hex) = $line =~ /"body_hex"\s*:\s*"([0-9a-fA-F]*)"/;
    $line =~ s/"body(?:_hex)?"\s*:\s*"(?:[^"\\]++|\\.)*+"\s*,?//g;
    $line =~ s/,\s*}/}/;
    my $r = eval { JSON::PP->new->decode($line) } or return undef;
    $r->{body_hex} = defined $hex ? $hex : '';
    return $r;
}

for my $file (@cases) {
    my $case = $json->decode(read_file($file));
    (my $id = (File::Spec->splitpath($file))[2]) =~ s/\.json\z//;
    my $tmp = "$work/$id";
    make_path($tmp);
    my $sim = "https://127.0.0.1:$port/case/$id";
    my $fill = sub {
        my $s = shift;
        $s =~ s/\{tmp\}/$tmp/g;
        $s =~ s/\{pki\}/$pki/g;
        $s =~ s/\{sim\}/$sim/g;
        $s =~ s/\{port\}/$port/g;
        return $s;
    };
    subtest $id => sub {
        my $props_file = "$tmp/paygent.properties";
        if (exists $case->{properties} && !defined $case->{properties}) {
            $props_file = "$tmp/absent.properties";
        }
        else {
            my ($vars, $why) = perl_properties($case, $fill);
            plan skip_all => $why unless $vars;
            write_properties($props_file, %$vars);
        }
        for my $name (keys %{ $case->{files} || {} }) {
            write_file("$tmp/$name", bytes_of($case->{files}{$name}));
        }
        local $ENV{PAYGENT_PROPERTIES} = $props_file;
        my $sent_before = request_count("/case/$id");
        my $expect = $case->{expect} || {};

        my $p = Paygent::B2B->new;
        my $init = Paygent::PException::getErrorCode();
        my $want_init = exists $expect->{init} && !(ref $expect->{init}) ? $expect->{init} : undef;
        is($init, $want_init, 'init') or diag(scalar Paygent::PException::getInfo());
        return if defined $want_init;

        for my $call (@{ $case->{calls} || [] }) {
            my ($name, @args) = @$call;
            @args = map { bytes_of($_, $fill) } @args;
            if    ($name eq 'reqPut')   { $p->reqPut(@args) }
            elsif ($name eq 'post')     { $p->post }
            elsif ($name eq 'init')     { $p->init }
            elsif ($p->can($name))      { $p->$name(@args) }
            else                        { fail("unknown call $name") }
        }
        my $posted = $p->post;
        my $code = Paygent::PException::getErrorCode();
        if (exists $expect->{post}) {
            if (ref $expect->{post}) {
                is($posted, 1, 'post returns 1') or diag(show(scalar Paygent::PException::getInfo()));
            }
            else {
                is($posted, 0, 'post returns false');
                is($code, $expect->{post}, 'post error code') or diag(show($p->getResultMessage));
            }
        }
        my %field = (result_status => 'resultStatus', response_code => 'resultCode',
            response_detail => 'resultMsg');
        for my $k (sort keys %field) {
            next unless exists $expect->{$k};
            bytes_is($p->{ $field{$k} }, bytes_of($expect->{$k}), $k);
        }
        if (exists $expect->{result_message}) {
            my $want = $expect->{result_message};
            my $got = $p->getResultMessage;
            if (ref $want eq 'HASH' && !defined $want->{hex} && !defined $want->{file}) {
                if (defined $want->{prefix}) {
                    my $prefix = perl_text($fill->($want->{prefix}));
                    ok(defined $got && index($got, $prefix) == 0, "result_message prefix $prefix")
                        or diag(show($got));
                }
                for my $c (@{ $want->{contains} || [] }) {
                    ok(index($got, perl_text($fill->($c))) >= 0, "result_message contains $c")
                        or diag(show($got));
                }
            }
            else {
                bytes_is($got, perl_text(bytes_of($want, $fill)), 'result_message');
            }
        }
        if (exists $expect->{warnings}) {
            is_deeply([Paygent::PException::getWarnings()], [map { perl_text($fill->($_)) } @{ $expect->{warnings} }],
                'warnings');
        }
        if (exists $expect->{records}) {
            my @want = map { my $r = $_; +{ map { $_ => bytes_of($r->{$_}) } keys %$r } } @{ $expect->{records} };
            is_deeply($p->{resultLine}, \@want, 'records ({resultLine})')
                or diag(join ' | ', map { my $r = $_; join ',', map { "$_=" . show($r->{$_}) } sort keys %$r } @{ $p->{resultLine} });
            is_deeply($p->{result}, $want[0] || {}, '{result} is the first record');
        }
        if (exists $expect->{sent}) {
            my $want = $expect->{sent};
            my $last = request_count("/case/$id") > $sent_before ? last_request("/case/$id") : undef;
            if (!defined $want) {
                ok(!$last, 'nothing sent');
            }
            elsif (!$last) {
                fail('sent: nothing reached the simulator');
            }
            else {
                my $body = pack 'H*', ($last->{body_hex} || '');
                bytes_is($body, bytes_of($want->{body}, $fill), 'sent body') if exists $want->{body};
                for my $c (@{ $want->{body_contains} || [] }) {
                    my $w = bytes_of($c, $fill);
                    ok(index($body, $w) >= 0, 'sent body contains ' . show($w)) or diag(show($body));
                }
                my %h = map { lc($_->[0]) => $_->[1] } @{ $last->{headers} || [] };
                for my $k (sort keys %{ $want->{headers} || {} }) {
                    my $w = $want->{headers}{$k};
                    $w = 'libwww-perl/6.68' if lc $k eq 'user-agent' && $w eq 'curl_php';
                    is($h{ lc $k }, $w, "sent header $k");
                }
                ok(!exists $h{ lc $_ }, "header $_ absent") for @{ $want->{headers_absent} || [] };
                is($last->{version}, $want->{version}, 'HTTP version') if exists $want->{version};
            }
        }
        if (exists $expect->{csv}) {
            my $got = read_file("$tmp/result.csv");
            if (defined $expect->{csv}) {
                bytes_is($got, bytes_of($expect->{csv}, $fill), 'result CSV');
            }
            else {
                ok(!defined $got, 'no result CSV');
            }
        }
        my $log = read_file("$tmp/paygent.log");
        $log = '' unless defined $log;
        for my $s (@{ $expect->{log_contains} || [] }) {
            my $w = $fill->($s);
            $w =~ s/PaygentModule\\Util\\HttpsRequestSender/Paygent::B2B/g;
            ok(index($log, $w) >= 0, "log contains $w") or diag($log);
        }
        for my $s (@{ $expect->{log_lacks} || [] }) {
            ok(index($log, $fill->($s)) < 0, "log lacks $s");
        }
    };
}

done_testing;
