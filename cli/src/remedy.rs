//! What to do about a module error, said for its cause: core's `ErrorKind` (and, for a
//! transport failure, its curl-style errno and whether the telegram may have been sent), not
//! the legacy code alone — E02001 is `timeout_value`/`select_max_cnt`, never a missing
//! telegram parameter; E02005 is a DNS failure, a refused connection, a timeout or an HTTP
//! status, each with its own fix. `send`, `notices sync` and `doctor` use this one mapping.

use paygent_core::error::{ErrorKind, FailurePhase};
use paygent_core::{Error, ErrorCode};

use crate::i18n::Messages;

/// The message key of the remedy for `e` and its placeholders, and the key of a sentence that
/// follows it (what the failure phase means for the payment), if any.
pub fn keys(
    e: &Error,
) -> (
    &'static str,
    Vec<(&'static str, String)>,
    Option<&'static str>,
) {
    use ErrorKind::*;
    let none = Vec::new();
    let (key, args) = match &e.kind {
        PropertiesNotFound => ("remedy.E01001", none),
        PropertiesInvalid => ("remedy.E01002", none),
        ModuleParam => ("remedy.E02001", none),
        KindUnexpected => ("remedy.E02003", none),
        CsvName => ("remedy.csv_name", none),
        KeyEmpty => ("remedy.key_empty", none),
        KeyTooLong | ValueTooLong | TelegramTooLong { .. } => ("remedy.E02002", none),
        SendFileNotFound | SendFileIo => ("remedy.E01005", none),
        EncodingUnsupported | EncodingRequired | EncodingNotAllowed => ("remedy.encoding", none),
        Unmappable { key } => (
            "remedy.unmappable",
            vec![("key", String::from_utf8_lossy(key).into_owned())],
        ),
        Transport { failure, .. } => (
            match failure.errno {
                5 | 6 => "remedy.dns",
                7 => "remedy.connect",
                28 => "remedy.timeout",
                60 => "remedy.untrusted",
                _ if e.code == ErrorCode::Certificate => "remedy.E02004",
                _ => "remedy.transport",
            },
            none,
        ),
        HttpStatus(n) => ("remedy.http_status", vec![("status", n.to_string())]),
        ResultMissing => ("remedy.result_missing", none),
        CsvOpen | CsvWrite => ("remedy.csv_write", none),
        ColumnMismatch { .. } | Internal(_) => ("remedy.other", none),
    };
    let phase = match &e.kind {
        Transport { failure, .. } => Some(failure.phase),
        HttpStatus(_) | ResultMissing => Some(FailurePhase::MaybeSent),
        _ => None,
    };
    let then = phase.map(|p| match p {
        FailurePhase::NotSent => "remedy.not_sent",
        FailurePhase::MaybeSent => "remedy.maybe_sent",
    });
    (key, args, then)
}

/// The remedy for `e` in the operator's language, one line.
pub fn line(e: &Error, msg: &Messages) -> String {
    say(e, |k, a| msg.get(k, a))
}

/// The remedy for `e` in English (the `remedy` of JSON output).
pub fn english(e: &Error, msg: &Messages) -> String {
    say(e, |k, a| msg.english(k, a))
}

fn say(e: &Error, get: impl Fn(&str, &[(&str, &str)]) -> String) -> String {
    let (key, args, then) = keys(e);
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut out = get(key, &args);
    if let Some(then) = then {
        out.push(' ');
        out.push_str(&get(then, &[]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use paygent_core::error::TransportFailure;

    #[test]
    fn each_cause_has_its_own_remedy() {
        let m = Messages::new(Lang::En);
        let module_param = line(&Error::new(ErrorKind::ModuleParam), &m);
        assert!(module_param.contains("timeout_value"), "{module_param}");
        assert!(
            !module_param.contains("parameter is missing"),
            "{module_param}"
        );
        let dns = Error::transport(TransportFailure::new(6, "no such host"), Vec::new());
        assert!(line(&dns, &m).contains("resolve"), "{}", line(&dns, &m));
        assert!(
            line(&dns, &m).contains("Nothing was sent"),
            "{}",
            line(&dns, &m)
        );
        let late = Error::transport(
            TransportFailure::new(28, "timeout").maybe_sent(),
            Vec::new(),
        );
        assert!(
            line(&late, &m).contains("paygent confirm"),
            "{}",
            line(&late, &m)
        );
        let status = line(&Error::new(ErrorKind::HttpStatus(404)), &m);
        assert!(status.contains("404"), "{status}");
        // Every key named exists in both languages (the files' keys are kept equal).
        for kind in [
            ErrorKind::PropertiesNotFound,
            ErrorKind::PropertiesInvalid,
            ErrorKind::ModuleParam,
            ErrorKind::KindUnexpected,
            ErrorKind::CsvName,
            ErrorKind::KeyEmpty,
            ErrorKind::KeyTooLong,
            ErrorKind::SendFileIo,
            ErrorKind::EncodingRequired,
            ErrorKind::Unmappable { key: b"k".to_vec() },
            ErrorKind::HttpStatus(500),
            ErrorKind::ResultMissing,
            ErrorKind::CsvWrite,
            ErrorKind::Internal("x".into()),
        ] {
            let (key, _, then) = keys(&Error::new(kind));
            assert!(m.has(key), "{key}");
            assert!(then.is_none_or(|t| m.has(t)), "{then:?}");
        }
        for errno in [5, 7, 28, 35, 58, 60, 77, 56] {
            let (key, _, then) = keys(&Error::transport(TransportFailure::new(errno, ""), vec![]));
            assert!(
                m.has(key) && then.is_some_and(|t| m.has(t)),
                "{errno}: {key}"
            );
        }
    }
}
