//! The `modenv_properties.php` line format (§3.1) and the validation of §3.3.

use super::{CallerEncoding, Compat, Config, CsvMode, PREFIX, TlsBackend, invalid};
use crate::error::Error;
use crate::params::Params;
use crate::php::{is_blank, php_numeric};

/// Parse properties text (§3.1 steps 1–7). `escape_truncation` applies step 3 (compat only).
pub fn parse(text: &[u8], escape_truncation: bool) -> Params {
    let mut props = Params::new();
    for raw in text.split(|&b| b == b'\n') {
        let mut line = php_trim(raw);
        if escape_truncation {
            // Literal backslash-r, then backslash-n: the official single-quoted '\r' / '\n'.
            for esc in [&b"\\r"[..], b"\\n"] {
                if let Some(i) = find(line, esc) {
                    line = php_trim(&line[..i]);
                }
            }
        }
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        match line.iter().position(|&b| b == b'=') {
            None | Some(0) => continue,
            Some(eq) => props.put(php_trim(&line[..eq]), php_trim(&line[eq + 1..])),
        }
    }
    props
}

/// Every `paygentB2Bmodule.<key>` this implementation reads, besides the `url.<prefix>` family.
pub const KEYS: &[&str] = &[
    "client_file_path",
    "client_key_file_path",
    "ca_file_path",
    "proxy_server_name",
    "proxy_server_ip",
    "proxy_server_port",
    "proxy_user",
    "proxy_password",
    "default_id",
    "default_password",
    "timeout_value",
    "log_output_path",
    "debug_flg",
    "select_max_cnt",
    "telegram_kind.ref",
    "telegram_kind.utf8",
    "client_key_password",
    "verify_host",
    "keep_alive",
    "tls_backend",
    "caller_encoding",
    "csv_mode",
    "compat",
    "session_cache_dir",
    "journal_dir",
    "not_use_client_cert",
    "not_use_ca_cert",
    "merchant_id",
    "telegram_version",
    "reply_max_size",
    "file_reply_max_size",
    "retry_not_sent",
];

/// The `(line number, key)` of every setting line of a `modenv_properties.php` (as [`parse`]
/// reads it, without the escape truncation), for diagnostics that name the line.
pub fn keys_with_lines(text: &[u8]) -> Vec<(usize, Vec<u8>)> {
    text.split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = php_trim(raw);
            if line.is_empty() || line[0] == b'#' {
                return None;
            }
            let eq = line.iter().position(|&b| b == b'=').filter(|&e| e > 0)?;
            Some((i + 1, php_trim(&line[..eq]).to_vec()))
        })
        .collect()
}

/// Which setting makes [`validate`] refuse `props` (the official error, E01002, names none): the
/// first key in the file's order whose value, put right, lets the file validate. A missing
/// required key gives `None` (its line does not exist). For `paygent doctor`.
pub fn first_invalid_key(props: &Params, fallback_to_shipped_urls: bool) -> Option<Vec<u8>> {
    if validate(props, fallback_to_shipped_urls).is_ok() {
        return None;
    }
    props.iter().map(|(k, _)| k.to_vec()).find(|key| {
        let name = key
            .strip_prefix(super::PREFIX.as_bytes())
            .unwrap_or_default();
        // A value the validation accepts for this key: the default of a number, a stand-in
        // path or URL otherwise; optional keys simply go.
        let good: Option<&[u8]> = match name {
            b"timeout_value" => Some(b"35"),
            b"select_max_cnt" => Some(b"2000"),
            b"client_file_path" | b"ca_file_path" => Some(b"/x"),
            b"log_output_path" => Some(b""),
            n if n.starts_with(b"url.") => Some(b"https://x/"),
            _ => None,
        };
        let mut fixed = Params::new();
        for (k, v) in props.iter() {
            match (k == key.as_slice(), good) {
                (false, _) => fixed.put(k, v),
                (true, Some(g)) => fixed.put(k, g),
                (true, None) => {}
            }
        }
        validate(&fixed, fallback_to_shipped_urls).is_ok()
    })
}

