//! The three reply formats (protocol.md §6): `key=value` lines (payment), the 4-record-type CSV
//! (reference), the file-payment CSV; and the result CSV file (§6.6).

pub mod csv;
pub mod file_payment;
pub mod payment;
pub mod reference;
pub mod result_csv;
#[cfg(test)]
mod test_support;

use std::time::Instant;

use crate::config::{Config, CsvMode};
use crate::error::{Error, TransportFailure};
use crate::params::Record;

pub use crate::telegram::{FILE_PAYMENT_RES_KIND, ReplyFormat};

impl ReplyFormat {
    /// §6.2, exact string comparison (decisions.md 7): the kind's format under `config`
    /// (`Config::telegram`: the table of kinds, `telegram_kind.ref` adding reference kinds).
    pub fn for_kind(kind: &[u8], config: &Config) -> Self {
        config.telegram(kind).reply
    }
}

/// A parsed reply. Fields absent from the reply are `""` (§1.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// `result`: `0` success, `1` business error (§8.3).
    pub result_status: Vec<u8>,
    /// `response_code`: the error code (§8.5) when `result` is `1`.
    pub response_code: Vec<u8>,
    /// `response_detail`, raw bytes (Windows-31J for normal telegrams).
    pub response_detail: Vec<u8>,
    /// Payment: 0 or 1 record without `result`/`response_*`; reference: one per data record;
    /// file payment: none (§1.4 `resNext`).
    pub records: Vec<Record>,
}

/// Parse outcome: what was read, and the parse error if any. The getters show `reply` even when
/// `error` is set (e.g. E01901 keeps the header's status, §10 #60).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// What was read, even when parsing stopped with an error.
    pub reply: Reply,
    /// E02005 (no `result`, or out of time), E01901 (column mismatch); `None` when the reply
    /// parsed.
    pub error: Option<Error>,
}

