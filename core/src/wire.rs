//! What support staff paste (`paygent decode`): a URL-encoded request body, or a raw reply with
//! or without its HTTP head, told apart and read with the module's own parsers.

use crate::config::CsvMode;
use crate::params::Params;
use crate::reply::{self, Parsed, ReplyFormat};
use crate::request::form;

/// A pasted piece of wire data, read.
#[derive(Debug)]
pub enum Pasted {
    /// A telegram's form body: its parameters (values as sent, normally Windows-31J).
    Request(Params),
    /// A reply: the HTTP status when the head was pasted too, the format recognised, the parse.
    Reply {
        /// The status of the pasted HTTP head; `None` without one.
        http_status: Option<u16>,
        /// The parser chosen from the first record.
        format: ReplyFormat,
        /// What that parser read.
        parsed: Parsed,
    },
    /// Neither: no HTTP head, not a form body, not a CSV reply, and no `result` line — text a
    /// module would never send or receive (a log excerpt, a web page, binary data).
    Unrecognised,
}

/// Read `input`: an HTTP head (`HTTP/1.x NNN …` up to the empty line) is taken off first; a
/// single line of `key=value&…` pairs is a request body; a reply whose first record is the
/// reference header (`"1",…`, quoted) is a reference CSV (§6.4), an unquoted `1,…` CSV line a
/// file payment result (§6.5); `key=value` lines with a `result` line a payment reply (§6.3);
/// anything else [`Pasted::Unrecognised`] (with an HTTP head it is a reply whatever its body:
/// the module reads that body too).
pub fn decode(input: &[u8]) -> Pasted {
    let (http_status, body) = split_head(input);
    if http_status.is_none() && is_form(body) {
        return Pasted::Request(form::decode(trim_end(body)));
    }
    let format = if body.starts_with(b"\"1\",") {
        ReplyFormat::Reference
    } else if body.starts_with(b"1,") {
        ReplyFormat::FilePayment
    } else if http_status.is_some() || has_result_line(body) {
        ReplyFormat::Payment
    } else {
        return Pasted::Unrecognised;
    };
    Pasted::Reply {
        http_status,
        format,
        parsed: reply::parse(format, body, true, CsvMode::Compat),
    }
}

/// Request bodies one a line, as `grep 'request:' paygent.log` gives them: each non-empty line
/// a form body, or a module log line `YYYY/MM/DD HH:MM:SS <class> request: <body>` (log.rs,
/// `debug_flg`) whose body is taken. `None` unless every non-empty line is one of those (and
/// there is at least one).
pub fn requests(input: &[u8]) -> Option<Vec<Params>> {
    const LOGGED: &[u8] = crate::log::REQUEST_LINE;
    let mut out = Vec::new();
    for line in input.split(|&c| c == b'\n') {
        let line = trim_end(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // A form body is URL-encoded: it never holds "request: " (a space is `+` or `%20`).
        let body = line
            .windows(LOGGED.len())
            .position(|w| w == LOGGED)
            .map_or(line, |i| &line[i + LOGGED.len()..]);
        if !is_form(body) {
            return None;
        }
        out.push(form::decode(body));
    }
    (!out.is_empty()).then_some(out)
}

/// A `result=` line (CRLF or LF ends, as pasted): what every payment reply starts with (§6.3).
fn has_result_line(body: &[u8]) -> bool {
    body.split(|&c| c == b'\n')
        .any(|l| l.strip_prefix(b"result=").is_some())
}

/// The status and the body of `HTTP/1.x NNN …\r\n…\r\n\r\nbody` (LF-only heads too, as pasted
/// from a terminal); `(None, input)` without a head.
fn split_head(input: &[u8]) -> (Option<u16>, &[u8]) {
    if !input.starts_with(b"HTTP/1.") {
        return (None, input);
    }
    let status = input
        .get(9..12)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok());
    let crlf = input
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = input.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(input.len()),
    };
    (status, &input[end..])
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &b[..end]
}

