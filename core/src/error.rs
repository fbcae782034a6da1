//! The one error type of the module: legacy codes E01001…E02007, one message table, and the one
//! place where transport failures become codes (protocol.md §4.2, §5, §6; decisions.md 8–12).

use std::fmt;

/// The official module's error codes. The discriminants are stable and are the numbers the C ABI
/// hands to Perl (`paygent.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ErrorCode {
    /// `PaygentB2BModuleException__RESOURCE_FILE_NOT_FOUND_ERROR`
    ResourceFileNotFound = 1001,
    /// `PaygentB2BModuleException__RESOURCE_FILE_REQUIRED_ERROR`
    ResourceFileRequired = 1002,
    /// `PaygentB2BModuleException__CSV_OUTPUT_ERROR`
    CsvOutput = 1004,
    /// `PaygentB2BModuleException__FILE_PAYMENT_ERROR`
    FilePayment = 1005,
    /// V3 encoding error
    Encoding = 1006,
    /// `PaygentB2BModuleException__OTHER_ERROR`
    Other = 1901,
    /// `PaygentB2BModuleConnectException__MODULE_PARAM_REQUIRED_ERROR`
    ModuleParamRequired = 2001,
    /// `PaygentB2BModuleConnectException__TEREGRAM_PARAM_REQUIRED_ERROR`
    TelegramParamRequired = 2002,
    /// `PaygentB2BModuleConnectException__TEREGRAM_PARAM_OUTSIDE_ERROR`
    TelegramParamOutside = 2003,
    /// `PaygentB2BModuleConnectException__CERTIFICATE_ERROR`
    Certificate = 2004,
    /// `PaygentB2BModuleConnectException__KS_CONNECT_ERROR`
    KsConnect = 2005,
    /// `PaygentB2BModuleConnectException__RESPONSE_TYPE_ERROR`
    ResponseType = 2007,
}

impl ErrorCode {
    /// Every code, in number order (for tables and round-trip tests).
    pub const ALL: [ErrorCode; 12] = [
        Self::ResourceFileNotFound,
        Self::ResourceFileRequired,
        Self::CsvOutput,
        Self::FilePayment,
        Self::Encoding,
        Self::Other,
        Self::ModuleParamRequired,
        Self::TelegramParamRequired,
        Self::TelegramParamOutside,
        Self::Certificate,
        Self::KsConnect,
        Self::ResponseType,
    ];

    /// The legacy string, e.g. `"E02005"`, which PHP `post()` returns.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResourceFileNotFound => "E01001",
            Self::ResourceFileRequired => "E01002",
            Self::CsvOutput => "E01004",
            Self::FilePayment => "E01005",
            Self::Encoding => "E01006",
            Self::Other => "E01901",
            Self::ModuleParamRequired => "E02001",
            Self::TelegramParamRequired => "E02002",
            Self::TelegramParamOutside => "E02003",
            Self::Certificate => "E02004",
            Self::KsConnect => "E02005",
            Self::ResponseType => "E02007",
        }
    }

    /// The code whose number (its C ABI value, e.g. `2005`) is `n`, if any.
    pub fn from_number(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as u32 == n)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which official module's texts to reproduce. The Perl manual words a few messages differently
/// from the PHP module (protocol.md §2, "Documented Perl error table").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Dialect {
    /// The PHP module's texts (`PaygentB2BModule`), typos included: the default.
    #[default]
    Php,
    /// The Perl manual's texts (`Paygent::B2B`).
    Perl,
}

/// A transport failure in the official module's terms: a curl-style error number and text
/// (protocol.md §5.1). Transport implementations build these; [`Error::transport`] maps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportFailure {
    /// curl error number: 5/6 name not resolved, 7 connect, 28 timeout, 35 TLS handshake,
    /// 52 empty reply, 56 receive error, 58 client certificate, 60 server certificate,
    /// 77 CA file, 1 unsupported protocol, 3 bad URL, 8 weird server reply, 18 partial reply.
    pub errno: u32,
    /// curl-style error text, the `<curl error text>` of protocol.md §5.3.
    pub text: String,
    /// Whether the telegram may have reached the gateway.
    pub phase: FailurePhase,
}

