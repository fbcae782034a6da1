//! The request pipeline of `post()` (protocol.md §4), in the official order:
//! default fill → validation → send file → URL → kana → total length → charset → form body.

pub mod form;
pub mod kana;

use std::path::PathBuf;

use crate::charset::{self, Charset, ReplyCharset};
use crate::config::{CallerEncoding, Config};
use crate::error::{Error, ErrorKind};
use crate::params::Params;
use crate::php::{is_blank, php_numeric};
use crate::telegram::{
    CONNECT_ID_KEY, CONNECT_PASSWORD_KEY, DATA_KEY, LIMIT_COUNT_KEY, TELEGRAM_KEY_LENGTH,
    TELEGRAM_KIND_KEY, TELEGRAM_LENGTH, TELEGRAM_LENGTH_FILE, TELEGRAM_VALUE_LENGTH,
};

/// V3 `setEncoding` state (§1.4, §4.7).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// `setEncoding` never called.
    #[default]
    Unset,
    /// `"UTF-8"`: values are already UTF-8.
    Utf8,
    /// `"Shift_JIS"`: values are CP932, converted to UTF-8 for a UTF-8 kind.
    ShiftJis,
    /// `"EUC-JP"`: values are CP51932, converted to UTF-8 for a UTF-8 kind.
    EucJp,
    /// A value other than the three accepted ones was set: every later `post()` fails E01006.
    Unsupported,
}

/// The per-object settings that `init()` copies from the configuration and the setters change.
#[derive(Clone, Debug, Default)]
pub struct ObjectSettings {
    /// `defaultId`: the `connect_id` appended when absent (§4.1).
    pub default_id: Vec<u8>,
    /// `defaultPassword`: the `connect_password` appended when absent (§4.1).
    pub default_password: Vec<u8>,
    /// As written (`"35"`); PHP numeric rules apply when it is used.
    pub timeout: Vec<u8>,
    /// `selectMaxCnt`, as written: the `limit_count` of reference telegrams (§4.1).
    pub select_max_cnt: Vec<u8>,
    /// `resultCsv`: path of the result CSV; blank = none (§4.2 #3, §6.6).
    pub result_csv: Vec<u8>,
    /// `sendFilePath`: file sent as `data`; blank = none (§4.3).
    pub send_file_path: Vec<u8>,
    /// `setEncoding` state (§4.7).
    pub encoding: Encoding,
}

/// A telegram ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The `telegram_kind` value (§4.1), which picks the reply parser (§6.2).
    pub kind: Vec<u8>,
    /// The URL resolved for the kind (§3.4, §4.4).
    pub url: Vec<u8>,
    /// `application/x-www-form-urlencoded` body, byte-identical to PHP `urlencode` (§4.8).
    pub body: Vec<u8>,
    /// The parameters as sent (after §4.7): the log masks them (decisions.md 20).
    pub wire: Params,
    /// Timeout in seconds (validated > 0).
    pub timeout_secs: f64,
    /// Convert the reply body from UTF-8 back to this charset before parsing (§4.7), or from
    /// Windows-31J to the caller encoding (decisions.md 13).
    pub reply_charset: charset::ReplyCharset,
}

