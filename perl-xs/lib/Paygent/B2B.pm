package Paygent::B2B;

use strict;
use warnings;

# No File::Spec / File::Basename: loading them cost a CGI process ~17 M instructions (~3 ms), more
# than the rest of this module; paths here are Unix paths.
use Scalar::Util ();

use Paygent::PException;

our $VERSION = '0.1.0';

require XSLoader;
XSLoader::load('Paygent::B2B', $VERSION);

# The dialect number of paygent.h (PAYGENT_DIALECT_PERL): the Perl manual's message texts.
sub DIALECT_PERL () { 1 }

# paygent.properties variables handed to the core by name (decisions.md 5): the core's one table
# (name, key, %ENV fallback), read once. Scalars only; %url goes as url.<prefix>.
our (@PROPERTY_SCALARS, @ENV_FALLBACK);
{
    my @t = _perl_variables();
    while (my ($name, undef, $env) = splice @t, 0, 3) {
        push @PROPERTY_SCALARS, $name;
        push @ENV_FALLBACK, $name if $env;
    }
}
my %env_fallback = map { $_ => 1 } @ENV_FALLBACK;

# ithreads: a cloned object would share the Rust handle with its parent; refuse the clone
# (the new thread sees undef) instead of freeing the handle twice.
sub CLONE_SKIP { 1 }

sub new {
    my $proto = shift;
    my $class = (ref $proto) || $proto || __PACKAGE__;
    my $self  = bless {
        resultStatus => undef,
        resultCode   => undef,
        resultMsg    => undef,
        result       => {},
        resultLine   => [],
    }, $class;
    Paygent::PException::_clear();
    if (!_attach($self, DIALECT_PERL)) {
        Paygent::PException::_set(1901, 'E01901: internal error: cannot create the module object');
        return $self;
    }
    $self->init;
    return $self;
}

sub init {
    my $self = shift;
    return 0 unless _is_object($self);
    my ($status, $detail) = _load_properties();
    _config_reset($self);
    if ($status) {
        _config_fail($self, $status);
    }
    else {
        for my $name (@PROPERTY_SCALARS) {
            my $value = _property($name);
            _config_set($self, $name, $value) if defined $value;
        }
        # Endpoints: %url (decisions.md 5), also %paygent_url and $url_XX scalars (protocol.md §2).
        my %url = (%{ _property_hash('paygent_url') }, %{ _property_hash('url') });
        for my $name (_url_scalars()) {
            my $value = _property($name);
            $url{ substr $name, 4 } = $value if defined $value && !exists $url{ substr $name, 4 };
        }
        _config_set($self, "url.$_", $url{$_}) for grep { defined $url{$_} } sort keys %url;
    }
    my $ok = _init($self) == 0;
    # Why the file did not load (a Perl error), for Paygent::PException::getWarnings.
    push @Paygent::PException::LAST_WARNINGS, "paygent.properties: $detail"
        if !$ok && defined $detail && $status == 1002;
    return $ok ? 1 : 0;
}

sub reqPut {
    my ($self, $key, $value) = @_;
    return 0 unless _is_object($self);
    return _req_put($self, $key, $value) == 0 ? 1 : 0;
}

sub reqPuts {
    my ($self, $params) = @_;
    return 0 unless _is_object($self) && ref $params;
    my $type = Scalar::Util::reftype($params);
    my @pairs;
    if ($type eq 'HASH') {
        # A plain hash has no order: sort for a deterministic telegram. A tied hash
        # (Tie::IxHash) keeps its own order.
        my @keys = tied(%$params) ? keys %$params : sort keys %$params;
        @pairs = map { ($_, $params->{$_}) } @keys;
    }
    elsif ($type eq 'ARRAY') {
        @pairs = @$params;
        push @pairs, undef if @pairs % 2;
    }
    else {
        return 0;
    }
    my $ok = 1;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        $ok = 0 if _req_put($self, $k, $v) != 0;
    }
    return $ok;
}

sub reqGet {
    my ($self, $key) = @_;
    return undef unless _is_object($self);
    return _req_get($self, $key);
}

sub setResultCsv       { _setter(\&_set_result_csv,       @_) }
sub setSendFilePath    { _setter(\&_set_send_file_path,   @_) }
sub setTimeout         { _setter(\&_set_timeout,          @_) }
sub setSelectMaxCnt    { _setter(\&_set_select_max_cnt,   @_) }
sub setDefaultId       { _setter(\&_set_default_id,       @_) }
sub setDefaultPassword { _setter(\&_set_default_password, @_) }
sub setEncoding        { _setter(\&_set_encoding,         @_) }