impl TransportFailure {
    /// A failure before any request byte left this process (the transport marks later ones
    /// with [`TransportFailure::maybe_sent`]).
    pub fn new(errno: u32, text: impl Into<String>) -> Self {
        Self {
            errno,
            text: text.into(),
            phase: FailurePhase::NotSent,
        }
    }

    /// The same failure, met after the first request byte was handed to the socket.
    pub fn maybe_sent(mut self) -> Self {
        self.phase = FailurePhase::MaybeSent;
        self
    }
}

/// Where a failed `post()` broke off, for the caller to decide between "payment failed" and
/// "ask the gateway" (docs/error-codes.md "Failure phase"). The error code stays the official
/// one (E02005, E02004…) either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePhase {
    /// No byte of the telegram left this process (name resolution, connect, TLS handshake of a
    /// new connection, proxy refusal): the gateway cannot have processed it; safe to send again.
    NotSent,
    /// The telegram, or part of it, was handed to the network, and no complete reply came
    /// (reset, timeout waiting for the reply, truncated or unreadable reply, non-2xx status):
    /// the gateway may have processed it. Confirm with an inquiry (094); never resend blindly.
    MaybeSent,
}

impl FailurePhase {
    /// `not_sent` / `maybe_sent`: the value of PHP `getFailurePhase()` and Perl `{failurePhase}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotSent => "not_sent",
            Self::MaybeSent => "maybe_sent",
        }
    }
}

/// What went wrong, each with its fixed text (the one message table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// E01001: the configuration file is absent or unreadable (protocol.md §3.3).
    PropertiesNotFound,
    /// E01002: a configuration value is missing, blank or invalid (protocol.md §3.3).
    PropertiesInvalid,
    /// E02001: `timeout_value` or `select_max_cnt` is not a positive number (protocol.md §4.2 #1).
    ModuleParam,
    /// E02003: `telegram_kind` absent or blank, or no URL for it (protocol.md §4.2 #2, §4.4).
    KindUnexpected,
    /// E02007: a result CSV name where the kind has no CSV reply, or none for kind `201`
    /// (protocol.md §4.2 #3).
    CsvName,
    /// E02002: a parameter with the empty key (protocol.md §4.2 #4).
    KeyEmpty,
    /// E02002: a key longer than `TELEGRAM_KEY_LENGTH` bytes (protocol.md §4.2 #5).
    KeyTooLong,
    /// E02002: a value other than `data` longer than `TELEGRAM_VALUE_LENGTH` bytes
    /// (protocol.md §4.2 #6).
    ValueTooLong,
    /// E02002: the raw `url?k=v&…` is over the total limit (protocol.md §4.6).
    TelegramTooLong {
        /// Whether a send file (`data`) is present, which raises the limit to 10 MB.
        file: bool,
    },
    /// E01005: the send file does not exist (protocol.md §4.3).
    SendFileNotFound,
    /// E01005: the send file exists but cannot be read (protocol.md §4.3).
    SendFileIo,
    /// E01006: `setEncoding` was given an encoding the module does not know (protocol.md §4.7).
    EncodingUnsupported,
    /// E01006: a `telegram_kind.utf8` kind and no encoding set (protocol.md §4.7).
    EncodingRequired,
    /// E01006: an encoding set for a kind that is not in `telegram_kind.utf8` (protocol.md §4.7).
    EncodingNotAllowed,
    /// decisions.md 13: a character of a value has no Windows-31J (or caller charset) form.
    Unmappable {
        /// The parameter whose value could not be converted.
        key: Vec<u8>,
    },
    /// The transport failed; `notes` holds the `(file is not exists: …)` suffixes of §5.3.
    Transport {
        /// What the transport reported.
        failure: TransportFailure,
        /// The `(file is not exists: …)` / `(file is not readable: …)` suffixes, possibly empty.
        notes: Vec<u8>,
    },
    /// E02005: the gateway answered with an HTTP status outside 200–206 (protocol.md §5.2).
    HttpStatus(u16),
    /// E02005: the reply has no `result` ("resultStatus is Nothing", protocol.md §6.1).
    ResultMissing,
    /// E01901: a reference reply data record whose column count differs from its data header
    /// (protocol.md §6.4.1).
    ColumnMismatch {
        /// Columns of the data header record.
        header: usize,
        /// Columns of the data record.
        items: usize,
    },
    /// E01004: the result CSV cannot be created (protocol.md §6.6).
    CsvOpen,
    /// E01004: writing the result CSV failed (protocol.md §6.6).
    CsvWrite,
    /// A panic caught at a language boundary; the process goes on.
    Internal(String),
}