/// Run §4.1–§4.8 on the object's parameters. Default fill, send-file `data` and kana conversion
/// change `params` in place, as in the official module (they persist on the object).
pub fn prepare(
    params: &mut Params,
    inst: &ObjectSettings,
    config: &Config,
) -> Result<Prepared, Error> {
    // §4.1 kind capture and default fill (appended after the caller's parameters).
    let kind = params
        .get(TELEGRAM_KIND_KEY.as_bytes())
        .unwrap_or_default()
        .to_vec();
    fill_absent(params, CONNECT_ID_KEY.as_bytes(), &inst.default_id);
    fill_absent(
        params,
        CONNECT_PASSWORD_KEY.as_bytes(),
        &inst.default_password,
    );
    if !kind.is_empty() && config.is_ref_kind(&kind) {
        fill_absent(params, LIMIT_COUNT_KEY.as_bytes(), &inst.select_max_cnt);
    }
    if !config.default_merchant_id.is_empty() {
        fill_absent(params, b"merchant_id", &config.default_merchant_id);
    }
    if !config.default_telegram_version.is_empty() {
        fill_absent(
            params,
            b"telegram_version",
            &config.default_telegram_version,
        );
    }

    // §4.2 validation, first failure wins.
    let timeout_secs = php_numeric(&inst.timeout).filter(|t| *t > 0.0);
    let select_ok = php_numeric(&inst.select_max_cnt).is_some_and(|n| n > 0.0);
    let Some(timeout_secs) = timeout_secs.filter(|_| select_ok) else {
        return Err(Error::new(ErrorKind::ModuleParam));
    };
    if !params.contains(TELEGRAM_KIND_KEY.as_bytes()) || is_blank(&kind) {
        return Err(Error::new(ErrorKind::KindUnexpected));
    }
    let csv_set = !is_blank(&inst.result_csv);
    let file_inquiry = kind == b"201";
    if (!config.is_ref_kind(&kind) && !file_inquiry && csv_set) || (file_inquiry && !csv_set) {
        return Err(Error::new(ErrorKind::CsvName));
    }
    if params.contains(b"") {
        return Err(Error::new(ErrorKind::KeyEmpty));
    }
    for (k, v) in params.iter() {
        if !is_blank(k) && k.len() > TELEGRAM_KEY_LENGTH {
            return Err(Error::new(ErrorKind::KeyTooLong));
        }
        if k != DATA_KEY.as_bytes() && !is_blank(v) && v.len() > TELEGRAM_VALUE_LENGTH {
            return Err(Error::new(ErrorKind::ValueTooLong));
        }
    }

    // §4.3 send file.
    if !params.contains(DATA_KEY.as_bytes()) && !is_blank(&inst.send_file_path) {
        match std::fs::read(send_file(inst)) {
            Ok(bytes) => params.put(DATA_KEY.as_bytes(), &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !config.compat.ignore_missing_send_file {
                    return Err(Error::new(ErrorKind::SendFileNotFound));
                }
            }
            Err(_) => return Err(Error::new(ErrorKind::SendFileIo)),
        }
    }

    // §4.4 URL.
    let url = config
        .url_for_kind(&kind)
        .ok_or_else(|| Error::new(ErrorKind::KindUnexpected))?
        .to_vec();

    // §4.5 kana, in the charset the caller's bytes are in (§11).
    let caller = caller_charset(&kind, inst, config);
    for (k, v) in params.iter_mut() {
        if kana::is_kana_key(k) {
            *v = match caller {
                Charset::Cp932 => kana::to_half_width_sjis(v),
                Charset::Utf8 => kana::to_half_width_utf8(v),
                Charset::EucJp => kana::to_half_width_euc_jp(v),
            };
        }
    }

    // §4.6 total length over the raw bytes: url ? k=v&k=v.
    if !config.compat.no_length_check {
        let pairs: usize = params.iter().map(|(k, v)| k.len() + 1 + v.len()).sum();
        let total = url.len() + 1 + pairs + params.len().saturating_sub(1);
        let file = params.contains(DATA_KEY.as_bytes());
        if total
            > if file {
                TELEGRAM_LENGTH_FILE
            } else {
                TELEGRAM_LENGTH
            }
        {
            return Err(Error::new(ErrorKind::TelegramTooLong { file }));
        }
    }

    // §4.7 charset, on a copy: the object keeps the caller's bytes.
    let (wire, reply_charset) = wire_params(params, &kind, inst, config)?;

    // §4.8 form body.
    let body = form::encode(&wire);
    Ok(Prepared {
        kind,
        url,
        body,
        wire,
        timeout_secs,
        reply_charset,
    })
}

fn fill_absent(params: &mut Params, key: &[u8], value: &[u8]) {
    if !params.contains(key) {
        params.put(key, value);
    }
}

/// The encoding in force for a UTF-8 kind: `setEncoding`, else the configured caller encoding.
fn effective_encoding(inst: &ObjectSettings, config: &Config) -> Encoding {
    match (&inst.encoding, config.caller_encoding) {
        (Encoding::Unset, Some(CallerEncoding::Utf8)) => Encoding::Utf8,
        (Encoding::Unset, Some(CallerEncoding::EucJp)) => Encoding::EucJp,
        (e, _) => e.clone(),
    }
}

