package Paygent::PException;

use strict;
use warnings;

our $VERSION = '0.1.0';

# The last module error, set by Paygent::B2B (B2B.xs writes these after a failed C call).
our $LAST_CODE;       # "E02005"
our $LAST_MESSAGE;    # "E02005: 7: Failed to connect ..."
our @LAST_WARNINGS;   # warning texts of that call

sub _clear {
    undef $LAST_CODE;
    undef $LAST_MESSAGE;
    @LAST_WARNINGS = ();
}

sub _set {
    my ($number, $message) = @_;
    $LAST_CODE    = sprintf 'E%05d', $number;
    $LAST_MESSAGE = $message;
    @LAST_WARNINGS = ();
}

sub new {
    my ($class, $code, $message) = @_;
    $class = ref($class) || $class || __PACKAGE__;
    if (@_ < 2) {    # no arguments: a snapshot of the last error
        ($code, $message) = ($LAST_CODE, $LAST_MESSAGE);
    }
    return bless { code => $code, message => $message }, $class;
}

sub _info {
    my $self = shift;
    return ref $self && eval { $self->isa(__PACKAGE__) }
        ? ($self->{code}, $self->{message})
        : ($LAST_CODE, $LAST_MESSAGE);
}

sub getInfo {
    my ($code, $message) = _info(@_);
    return wantarray ? () : undef unless defined $code;
    return wantarray ? ($code, $message) : $message;
}

sub getErrorCode { (_info(@_))[0] }
sub getMessage   { (_info(@_))[1] }
sub getWarnings  { @LAST_WARNINGS }

1;
__END__

=encoding utf8

=head1 NAME

Paygent::PException - the last error of Paygent::B2B

=head1 SYNOPSIS

    unless ($p->post) {
        my ($code, $message) = Paygent::PException::getInfo();   # ('E02005', 'E02005: 7: ...')
        my $text = Paygent::PException::getInfo();              # 'E02005: 7: ...'
    }
    my $e = Paygent::PException->new;             # snapshot of the last error
    my $f = Paygent::PException->new('E02005', 'connection failed');
    print scalar $f->getInfo;

=head1 DESCRIPTION

Paygent::B2B never dies on a module error: the failing call returns false and the error is kept
here until the next C<new> or C<post> (which start by clearing it) or the next failing call.

=over 4

=item getInfo

As a function (C<Paygent::PException::getInfo()>) or class method: the last module error. As a
method of an object from C<new>: that object's error. In list context C<($code, $message)>, in
scalar context C<$message>; an empty list / C<undef> when there is no error. C<$code> is the
legacy code string (C<E01001> ... C<E02007>, C<E01901> for an internal error); C<$message> is the
PHP module's C<getResultMessage()> wording, which starts with the code (C<E02005: 7: Failed to
connect ...>, C<E01001: Properties file doesn't exist.>).

=item new($code, $message)

An error object (for code that builds or catches them). Without arguments, a snapshot of the
last module error.

=item getErrorCode, getMessage

The code and the message alone, with the same function / method rules as C<getInfo>.

=item getWarnings

The warning texts (C<E02005: Http request ended with errors.>, the texts the PHP module passes to
C<trigger_error>) raised by the failing call. When F<paygent.properties> does not compile, the
Perl error follows as C<paygent.properties: syntax error at ...>.

=back

=cut