/// A key this implementation reads (`paygentB2Bmodule.` + one of [`KEYS`] or `url.<prefix>`).
pub fn is_known_key(key: &[u8]) -> bool {
    let Some(name) = key.strip_prefix(super::PREFIX.as_bytes()) else {
        return false;
    };
    name.strip_prefix(b"url.").is_some_and(|p| !p.is_empty())
        || KEYS.iter().any(|k| k.as_bytes() == name)
}

/// The `paygentB2Bmodule.compat` list names `escape_truncation` (checked before the second
/// parse, because the switch lives in the file it changes).
pub fn wants_escape_truncation(props: &Params) -> bool {
    get(props, "compat").is_some_and(|v| split_list(v).iter().any(|n| n == b"escape_truncation"))
}

/// §3.3 validation, then the typed [`Config`] (defaults of §3.3 and of the re-impl keys).
pub fn validate(props: &Params, fallback_to_shipped_urls: bool) -> Result<Config, Error> {
    let no_client = get(props, "not_use_client_cert") == Some(b"true");
    let no_ca = get(props, "not_use_ca_cert") == Some(b"true");
    let client = get(props, "client_file_path");
    let ca = get(props, "ca_file_path");
    let timeout = get(props, "timeout_value");
    let log = get(props, "log_output_path");
    let select = get(props, "select_max_cnt");

    // 1. presence
    let present = (no_client || client.is_some())
        && (no_ca || ca.is_some())
        && timeout.is_some()
        && log.is_some()
        && select.is_some();
    if !present {
        return Err(invalid());
    }
    // 2. non-blank
    let filled = |v: Option<&[u8]>| v.is_some_and(|v| !is_blank(v));
    if !((no_client || filled(client))
        && (no_ca || filled(ca))
        && filled(timeout)
        && filled(select))
    {
        return Err(invalid());
    }
    // 3. is_numeric
    let timeout = timeout.unwrap_or_default();
    let select = select.unwrap_or_default();
    if php_numeric(timeout).is_none() || php_numeric(select).is_none() {
        return Err(invalid());
    }
    // 4. blank url.*
    let url_prefix = format!("{PREFIX}url.");
    let mut urls = Vec::new();
    for (k, v) in props.iter() {
        if let Some(suffix) = k.strip_prefix(url_prefix.as_bytes()) {
            if is_blank(v) {
                return Err(invalid());
            }
            urls.push((suffix.to_vec(), v.to_vec()));
        }
    }
    // 5. proxy port
    let proxy_server_port = match get(props, "proxy_server_port").unwrap_or_default() {
        b"" => 0,
        p => port(p).ok_or_else(invalid)?,
    };

    let owned = |name: &str| get(props, name).unwrap_or_default().to_vec();
    Ok(Config {
        client_file_path: owned("client_file_path"),
        client_key_file_path: owned("client_key_file_path"),
        not_use_client_cert: no_client,
        ca_file_path: owned("ca_file_path"),
        not_use_ca_cert: no_ca,
        proxy_server_name: owned("proxy_server_name"),
        proxy_server_ip: owned("proxy_server_ip"),
        proxy_server_port,
        proxy_user: owned("proxy_user"),
        proxy_password: owned("proxy_password"),
        default_id: owned("default_id"),
        default_password: owned("default_password"),
        timeout_value: timeout.to_vec(),
        log_output_path: owned("log_output_path"),
        select_max_cnt: select.to_vec(),
        telegram_kind_ref: get(props, "telegram_kind.ref")
            .map(split_list)
            .unwrap_or_default(),
        telegram_kind_utf8: get(props, "telegram_kind.utf8")
            .map(split_list)
            .unwrap_or_default(),
        debug_flg: get(props, "debug_flg").is_some_and(|v| v != b"" && v != b"0"),
        urls,
        fallback_to_shipped_urls,
        client_key_password: get(props, "client_key_password")
            .map_or_else(|| b"changeit".to_vec(), <[u8]>::to_vec),
        verify_host: switch(get(props, "verify_host")),
        keep_alive: switch(get(props, "keep_alive")),
        tls_backend: match lower(get(props, "tls_backend")).as_slice() {
            b"" | b"openssl" => TlsBackend::OpenSsl,
            b"rustls" => TlsBackend::Rustls,
            _ => return Err(invalid()),
        },
        caller_encoding: match lower(get(props, "caller_encoding")).as_slice() {
            b"" => None,
            b"utf-8" => Some(CallerEncoding::Utf8),
            b"euc-jp" => Some(CallerEncoding::EucJp),
            _ => return Err(invalid()),
        },
        csv_mode: match lower(get(props, "csv_mode")).as_slice() {
            b"" | b"compat" => CsvMode::Compat,
            b"rfc4180" => CsvMode::Rfc4180,
            _ => return Err(invalid()),
        },
        compat: compat(get(props, "compat").unwrap_or_default())?,
        session_cache_dir: session_cache_dir(get(props, "session_cache_dir")),
        journal_dir: journal_dir(get(props, "journal_dir")),
        default_merchant_id: owned("merchant_id"),
        default_telegram_version: owned("telegram_version"),
        reply_max_size: size(get(props, "reply_max_size"))?,
        file_reply_max_size: size(get(props, "file_reply_max_size"))?,
        retry_not_sent: retries(get(props, "retry_not_sent"))?,
    })
}