/// What the caller's values are written in.
fn caller_charset(kind: &[u8], inst: &ObjectSettings, config: &Config) -> Charset {
    let encoding = if config.is_utf8_kind(kind) {
        effective_encoding(inst, config)
    } else {
        match config.caller_encoding {
            Some(CallerEncoding::Utf8) => Encoding::Utf8,
            Some(CallerEncoding::EucJp) => Encoding::EucJp,
            None => Encoding::ShiftJis,
        }
    };
    match encoding {
        Encoding::Utf8 => Charset::Utf8,
        Encoding::EucJp => Charset::EucJp,
        _ => Charset::Cp932,
    }
}

/// §4.7 and decisions.md 13: the values as they go on the wire, and what to do with the reply.
fn wire_params(
    params: &Params,
    kind: &[u8],
    inst: &ObjectSettings,
    config: &Config,
) -> Result<(Params, ReplyCharset), Error> {
    if inst.encoding == Encoding::Unsupported {
        return Err(Error::new(ErrorKind::EncodingUnsupported));
    }
    let (from, to, reply, skip_data) = if config.is_utf8_kind(kind) {
        match effective_encoding(inst, config) {
            Encoding::Unset => return Err(Error::new(ErrorKind::EncodingRequired)),
            Encoding::ShiftJis => (
                Charset::Cp932,
                Charset::Utf8,
                ReplyCharset::Utf8ToCp932,
                false,
            ),
            Encoding::EucJp => (
                Charset::EucJp,
                Charset::Utf8,
                ReplyCharset::Utf8ToEucJp,
                false,
            ),
            _ => return Ok((params.clone(), ReplyCharset::Raw)),
        }
    } else if inst.encoding != Encoding::Unset {
        return Err(Error::new(ErrorKind::EncodingNotAllowed));
    } else {
        // decisions.md 13; the send-file `data` goes byte-for-byte (§4.3).
        match config.caller_encoding {
            None => return Ok((params.clone(), ReplyCharset::Raw)),
            Some(CallerEncoding::Utf8) => (
                Charset::Utf8,
                Charset::Cp932,
                ReplyCharset::Cp932ToUtf8,
                true,
            ),
            Some(CallerEncoding::EucJp) => (
                Charset::EucJp,
                Charset::Cp932,
                ReplyCharset::Cp932ToEucJp,
                true,
            ),
        }
    };
    let mut wire = Params::new();
    for (k, v) in params.iter() {
        if skip_data && k == DATA_KEY.as_bytes() {
            wire.put(k, v);
            continue;
        }
        let converted = charset::convert_strict(v, from, to)
            .ok_or_else(|| Error::new(ErrorKind::Unmappable { key: k.to_vec() }))?;
        wire.put(k, &converted);
    }
    Ok((wire, reply))
}