/// One line of `k=v` pairs joined by `&`, every byte printable ASCII (a form body is
/// URL-encoded; a reply has line ends and raw Shift_JIS).
fn is_form(body: &[u8]) -> bool {
    let line = trim_end(body);
    !line.is_empty()
        && line.contains(&b'=')
        && line.iter().all(|&c| (0x21..0x7f).contains(&c))
        && line
            .split(|&c| c == b'&')
            .all(|pair| pair.contains(&b'=') || pair.is_empty())
        && (line.contains(&b'&') || !line.starts_with(b"result="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_and_replies_are_told_apart() {
        match decode(b"merchant_id=1&telegram_kind=020&customer_family_name_kana=%B6%C0\n") {
            Pasted::Request(p) => {
                assert_eq!(p.get(b"telegram_kind"), Some(&b"020"[..]));
                assert_eq!(p.get(b"customer_family_name_kana"), Some(&b"\xb6\xc0"[..]));
            }
            other => panic!("{other:?}"),
        }
        let head = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nresult=1\r\nresponse_code=E001\r\n";
        match decode(head) {
            Pasted::Reply {
                http_status,
                format,
                parsed,
            } => {
                assert_eq!(http_status, Some(500));
                assert_eq!(format, ReplyFormat::Payment);
                assert_eq!(parsed.reply.response_code, b"E001");
            }
            other => panic!("{other:?}"),
        }
        // A one-line payment reply is a reply, not a form.
        assert!(matches!(decode(b"result=0\r\n"), Pasted::Reply { .. }));
        assert!(matches!(
            decode(b"\"1\",\"0\",\"\",\"\"\r\n\"4\",\"0\"\r\n"),
            Pasted::Reply {
                format: ReplyFormat::Reference,
                ..
            }
        ));
        assert!(matches!(
            decode(b"1,024,111111,999,20100401,20100401,0,,\r\n4,0,0,0\r\n"),
            Pasted::Reply {
                format: ReplyFormat::FilePayment,
                ..
            }
        ));
    }

    #[test]
    fn neither_request_nor_reply_is_unrecognised() {
        for input in [
            &b""[..],
            b"\n",
            b"hello world\n",
            b"<html><body>Service Unavailable</body></html>\r\n",
            b"2026/12/05 10:00:00 PaygentB2BModule 7: Failed to connect: https://x/n/card/request\n",
            b"\x00\x01\x02\xff\xfe binary",
            b"payment_id=1\r\ntrading_id=ORDER-1 \r\n",
        ] {
            assert!(
                matches!(decode(input), Pasted::Unrecognised),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        // With an HTTP head the body is a reply whatever it holds (the module reads it too).
        assert!(matches!(
            decode(b"HTTP/1.1 200 OK\r\n\r\n"),
            Pasted::Reply { .. }
        ));
        // A reply pasted from a terminal (LF line ends) is still a reply.
        assert!(matches!(
            decode(b"result=1\nresponse_code=P010\n"),
            Pasted::Reply { .. }
        ));
    }

    #[test]
    fn request_lines_of_a_log_are_read_one_each() {
        let log = b"2026/12/05 10:00:00 PaygentB2BModule request: merchant_id=1&telegram_kind=020&trading_id=A\n\
2026/12/05 10:00:01 PaygentB2BModule request: merchant_id=1&telegram_kind=094&trading_id=B\r\n\
\n\
merchant_id=1&telegram_kind=025&trading_id=C\n";
        let got = requests(log).unwrap();
        let ids: Vec<_> = got.iter().map(|p| p.get(b"trading_id").unwrap()).collect();
        assert_eq!(ids, [&b"A"[..], b"B", b"C"]);
        // One line that is not a request: not a list of requests.
        assert!(requests(b"merchant_id=1&telegram_kind=020\nresult=0\n").is_none());
        assert!(requests(b"2026/12/05 10:00:00 PaygentB2BModule 7: refused\n").is_none());
        assert!(requests(b"").is_none());
    }
}