/// Split on CRLF only, as PHP `explode("\r\n", …)`: a lone CR or LF does not split, and a body
/// ending in CRLF gives a final empty fragment (§6.3, §6.4.1, §6.6).
pub fn split_crlf(body: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < body.len() {
        if body[i] == b'\r' && body[i + 1] == b'\n' {
            lines.push(&body[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    lines.push(&body[start..]);
    lines
}

/// Parse `body` as `format`. `full` = build records (false = result-only, §6.2).
pub fn parse(format: ReplyFormat, body: &[u8], full: bool, csv_mode: CsvMode) -> Parsed {
    parse_until(format, body, full, csv_mode, None)
}

/// [`parse`], giving up with `E02005` (errno 28) once `deadline` has passed: the configured
/// timeout bounds the whole `post()`, parsing included.
pub fn parse_until(
    format: ReplyFormat,
    body: &[u8],
    full: bool,
    csv_mode: CsvMode,
    deadline: Option<Instant>,
) -> Parsed {
    let mut d = Deadline {
        at: deadline,
        lines: 0,
    };
    let parsed = match format {
        ReplyFormat::Payment => payment::parse_until(body, full, &mut d),
        ReplyFormat::Reference => reference::parse_until(body, full, csv_mode, &mut d),
        ReplyFormat::FilePayment => Ok(file_payment::parse(body)),
    };
    parsed.unwrap_or_else(|e| Parsed {
        reply: Reply::default(),
        error: Some(e),
    })
}

/// Why a reply that arrived whole as far as HTTP can tell is still cut short, or `None`
/// (issue 19 item 3; docs/error-codes.md). A payment reply framed only by the end of the
/// connection must end its last line; a reference or file payment CSV ends with its trailer
/// record (type `4`), whatever the framing. An empty body is left to the parser (E02005
/// "resultStatus is Nothing").
pub fn cut_short(
    format: ReplyFormat,
    body: &[u8],
    until_eof: bool,
    csv_mode: CsvMode,
) -> Option<&'static str> {
    if body.is_empty() {
        return None;
    }
    match format {
        ReplyFormat::Payment => (until_eof && !body.ends_with(b"\n")).then_some(
            "transfer closed before the reply's last line ended (HTTP/1.0 reply without \
             Content-Length cut short)",
        ),
        ReplyFormat::Reference | ReplyFormat::FilePayment => {
            (!ends_with_trailer(format, body, csv_mode))
                .then_some("the reply ended before its trailer record (record type 4): cut short")
        }
    }
}

/// The last non-empty line of a CSV reply is a trailer record (column 0 exactly `4`, as the
/// parsers compare record types).
fn ends_with_trailer(format: ReplyFormat, body: &[u8], csv_mode: CsvMode) -> bool {
    let mut end = body.len();
    while body[..end].ends_with(b"\r\n") {
        end -= 2;
    }
    let start = body[..end]
        .windows(2)
        .rposition(|w| w == b"\r\n")
        .map_or(0, |i| i + 2);
    let line = &body[start..end];
    let first = match format {
        ReplyFormat::FilePayment => csv::tokenize(line, None).into_iter().next(),
        _ => csv::tokenize_mode(line, csv_mode).into_iter().next(),
    };
    first.as_deref() == Some(b"4")
}

/// The `post()` deadline as the parsers see it: the clock is read every few thousand lines only.
pub struct Deadline {
    at: Option<Instant>,
    lines: u32,
}

impl Deadline {
    /// No deadline: [`Deadline::check`] never fails.
    pub const NONE: Self = Self { at: None, lines: 0 };

    /// Call once per line; `Err` (E02005, errno 28) once the deadline has passed.
    pub fn check(&mut self) -> Result<(), Error> {
        self.lines = self.lines.wrapping_add(1);
        match self.at {
            Some(at) if self.lines % 2048 == 0 && Instant::now() >= at => Err(Error::transport(
                TransportFailure::new(
                    28,
                    "Operation timed out while parsing the reply (timeout_value)",
                ),
                Vec::new(),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_replies_need_their_trailer_and_payment_replies_their_last_line() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
        let read = |name: &str| std::fs::read(format!("{fixtures}/{name}")).unwrap();
        use ReplyFormat::{FilePayment, Payment, Reference};
        for (name, format) in [
            ("04_reference_027_quoted.body", Reference),
            ("05_reference_027_embedded_crlf.body", Reference),
            ("06_reference_9003_partial.body", Reference),
            ("07_file_payment_201_ok.body", FilePayment),
            ("08_file_payment_201_error.body", FilePayment),
            ("09_reference_027_error.body", Reference),
        ] {
            let body = read(name);
            for mode in [CsvMode::Compat, CsvMode::Rfc4180] {
                for until_eof in [false, true] {
                    assert_eq!(cut_short(format, &body, until_eof, mode), None, "{name}");
                }
                // without its last record, with or without the line end before it
                let end = body[..body.len() - 2]
                    .windows(2)
                    .rposition(|w| w == b"\r\n")
                    .unwrap();
                for cut in [&body[..end + 2], &body[..end]] {
                    assert!(cut_short(format, cut, false, mode).is_some(), "{name} cut");
                }
            }
        }
        // a trailer in the middle does not count; a `4` that is not column 0 neither
        assert!(
            cut_short(
                Reference,
                b"\"4\",\"0\"\r\n\"1\",\"0\"\r\n",
                false,
                CsvMode::Compat
            )
            .is_some()
        );
        assert!(cut_short(FilePayment, b"1,,,,,,0\r\n3,4\r\n", false, CsvMode::Compat).is_some());
        // payment replies: only a body framed by the end of the connection must end its line
        let ok = read("01_payment_atm_ok.body");
        assert_eq!(cut_short(Payment, &ok, true, CsvMode::Compat), None);
        let cut = &ok[..ok.len() - 2];
        assert!(cut_short(Payment, cut, true, CsvMode::Compat).is_some());
        assert_eq!(cut_short(Payment, cut, false, CsvMode::Compat), None);
        for format in [Payment, Reference, FilePayment] {
            assert_eq!(
                cut_short(format, b"", true, CsvMode::Compat),
                None,
                "left to the parser"
            );
        }
    }

    #[test]
    fn split_crlf_is_explode() {
        assert_eq!(split_crlf(b""), vec![&b""[..]]);
        assert_eq!(split_crlf(b"a\r\nb\r\n"), vec![&b"a"[..], b"b", b""]);
        assert_eq!(split_crlf(b"a\nb\rc"), vec![&b"a\nb\rc"[..]]);
        assert_eq!(split_crlf(b"\r\r\n\n"), vec![&b"\r"[..], b"\n"]);
        assert_eq!(split_crlf(b"\r\n\r\n"), vec![&b""[..], b"", b""]);
    }

    #[test]
    fn a_passed_deadline_stops_every_parser() {
        let past = Instant::now().checked_sub(std::time::Duration::from_secs(1));
        let payment = b"result=0\r\n".repeat(5000);
        let reference = b"1,0\r\n2,a\r\n3,x\r\n".repeat(2000);
        for (format, body) in [
            (ReplyFormat::Payment, &payment[..]),
            (ReplyFormat::Reference, &reference[..]),
        ] {
            let p = parse_until(format, body, true, CsvMode::Compat, past);
            let e = p.error.unwrap();
            assert_eq!(e.code, crate::error::ErrorCode::KsConnect, "{format:?}");
            assert!(
                matches!(e.kind, crate::error::ErrorKind::Transport { ref failure, .. } if failure.errno == 28)
            );
            assert_eq!(p.reply, Reply::default());
            // Without a deadline (or before it) the same bodies parse.
            assert_eq!(parse(format, body, true, CsvMode::Compat).error, None);
        }
    }

    #[test]
    fn format_for_kind_compares_exact_strings() {
        let config = Config {
            telegram_kind_ref: vec![b"027".to_vec(), b"090".to_vec()],
            ..Config::default()
        };
        assert_eq!(
            ReplyFormat::for_kind(b"201", &config),
            ReplyFormat::FilePayment
        );
        assert_eq!(
            ReplyFormat::for_kind(b"0201", &config),
            ReplyFormat::Payment
        );
        assert_eq!(
            ReplyFormat::for_kind(b"027", &config),
            ReplyFormat::Reference
        );
        assert_eq!(ReplyFormat::for_kind(b"27", &config), ReplyFormat::Payment);
        assert_eq!(ReplyFormat::for_kind(b"010", &config), ReplyFormat::Payment);
    }
}