/// A module error: the legacy code and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The legacy code, derived from `kind` by [`Error::new`].
    pub code: ErrorCode,
    /// What happened; chooses the code and the text.
    pub kind: ErrorKind,
}

/// How loud a warning is: PHP `E_USER_WARNING` or `E_USER_NOTICE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningLevel {
    /// `E_USER_WARNING`: every `<code>: <text>` warning.
    Warning,
    /// `E_USER_NOTICE`: the `cannot open file … to write` notice before a CSV error.
    Notice,
}

/// A warning the official module raises with `trigger_error` (decisions.md 12). The PHP binding
/// raises it; the Perl binding keeps it for `Paygent::PException::getInfo()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// How the PHP binding raises it.
    pub level: WarningLevel,
    /// The message bytes, e.g. `E02005: Http request ended with errors.`.
    pub text: Vec<u8>,
}

impl Error {
    /// The error for `kind`, with its legacy code (transport errno 58, 60, 77, 83 → E02004,
    /// other transport failures → E02005; protocol.md §5.1).
    pub fn new(kind: ErrorKind) -> Self {
        use ErrorKind::*;
        let code = match &kind {
            PropertiesNotFound => ErrorCode::ResourceFileNotFound,
            PropertiesInvalid => ErrorCode::ResourceFileRequired,
            ModuleParam => ErrorCode::ModuleParamRequired,
            KindUnexpected => ErrorCode::TelegramParamOutside,
            CsvName => ErrorCode::ResponseType,
            KeyEmpty | KeyTooLong | ValueTooLong | TelegramTooLong { .. } => {
                ErrorCode::TelegramParamRequired
            }
            SendFileNotFound | SendFileIo => ErrorCode::FilePayment,
            EncodingUnsupported | EncodingRequired | EncodingNotAllowed | Unmappable { .. } => {
                ErrorCode::Encoding
            }
            Transport { failure, .. } => match failure.errno {
                58 | 60 | 77 | 83 => ErrorCode::Certificate,
                _ => ErrorCode::KsConnect,
            },
            HttpStatus(_) | ResultMissing => ErrorCode::KsConnect,
            ColumnMismatch { .. } | Internal(_) => ErrorCode::Other,
            CsvOpen | CsvWrite => ErrorCode::CsvOutput,
        };
        Self { code, kind }
    }

    /// A transport failure with the missing-file `notes` of protocol.md §5.3.
    pub fn transport(failure: TransportFailure, notes: Vec<u8>) -> Self {
        Self::new(ErrorKind::Transport { failure, notes })
    }