/// `retry_not_sent`: absent or empty = [`super::RETRY_NOT_SENT_DEFAULT`]; otherwise 0–10 (more
/// would only hide an outage).
fn retries(v: Option<&[u8]>) -> Result<u32, Error> {
    let v = php_trim(v.unwrap_or_default());
    if v.is_empty() {
        return Ok(super::RETRY_NOT_SENT_DEFAULT);
    }
    std::str::from_utf8(v)
        .ok()
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<u32>().ok())
        .filter(|&n| n <= 10)
        .ok_or_else(invalid)
}

/// A byte count, optionally with a `K`/`M` (1024-based) suffix; absent or empty = 0 (the
/// default); anything else, or 0, is invalid.
fn size(v: Option<&[u8]>) -> Result<usize, Error> {
    let v = php_trim(v.unwrap_or_default());
    if v.is_empty() {
        return Ok(0);
    }
    let (digits, unit) = match v.last().map(u8::to_ascii_uppercase) {
        Some(b'K') => (&v[..v.len() - 1], 1024),
        Some(b'M') => (&v[..v.len() - 1], 1024 * 1024),
        _ => (v, 1),
    };
    std::str::from_utf8(digits)
        .ok()
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<usize>().ok())
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(invalid)
}

/// PHP `trim()` with its default characters.
pub fn php_trim(b: &[u8]) -> &[u8] {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0b);
    let start = b.iter().position(|c| !ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !ws(c)).map_or(start, |i| i + 1);
    &b[start..end]
}