sub post {
    my $self = shift;    # further arguments (the manual's `$0`) are ignored
    Paygent::PException::_clear();
    if (!_is_object($self)) {
        Paygent::PException::_set(1901, 'E01901: internal error: not a Paygent::B2B object');
        return 0;
    }
    my $status = _post($self);
    my $records = _records($self);
    $self->{resultStatus} = _result_status($self);
    $self->{resultCode}   = _response_code($self);
    $self->{resultMsg}    = _response_detail($self);
    $self->{resultLine}   = $records;
    $self->{result}       = @$records ? $records->[0] : {};
    $self->{failurePhase} = _failure_phase($self);
    return $status == 0 ? 1 : 0;
}

# Extensions (not in the official module): where the last post broke off, and the gateway's
# answer about that telegram (094 inquiry).
sub getFailurePhase { my $self = shift; _is_object($self) ? _failure_phase($self) : undef }

sub confirm {
    my $self = shift;
    return { outcome => 'unknown', reason => 'not a Paygent::B2B object' } unless _is_object($self);
    my $answer = _confirm($self);
    return keys %$answer ? $answer : { outcome => 'unknown', reason => 'internal error' };
}

sub getResultMessage { my $self = shift; _is_object($self) ? _result_message($self) : undef }
sub getTelegramKind  { my $self = shift; _is_object($self) ? _telegram_kind($self)  : undef }
sub getParamNames    { my $self = shift; _is_object($self) ? @{ _req_keys($self) }  : () }

# Where paygent.properties is (decisions.md 5): $ENV{PAYGENT_PROPERTIES}, else beside B2B.pm,
# else @INC as Paygent/paygent.properties, else @INC as paygent.properties. undef = none.
sub properties_path {
    my $env = $ENV{PAYGENT_PROPERTIES};
    return $env if defined $env && length $env;
    my @candidates;
    my $pm = $INC{'Paygent/B2B.pm'};
    push @candidates, _dir_of($pm) . 'paygent.properties' if defined $pm && !ref $pm;
    my @dirs = grep { defined && !ref } @INC;
    push @candidates, map { _in_dir($_) . 'Paygent/paygent.properties' } @dirs;
    push @candidates, map { _in_dir($_) . 'paygent.properties' } @dirs;
    for my $file (@candidates) {
        return $file if -f $file;
    }
    return undef;
}

# ---- internals -----------------------------------------------------------------------------

# "dir/" for a directory name ("" for ""), so that a file name can follow.
sub _in_dir {
    my $dir = shift;
    return $dir eq '' || $dir =~ m{/\z} ? $dir : "$dir/";
}

# The directory part of a file path, with its trailing slash ("" for a bare name).
sub _dir_of {
    my $path = shift;
    $path =~ s{[^/]*\z}{};
    return $path;
}

sub _is_object {
    my $self = shift;
    return Scalar::Util::blessed($self) && Scalar::Util::reftype($self) eq 'HASH' ? 1 : 0;
}

sub _setter {
    my ($xsub, $self, $value) = @_;
    return 0 unless _is_object($self);
    return $xsub->($self, $value) == 0 ? 1 : 0;
}

my $loaded_file;    # the properties file whose variables are current
my ($url_scalars_at, @url_scalars);    # see _url_scalars

# require the properties file into this package. Returns 0, 1001 (not found) or 1002 (failed
# to compile or run; then also the Perl error).
sub _load_properties {
    my $path = properties_path();
    return 1001 unless defined $path && -f $path;
    # E01001 as the official module says it ("doesn't exist"); the detail tells why (info).
    return (1001, "it exists, but this process (uid $>) cannot read it: $!")
        unless open my $probe, '<', $path;
    # Absolute: `require` searches @INC for a relative name.
    if ($path !~ m{\A/}) {
        require Cwd;
        my $cwd = Cwd::getcwd();
        $path = _in_dir($cwd) . $path if defined $cwd;
    }
    return 0 if defined $loaded_file && $loaded_file eq $path && $INC{$path};
    if (!$INC{$path} && defined $loaded_file) {
        # Another file is loaded: its values must not leak into this one.
        no strict 'refs';
        undef ${"Paygent::B2B::$_"} for @PROPERTY_SCALARS, grep { /^url_\w+\z/ } keys %Paygent::B2B::;
        %{"Paygent::B2B::$_"} = () for qw(url paygent_url);
    }
    my $ok = eval {
        package Paygent::B2B;
        require $path;
        1;
    };
    if (!$ok) {
        my $err = $@;
        # The file ran; it only lacks a final true value (`1;`): accept it.
        if ($err =~ /did not return a true value/) {
            $INC{$path} = $path;
        }
        else {
            delete $INC{$path};
            $err =~ s/\s+\z//;
            return (1002, $err);
        }
    }
    $loaded_file = $path;
    undef $url_scalars_at;
    return 0;
}