    /// The text after `"<code>: "` in the warning and, for most kinds, in `getResultMessage()`.
    pub fn text(&self, dialect: Dialect) -> Vec<u8> {
        use ErrorKind::*;
        let perl = dialect == Dialect::Perl;
        let s: String = match &self.kind {
            PropertiesNotFound => "Properties file doesn't exist.".into(),
            PropertiesInvalid => "Properties file contains inappropriate value.".into(),
            ModuleParam if perl => "Error indespensable HTTP request value.".into(),
            ModuleParam => "Error in indespensable HTTP request value.".into(),
            KindUnexpected => "HTTP request contains unexpected value.".into(),
            CsvName if perl => "CSV file name error.".into(),
            CsvName => "CVS file name error.".into(),
            KeyEmpty => "HTTP request key must be null.".into(),
            KeyTooLong => format!(
                "HTTP request key must be shorter than {} bytes.",
                crate::telegram::TELEGRAM_KEY_LENGTH
            ),
            ValueTooLong => format!(
                "HTTP request value must be shorter than {} bytes.",
                crate::telegram::TELEGRAM_VALUE_LENGTH
            ),
            TelegramTooLong { file: false } => format!(
                "The number of HTTP request telegram must be smaller than {}.",
                crate::telegram::TELEGRAM_LENGTH
            ),
            TelegramTooLong { file: true } => {
                "The number of HTTP request telegram must be smaller than 10MB.".into()
            }
            SendFileNotFound => "Send file not found.".into(),
            SendFileIo => "Send file I/O error.".into(),
            EncodingUnsupported => "The encoding isn't supported.".into(),
            EncodingRequired => "An encoding must be specified for the telegram.".into(),
            EncodingNotAllowed => "Encodings can't be specified for the telegram.".into(),
            Unmappable { key } => {
                let mut v = b"A character can't be converted to Windows-31J in parameter ".to_vec();
                v.extend_from_slice(key);
                v.push(b'.');
                return v;
            }
            Transport { .. } => "Http request ended with errors.".into(),
            HttpStatus(n) => format!("HTTP status {n}"),
            ResultMissing => "resultStatus is Nothing.".into(),
            ColumnMismatch { header, items } => {
                format!("Not Mutch DataHeaderCount={header} DataItemCount:{items}")
            }
            CsvOpen => "Failed to open CSV file.".into(),
            CsvWrite => "Failed to write to CSV file.".into(),
            Internal(what) => format!("internal error: {what}"),
        };
        s.into_bytes()
    }

    /// The warning line `"<code>: <text>"` (decisions.md 12).
    pub fn warning_text(&self, dialect: Dialect) -> Vec<u8> {
        let mut v = format!("{}: ", self.code).into_bytes();
        v.extend_from_slice(&self.text(dialect));
        v
    }

    /// `getResultMessage()` for this error (protocol.md §5.4), or `None` when the message is the
    /// parsed reply's `"<response_code>: <response_detail>"` (parse and CSV errors).
    pub fn result_message(&self, dialect: Dialect) -> Option<Vec<u8>> {
        use ErrorKind::*;
        match &self.kind {
            ResultMissing | ColumnMismatch { .. } | CsvOpen | CsvWrite => None,
            Transport { failure, notes } => {
                let mut v =
                    format!("{}: {}: {}", self.code, failure.errno, failure.text).into_bytes();
                v.extend_from_slice(notes);
                Some(v)
            }
            _ => Some(self.warning_text(dialect)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.warning_text(Dialect::Php)))
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_numbers() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_number(c as u32), Some(c));
            assert_eq!(c.as_str(), format!("E0{}", c as u32));
        }
    }

    #[test]
    fn transport_errno_picks_certificate_or_connect() {
        let e = Error::transport(TransportFailure::new(58, "bad cert"), Vec::new());
        assert_eq!(e.code, ErrorCode::Certificate);
        let e = Error::transport(TransportFailure::new(7, "Failed to connect"), Vec::new());
        assert_eq!(e.code, ErrorCode::KsConnect);
        assert_eq!(
            e.result_message(Dialect::Php).unwrap(),
            b"E02005: 7: Failed to connect"
        );
        assert_eq!(
            e.warning_text(Dialect::Php),
            b"E02005: Http request ended with errors."
        );
    }

    #[test]
    fn perl_wording_differs_where_the_manual_says() {
        let e = Error::new(ErrorKind::CsvName);
        assert_eq!(
            e.warning_text(Dialect::Php),
            b"E02007: CVS file name error."
        );
        assert_eq!(
            e.warning_text(Dialect::Perl),
            b"E02007: CSV file name error."
        );
    }
}