/// Send-file path as a path.
pub fn send_file(inst: &ObjectSettings) -> PathBuf {
    crate::php::bytes_to_path(&inst.send_file_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_numeric_follows_php8_is_numeric() {
        let yes: [(&str, f64); 14] = [
            ("35", 35.0),
            (" 35", 35.0),
            ("35 ", 35.0),
            ("\t\n35\r\x0b\x0c", 35.0),
            ("1e1", 10.0),
            ("1E+1", 10.0),
            ("2e-1", 0.2),
            ("35.5", 35.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("+7", 7.0),
            ("-1", -1.0),
            ("0", 0.0),
            ("007", 7.0),
        ];
        for (s, n) in yes {
            assert_eq!(php_numeric(s.as_bytes()), Some(n), "{s:?}");
        }
        for s in [
            "", " ", "35s", "0x10", ".", "1e", "e1", "1e+", "+", "- 1", "1 2", "inf", "NaN",
            "1_000", "３５", "\x0035",
        ] {
            assert_eq!(php_numeric(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn blankness_is_php_trim() {
        assert!(is_blank(b" \t\r\n\0\x0b"));
        assert!(!is_blank(b" \x0c "));
        assert!(!is_blank(b"a"));
    }

    fn config() -> Config {
        Config {
            telegram_kind_ref: vec![b"027".to_vec()],
            telegram_kind_utf8: vec![b"450".to_vec()],
            urls: vec![
                (b"02".to_vec(), b"https://h/n/card/request".to_vec()),
                (b"45".to_vec(), b"https://h/t".to_vec()),
            ],
            ..Config::default()
        }
    }

    fn inst() -> ObjectSettings {
        ObjectSettings {
            default_id: b"id".to_vec(),
            default_password: b"pw".to_vec(),
            timeout: b"35".to_vec(),
            select_max_cnt: b"2000".to_vec(),
            ..ObjectSettings::default()
        }
    }

    #[test]
    fn validation_order_first_failure_wins() {
        let c = config();
        let mut i = inst();
        i.timeout = b"0".into();
        i.result_csv = b"x.csv".into();
        let mut p = Params::new();
        p.put(b"", b"x");
        // E02001 before the missing kind, the CSV rule and the empty key.
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().code,
            crate::ErrorCode::ModuleParamRequired
        );
        i.timeout = b"35".into();
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().kind,
            ErrorKind::KindUnexpected
        );
        p.put(b"telegram_kind", b"020");
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().kind,
            ErrorKind::CsvName
        );
        i.result_csv.clear();
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().kind,
            ErrorKind::KeyEmpty
        );
        // Validation runs before the send file and the URL.
        let mut p = Params::new();
        p.put(b"telegram_kind", b"999");
        p.put(b"v", &vec![b'a'; TELEGRAM_VALUE_LENGTH + 1]);
        i.send_file_path = b"/nonexistent/file".into();
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().kind,
            ErrorKind::ValueTooLong
        );
        // The send file before the URL.
        let mut p = Params::new();
        p.put(b"telegram_kind", b"999");
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().kind,
            ErrorKind::SendFileNotFound
        );
        i.send_file_path.clear();
        assert_eq!(
            prepare(&mut p, &i, &c).unwrap_err().kind,
            ErrorKind::KindUnexpected
        );
    }

    #[test]
    fn blank_long_key_is_not_measured_and_data_value_is_not_either() {
        let c = Config {
            compat: crate::config::Compat {
                no_length_check: true,
                ..Default::default()
            },
            ..config()
        };
        let mut p = Params::new();
        p.put(b"telegram_kind", b"020");
        p.put(&vec![b' '; TELEGRAM_KEY_LENGTH + 1], b"v");
        p.put(b"data", &vec![b'd'; TELEGRAM_VALUE_LENGTH + 1]);
        assert!(prepare(&mut p, &inst(), &c).is_ok());
    }

    #[test]
    fn length_check_uses_raw_values_before_charset_conversion() {
        // Two values of 20000 three-byte UTF-8 characters: 120000 bytes raw, 80000 in Windows-31J.
        let c = Config {
            caller_encoding: Some(CallerEncoding::Utf8),
            ..config()
        };
        let mut p = Params::new();
        p.put(b"telegram_kind", b"020");
        p.put(b"v", "認".repeat(20_000).as_bytes());
        p.put(b"w", "認".repeat(20_000).as_bytes());
        let e = prepare(&mut p, &inst(), &c).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TelegramTooLong { file: false });
    }

    #[test]
    fn caller_encoding_leaves_send_file_bytes_alone() {
        let c = Config {
            caller_encoding: Some(CallerEncoding::Utf8),
            ..config()
        };
        let mut p = Params::new();
        p.put(b"telegram_kind", b"020");
        p.put(b"data", b"\x82\xa0");
        let prepared = prepare(&mut p, &inst(), &c).unwrap();
        assert!(
            prepared.body.ends_with(b"&connect_password=pw")
                && prepared.body.windows(11).any(|w| w == b"data=%82%A0")
        );
        // EUC-JP callers: values converted to Windows-31J, reply back to EUC-JP.
        let c = Config {
            caller_encoding: Some(CallerEncoding::EucJp),
            ..config()
        };
        let mut p = Params::new();
        p.put(b"telegram_kind", b"020");
        p.put(b"n", &[0xA4, 0xA2]);
        let prepared = prepare(&mut p, &inst(), &c).unwrap();
        assert!(prepared.body.windows(9).any(|w| w == b"n=%82%A0&"));
        assert_eq!(prepared.reply_charset, ReplyCharset::Cp932ToEucJp);
    }

    #[test]
    fn malformed_shift_jis_for_a_utf8_kind_is_an_error_not_garbage() {
        let c = config();
        let mut i = inst();
        i.encoding = Encoding::ShiftJis;
        let mut p = Params::new();
        p.put(b"telegram_kind", b"450");
        p.put(b"n", &[0x82]);
        let e = prepare(&mut p, &i, &c).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unmappable { key: b"n".to_vec() });
    }
}