sub _property {
    my $name = shift;
    no strict 'refs';
    my $value = ${"Paygent::B2B::$name"};
    if (!defined $value && $env_fallback{$name}) {
        $value = $ENV{$name};
    }
    return undef unless defined $value;
    # A list given as an array ref ('027,090' is the documented form).
    return join(',', @$value) if ref $value && Scalar::Util::reftype($value) eq 'ARRAY';
    return "$value";
}

# The $url_XX variables of this package. Scanning the package's symbol table (every sub and
# variable) on each `new` was the largest part of its cost; the list is taken again when the
# table changes size (a file or the script declared a new variable) or another file loads.
sub _url_scalars {
    my $size = scalar keys %Paygent::B2B::;
    if (!defined $url_scalars_at || $url_scalars_at != $size) {
        @url_scalars = sort grep { /^url_\w+\z/ } keys %Paygent::B2B::;
        $url_scalars_at = $size;
    }
    return @url_scalars;
}

sub _property_hash {
    my $name = shift;
    no strict 'refs';
    return \%{"Paygent::B2B::$name"};
}

# The installation report (what `php --ri paygent` shows), as a hash ref: version, tls_backend,
# openssl (the library in use), properties_file (or why none), session_cache (directory and
# whether usable), log_file, debug. Class or object method; it loads the configuration as `new`
# does (so Paygent::PException then holds that outcome).
sub info {
    my $p = __PACKAGE__->new;
    my %info = map { split /\t/, $_, 2 } split /\n/, _info($p);
    # Which Paygent/B2B.pm this is: one under /usr/local shadows the Debian package's.
    $info{pm_file} = $INC{'Paygent/B2B.pm'};
    my $path = properties_path();
    if (!defined $path) {
        $info{properties_file} = 'none: $ENV{PAYGENT_PROPERTIES} is unset and no paygent.properties '
            . 'is beside Paygent/B2B.pm or in @INC (as Paygent/paygent.properties or paygent.properties)';
    }
    else {
        my ($status, $detail) = _load_properties();
        $info{properties_file} = $status == 0 ? $path
            : "$path (not loaded: E0" . $status . (defined $detail ? ": $detail" : '') . ')';
    }
    return \%info;
}

1;
__END__

=encoding utf8

=head1 NAME

Paygent::B2B - PAYGENT connection module (drop-in replacement, Rust core)

=head1 SYNOPSIS

    use Paygent::B2B;

    my $p = new Paygent::B2B;            # or Paygent::B2B->new
    $p->reqPuts({
        telegram_kind => '020',
        trading_id    => 'order-0001',
        payment_amount => '1000',
        card_number   => '4111111111111111',
        card_valid_term => '1230',
    });
    if ($p->post) {
        if ($p->{resultStatus} eq '0') {
            print "payment_id: $p->{result}{payment_id}\n";
        } else {
            print "refused: $p->{resultCode} $p->{resultMsg}\n";
        }
    } else {
        my ($code, $message) = Paygent::PException::getInfo();
        print "module error $code: $message\n";
    }

=head1 DESCRIPTION

The object model of the official Perl module (protocol.md §2): parameters are put on an object,
C<post> sends the telegram over mutual TLS and fills the result fields of the object's hash.
Nothing dies on an error: C<post> returns false and L<Paygent::PException> holds the error.

All values are byte strings. Replies come back as the gateway sent them (Windows-31J bytes for
normal telegrams), never decoded. Values you pass are sent as their bytes; a string with the
UTF-8 flag is first downgraded when every character fits in a byte (a byte string upgraded by
accident is sent unchanged), otherwise it is sent as its UTF-8 encoding (C<utf8::encode>).
Convert Japanese text to Windows-31J yourself (C<Encode::encode('cp932', ...)>), or set
C<$caller_encoding> in the configuration.

=head1 CONFIGURATION