/// `a, b,,c` → `[a, b, c]`: split on `,`, items trimmed, empty items dropped.
pub fn split_list(v: &[u8]) -> Vec<Vec<u8>> {
    v.split(|&b| b == b',')
        .map(php_trim)
        .filter(|s| !s.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Absent: the per-user default ([`super::SESSION_CACHE_AUTO`]); `off`/`none`/`false`/`0` or an
/// empty value: no cache; anything else: that directory.
fn session_cache_dir(v: Option<&[u8]>) -> Vec<u8> {
    match v.map(|v| v.to_ascii_lowercase()) {
        None => super::SESSION_CACHE_AUTO.to_vec(),
        Some(v) if matches!(v.as_slice(), b"" | b"off" | b"none" | b"false" | b"0") => Vec::new(),
        Some(_) => v.unwrap_or_default().to_vec(),
    }
}

/// Absent or `auto`: [`super::JOURNAL_AUTO`] (the session cache directory, else the per-user
/// default); `off`/`none`/`false`/`0` or an empty value: no journal; anything else: that
/// directory (journal.rs).
fn journal_dir(v: Option<&[u8]>) -> Vec<u8> {
    match v.map(|v| v.to_ascii_lowercase()) {
        None => super::JOURNAL_AUTO.to_vec(),
        Some(v) if v.as_slice() == super::JOURNAL_AUTO => super::JOURNAL_AUTO.to_vec(),
        Some(v) if matches!(v.as_slice(), b"" | b"off" | b"none" | b"false" | b"0") => Vec::new(),
        Some(_) => v.unwrap_or_default().to_vec(),
    }
}

fn get<'a>(props: &'a Params, name: &str) -> Option<&'a [u8]> {
    let mut key = PREFIX.as_bytes().to_vec();
    key.extend_from_slice(name.as_bytes());
    props.get(&key)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn lower(v: Option<&[u8]>) -> Vec<u8> {
    v.unwrap_or_default().to_ascii_lowercase()
}

/// On unless written as one of the usual "off" words.
fn switch(v: Option<&[u8]>) -> bool {
    !matches!(lower(v).as_slice(), b"false" | b"0" | b"off" | b"no")
}

/// A PHP-numeric port that fits a TCP port number.
fn port(p: &[u8]) -> Option<u16> {
    let n = php_numeric(p)?;
    (0.0..=65535.0).contains(&n).then_some(n as u16)
}

fn compat(v: &[u8]) -> Result<Compat, Error> {
    let mut c = Compat::default();
    for name in split_list(v) {
        match name.as_slice() {
            b"escape_truncation" => c.escape_truncation = true,
            b"no_length_check" => c.no_length_check = true,
            b"ignore_missing_send_file" => c.ignore_missing_send_file = true,
            b"keep_stale_reply" => c.keep_stale_reply = true,
            _ => return Err(invalid()),
        }
    }
    Ok(c)
}

#[cfg(test)]
mod key_table_tests {
    use super::*;

    #[test]
    fn every_key_read_here_is_in_the_table() {
        // The keys `validate` reads: a new one must be added to KEYS (the doctor's list).
        let src = include_str!("properties.rs");
        for call in ["get(props, \"", "owned(\""] {
            for part in src.split(call).skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !key.is_empty() && !key.contains('{') {
                    assert!(KEYS.contains(&key), "{key} missing from KEYS");
                }
            }
        }
        assert!(is_known_key(b"paygentB2Bmodule.url.02"));
        let base = "paygentB2Bmodule.client_file_path=/k\npaygentB2Bmodule.ca_file_path=/c\n\
                    paygentB2Bmodule.log_output_path=\npaygentB2Bmodule.select_max_cnt=2000\n";
        for (bad, key) in [
            ("paygentB2Bmodule.timeout_value=abc\n", "timeout_value"),
            (
                "paygentB2Bmodule.timeout_value=35\npaygentB2Bmodule.tls_backend=gnutls\n",
                "tls_backend",
            ),
            (
                "paygentB2Bmodule.timeout_value=35\npaygentB2Bmodule.proxy_server_port=99999\n",
                "proxy_server_port",
            ),
        ] {
            let props = parse(format!("{base}{bad}").as_bytes(), false);
            let found = first_invalid_key(&props, true).unwrap();
            assert_eq!(found, format!("{}{key}", super::super::PREFIX).into_bytes());
        }
        let ok = parse(
            format!("{base}paygentB2Bmodule.timeout_value=35\n").as_bytes(),
            false,
        );
        assert_eq!(first_invalid_key(&ok, true), None);
        assert!(!is_known_key(b"paygentB2Bmodule.timeout"));
        assert_eq!(
            keys_with_lines(b"<?php\n# c\npaygentB2Bmodule.a=1\n\n x = 2\n?>"),
            vec![(3, b"paygentB2Bmodule.a".to_vec()), (5, b"x".to_vec())]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const BASE: &str = "<?php\n\
        paygentB2Bmodule.client_file_path=/k/client.pem\n\
        paygentB2Bmodule.ca_file_path=/k/ca.pem\n\
        paygentB2Bmodule.proxy_server_port=\n\
        paygentB2Bmodule.timeout_value=35\n\
        paygentB2Bmodule.log_output_path=\n\
        paygentB2Bmodule.select_max_cnt=2000\n\
        paygentB2Bmodule.url.02=https://h/n/card/request\n\
        ?>\n";

    fn with(extra: &str) -> Result<Config, Error> {
        let text = format!("{BASE}{extra}\n");
        validate(&parse(text.as_bytes(), false), false)
    }

    fn without(key: &str) -> Result<Config, Error> {
        let text: String = BASE
            .lines()
            .filter(|l| !l.starts_with(key))
            .map(|l| format!("{l}\n"))
            .collect();
        validate(&parse(text.as_bytes(), false), false)
    }

    fn code(r: Result<Config, Error>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn lines_are_trimmed_split_at_first_eq_and_last_wins() {
        let p = parse(
            b"  a = b=c \r\n\x0b\tk=1\nk=2\n=x\nnoeq\n# c=1\n! x=1\n\0e=\0\n",
            false,
        );
        let v: Vec<_> = p.iter().collect();
        assert_eq!(
            v,
            vec![
                (&b"a"[..], &b"b=c"[..]),
                (b"k", b"2"),
                (b"! x", b"1"),
                (b"e", b""),
            ]
        );
    }

    #[test]
    fn escape_truncation_only_when_asked() {
        let line = br"paygentB2Bmodule.client_file_path=C:\paygent\new\c.pem";
        let p = parse(line, false);
        assert_eq!(
            p.get(b"paygentB2Bmodule.client_file_path").unwrap(),
            br"C:\paygent\new\c.pem"
        );
        let p = parse(line, true);
        assert_eq!(
            p.get(b"paygentB2Bmodule.client_file_path").unwrap(),
            br"C:\paygent"
        );
        // \r is cut before \n is looked for, and the rest is trimmed again.
        let p = parse(br"k=a \rb\nc", true);
        assert_eq!(p.get(b"k").unwrap(), b"a");
        // A line cut to nothing is skipped.
        assert!(parse(br"\nk=v", true).is_empty());
    }

    #[test]
    fn compat_list_is_looked_up_for_the_second_parse() {
        let p = parse(
            b"paygentB2Bmodule.compat= no_length_check , escape_truncation",
            false,
        );
        assert!(wants_escape_truncation(&p));
        assert!(!wants_escape_truncation(&parse(
            b"paygentB2Bmodule.compat=x",
            false
        )));
    }

    #[test]
    fn shipped_shape_validates_with_defaults() {
        let c = with("").unwrap();
        assert_eq!(c.timeout_value, b"35");
        assert_eq!(c.select_max_cnt, b"2000");
        assert_eq!(c.proxy_server_port, 0);
        assert!(c.telegram_kind_ref.is_empty());
        assert!(!c.debug_flg);
        assert!(c.verify_host && c.keep_alive);
        assert_eq!(c.client_key_password, b"changeit");
        assert_eq!(c.tls_backend, TlsBackend::OpenSsl);
        assert_eq!(c.caller_encoding, None);
        assert_eq!(c.csv_mode, CsvMode::Compat);
        assert_eq!(c.compat, Compat::default());
        assert_eq!(
            c.urls,
            vec![(b"02".to_vec(), b"https://h/n/card/request".to_vec())]
        );
    }

    #[test]
    fn required_keys_must_be_present() {
        for key in [
            "paygentB2Bmodule.client_file_path",
            "paygentB2Bmodule.ca_file_path",
            "paygentB2Bmodule.timeout_value",
            "paygentB2Bmodule.log_output_path",
            "paygentB2Bmodule.select_max_cnt",
        ] {
            assert_eq!(
                code(without(key)),
                Some(ErrorCode::ResourceFileRequired),
                "{key}"
            );
        }
        // The flags stand in for the files.
        let text: String = BASE
            .lines()
            .filter(|l| !l.contains("client_file_path") && !l.contains("ca_file_path"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
            + "paygentB2Bmodule.not_use_client_cert=true\npaygentB2Bmodule.not_use_ca_cert=true\n";
        let c = validate(&parse(text.as_bytes(), false), false).unwrap();
        assert!(c.not_use_client_cert && c.not_use_ca_cert);
        // Exactly "true".
        let text = text.replace("not_use_ca_cert=true", "not_use_ca_cert=TRUE");
        assert!(validate(&parse(text.as_bytes(), false), false).is_err());
    }

    #[test]
    fn blank_and_non_numeric_values_fail() {
        for extra in [
            "paygentB2Bmodule.ca_file_path=",
            "paygentB2Bmodule.client_file_path= ",
            "paygentB2Bmodule.timeout_value=",
            "paygentB2Bmodule.timeout_value=35s",
            "paygentB2Bmodule.timeout_value=0x10",
            "paygentB2Bmodule.select_max_cnt=abc",
            "paygentB2Bmodule.proxy_server_port=80a",
            "paygentB2Bmodule.url.99=",
            "paygentB2Bmodule.tls_backend=gnutls",
            "paygentB2Bmodule.caller_encoding=Shift_JIS",
            "paygentB2Bmodule.csv_mode=excel",
            "paygentB2Bmodule.compat=escape_truncation,bogus",
        ] {
            assert_eq!(
                code(with(extra)),
                Some(ErrorCode::ResourceFileRequired),
                "{extra}"
            );
        }
    }

    #[test]
    fn numeric_values_pass_as_written() {
        for t in ["1e1", "35.5", " 35", "0", "-1"] {
            let c = with(&format!("paygentB2Bmodule.timeout_value={t}")).unwrap();
            assert_eq!(c.timeout_value, t.trim().as_bytes());
        }
        assert_eq!(
            with("paygentB2Bmodule.proxy_server_port=8080")
                .unwrap()
                .proxy_server_port,
            8080
        );
    }

    #[test]
    fn lists_flags_and_reimpl_keys() {
        let c = with(
            "paygentB2Bmodule.telegram_kind.ref= 027, ,090,\n\
             paygentB2Bmodule.telegram_kind.utf8=450\n\
             paygentB2Bmodule.debug_flg=0\n\
             paygentB2Bmodule.verify_host=Off\n\
             paygentB2Bmodule.keep_alive=no\n\
             paygentB2Bmodule.tls_backend=rustls\n\
             paygentB2Bmodule.caller_encoding=UTF-8\n\
             paygentB2Bmodule.csv_mode=rfc4180\n\
             paygentB2Bmodule.compat=no_length_check,ignore_missing_send_file,keep_stale_reply\n\
             paygentB2Bmodule.client_key_password=secret\n\
             paygentB2Bmodule.merchant_id=123456789\n\
             paygentB2Bmodule.telegram_version=1.0",
        )
        .unwrap();
        assert_eq!(c.telegram_kind_ref, vec![b"027".to_vec(), b"090".to_vec()]);
        assert!(c.is_ref_kind(b"027") && !c.is_ref_kind(b"27") && c.is_utf8_kind(b"450"));
        assert!(!c.debug_flg && !c.verify_host && !c.keep_alive);
        assert_eq!(c.tls_backend, TlsBackend::Rustls);
        assert_eq!(c.caller_encoding, Some(CallerEncoding::Utf8));
        assert_eq!(c.csv_mode, CsvMode::Rfc4180);
        let want = Compat {
            escape_truncation: false,
            no_length_check: true,
            ignore_missing_send_file: true,
            keep_stale_reply: true,
        };
        assert_eq!(c.compat, want);
        assert_eq!(c.client_key_password, b"secret");
        assert_eq!(c.default_merchant_id, b"123456789");
        assert_eq!(c.default_telegram_version, b"1.0");
        assert_eq!(c.journal_dir, super::super::JOURNAL_AUTO);
        for (v, want) in [
            ("off", ""),
            ("", ""),
            ("AUTO", "auto"),
            ("/var/j", "/var/j"),
        ] {
            let c = with(&format!("paygentB2Bmodule.journal_dir={v}")).unwrap();
            assert_eq!(c.journal_dir, want.as_bytes(), "{v}");
        }
        assert!(with("paygentB2Bmodule.debug_flg=1").unwrap().debug_flg);
        assert!(with("paygentB2Bmodule.debug_flg=false").unwrap().debug_flg);
        assert!(!with("paygentB2Bmodule.debug_flg=").unwrap().debug_flg);
    }
}