C<paygent.properties> is Perl code loaded with C<require> into package C<Paygent::B2B>; it sets
package variables:

    our $HTTPS_CERT_FILE = '/path/paygent_mdev/client.crt';  # or the kit PEM (key inside)
    our $HTTPS_KEY_FILE  = '/path/paygent_mdev/clcerts_key_nopass.pem';  # '' with a kit PEM
    our $HTTPS_CA_FILE   = '/path/paygent_mdev/ca.pem';
    our $proxy_server_name = '';          # 'http://proxy:8080/'
    our $log_output_path = '/var/log/paygent/paygent.log';
    our $default_id = ''; our $default_password = '';
    our $timeout_value = 35; our $select_max_cnt = 2000;
    our $merchant_id = ''; our $telegram_ver = '1.0'; our $Debug = 0;
    our %url = ('02' => 'https://.../n/card/request');   # optional; unnamed prefixes use the
                                                         # shipped production table
                                       # (%paygent_url and $url_02 scalars work too)
    our $telegram_kind_ref = '027,090';   # also: $telegram_kind_utf8, $client_key_password
                                          # (default changeit), $verify_host, $keep_alive
    1;

Where the file is found, first match wins: C<$ENV{PAYGENT_PROPERTIES}>; the directory of
F<Paygent/B2B.pm>; F<Paygent/paygent.properties> in C<@INC>; F<paygent.properties> in C<@INC>.
C<$HTTPS_KEY_FILE>, C<$HTTPS_CERT_FILE> and C<$HTTPS_CA_FILE> fall back to the C<%ENV> entries
of the same names when the variables are undefined (the manual's mod_perl recipe).

A file is loaded once per process (C<require>); the values are read again at every C<new> and
C<init>, so changes made at run time to the variables take effect. When a different file is
loaded later in the same process (another C<PAYGENT_PROPERTIES>), the variables of the previous
file are cleared first. A file that does not end with a true value is accepted. A file that does
not compile gives C<E01002>; no file gives C<E01001>.

Further variables of the Rust implementation, with the meaning of the PHP
C<paygentB2Bmodule.*> keys of the same name: C<$retry_not_sent> (0 by default; N resends a
telegram up to N times, only when it failed before any byte of it left the process), C<$proxy_server_ip>, C<$proxy_server_port>,
C<$proxy_user>, C<$proxy_password>, C<$not_use_client_cert>, C<$not_use_ca_cert>,
C<$tls_backend>, C<$caller_encoding>, C<$csv_mode>, C<$compat>, C<$session_cache_dir>,
C<$journal_dir> (where C<maybe_sent> telegrams are journaled for C<paygent confirm --pending>;
C<'off'> disables it), C<$reply_max_size>, C<$file_reply_max_size>.
C<$proxy_server_name> may be a URL (C<http://user:password@proxy:8080/>) giving the port and
the credentials too; non-empty C<$proxy_server_ip>, C<$proxy_server_port>, C<$proxy_user>,
C<$proxy_password> override what it gives, and the IP wins over the name (as in PHP).

=head1 METHODS

=over 4

=item new

C<new Paygent::B2B> or C<< Paygent::B2B->new >> (also C<< $p->new >>). Creates the object and
loads the configuration. Never dies; a configuration error is reported by
L<Paygent::PException> and again by C<post>.

=item init

Reads the configuration variables again (C<new> already did). Returns 1, or 0 with the error
(C<E01001>/C<E01002>) in L<Paygent::PException>. Parameters, paths and the last reply are
kept, as the official module's C<init> keeps them.

=item reqPuts(\%params)

Merges telegram parameters: later calls replace values of keys already put and keep their first
position; new keys are appended. The keys of one plain hash are put in sorted order (a Perl hash
has no order); a tied hash (e.g. L<Tie::IxHash>) is put in its own order, and an array ref of
key/value pairs (C<< [telegram_kind => '020', ...] >>) in the given order. C<undef> values are
sent as the empty string. Returns 1, or 0 when the argument is not a hash or array reference.

=item reqPut($key, $value)

Puts one parameter, like C<reqPuts>. Returns 1.

=item reqGet($key)

The value put for C<$key>, or C<undef>.

=item getParamNames

The parameter names in telegram order.

=item setResultCsv($path)

Result CSV file of reference telegrams (C<027>) and of file payment (C<201>, required). Returns 1.

=item setSendFilePath($path)

File whose bytes are sent as parameter C<data> (file payment). Returns 1.

=item setTimeout($seconds), setSelectMaxCnt($n), setDefaultId($id), setDefaultPassword($pw)

Override the configured timeout, C<limit_count> default of reference telegrams, C<connect_id>
and C<connect_password> for this object. Return 1.

=item setEncoding($name)

C<UTF-8>, C<Shift_JIS> or C<EUC-JP> for the UTF-8 telegram kinds (PHP V3 semantics). Returns 1,
or 0 with C<E01006> (every later C<post> then fails with C<E01006>).

=item post(@ignored)

Sends the telegram. Returns 1 when a reply was received and read, including a refused payment
(C<< $p->{resultStatus} eq '1' >>); returns 0 on a module error, whose code and message
L<Paygent::PException/getInfo> returns. Afterwards the object's hash holds:

=over 4

=item C<< $p->{resultStatus} >>

C<'0'> normal, C<'1'> error; C<undef> when no reply was read.

=item C<< $p->{resultCode} >>

C<response_code>.

=item C<< $p->{resultMsg} >>

C<response_detail> (raw Windows-31J bytes).

=item C<< $p->{result} >>

The first record as a hash ref (payment replies have one), or C<{}>.

=item C<< $p->{resultLine} >>

All records as an array ref of hash refs (reference telegram C<027>: one per line;
payment: the one record).

=item C<< $p->{failurePhase} >>

Extension (not in the official module): where a failed C<post> broke off. C<'not_sent'>: no
byte of the telegram left the process (name resolution, connect, TLS handshake, proxy): the
gateway cannot have processed it, sending it again is safe. C<'maybe_sent'>: the gateway may have
processed it (no reply, a cut or unreadable reply, an HTTP error status): call C<confirm>, never
resend blindly. C<''>: no failure, or the gateway's answer was read (C<resultStatus> C<'1'>
included). The error code stays the official one (C<E02005>, C<E02004>).

=back

Parameters stay on the object for the next C<post>; the result fields are reset by every C<post>.

=item getResultMessage

The PHP module's C<getResultMessage()> text of the last outcome (C<"E02005: 7: ...">,
C<"<response_code>: <response_detail>">).

=item getFailurePhase

C<< $p->{failurePhase} >> of the last C<post>, as a method.

=item confirm

Extension: asks the gateway (094 payment information inquiry) about the last telegram's
C<trading_id> / C<payment_id>, with the object's configuration and its C<merchant_id>,
C<connect_id>, C<connect_password>. Returns a hash ref: C<< { outcome => 'found', payment_id,
trading_id, payment_type, payment_status, payment_amount } >>, C<< { outcome => 'not_found' } >>
(not processed I<yet>: the telegram may still be in flight at the gateway; ask again later, the
payment notices of telegram 091 report it too) or C<< { outcome => 'unknown', reason } >> (the
inquiry failed). The object's parameters and results are left as they are.

    if (!$p->post && ($p->{failurePhase} // '') eq 'maybe_sent') {
        mark_order_pending_confirmation($order);          # never "failed", never resent
        my $c = $p->confirm;
        settle_order($order, $c) if $c->{outcome} eq 'found';
    }

=item getTelegramKind

The telegram kind of the last C<post>.

=item properties_path

Class function: the configuration file C<new> would load, or C<undef>.

=item info

Class (or object) method: the installation report as a hash ref, what C<php --ri paygent> shows
for PHP. Keys: C<version>, C<module_file> (the F<B2B.so> in use) and C<pm_file> (the
F<Paygent/B2B.pm> in use: an install under F</usr/local> shadows the Debian package's),
C<tls_backend> (the default), C<openssl> (the OpenSSL library in use),
C<properties_file> (the file C<new> loads, or why there is none or why it did not load),
C<session_cache> (directory and whether it is usable, or C<off>), C<journal> (the same for the
C<maybe_sent> journal, C<$journal_dir>), C<log_file>, C<debug>
(C<on>/C<off>). It loads the configuration as C<new> does.

    perl -MPaygent::B2B -e 'my $i = Paygent::B2B->info; print "$_: $i->{$_}\n" for sort keys %$i'

=item CLONE_SKIP

Returns 1: an object does not survive into a new ithread (it is C<undef> there), so the
underlying handle is never shared or freed twice. Create objects inside each thread. Objects do
survive C<fork>: parent and child each own their copy, and connections are rebuilt in the child.

=back

=head1 SEE ALSO

L<Paygent::PException>, F<docs/> of paygent-rs.

=cut
