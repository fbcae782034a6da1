//! The Perl `paygent.properties` variables (protocol.md §2, decisions.md 5) as properties keys.
//!
//! The binding reads the Perl package variables (and the `%ENV{HTTPS_*}` fallbacks) and hands
//! them over as `(name, value)` pairs; undefined variables are simply not passed.

use super::PREFIX;
use crate::params::Params;

/// One `paygent.properties` variable: its Perl name, the `paygentB2Bmodule.<key>` it sets (the
/// same meaning as in `modenv_properties.php`), and where its value comes from when it is unset.
/// The one table of Perl variables: the binding reads exactly these names (exposed through the
/// C ABI), and the Perl tests translate PHP keys with it.
#[derive(Debug)]
pub struct PerlVariable {
    /// The Perl variable name without the sigil (`$HTTPS_CERT_FILE` → `HTTPS_CERT_FILE`).
    pub name: &'static str,
    /// The `paygentB2Bmodule.<key>` it sets, without the prefix.
    pub key: &'static str,
    /// Taken from `%ENV` when the variable is undefined (the manual's mod_perl recipe).
    pub env_fallback: bool,
    /// What the key gets when the variable is unset.
    pub default: PerlDefault,
}

/// What an unset (or blank) Perl variable becomes. Keys that the validation requires
/// (protocol.md §3.3) always get a value, so a minimal Perl file validates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerlDefault {
    /// Left out.
    None,
    /// This value when the variable is undefined.
    Unset(&'static [u8]),
    /// This value when the variable is undefined or empty (the manual's defaults).
    Blank(&'static [u8]),
    /// Set only when non-empty: a proxy part, so that an empty `$proxy_server_port = ''` does
    /// not undo the port a `$proxy_server_name` URL gave.
    NonEmpty,
}

const fn var(name: &'static str, key: &'static str, default: PerlDefault) -> PerlVariable {
    PerlVariable {
        name,
        key,
        env_fallback: false,
        default,
    }
}

const fn env(name: &'static str, key: &'static str, default: PerlDefault) -> PerlVariable {
    PerlVariable {
        name,
        key,
        env_fallback: true,
        default,
    }
}

use PerlDefault::{Blank, NonEmpty, Unset};

/// Every Perl variable the binding reads, with the key it sets and its default.
pub const PERL_VARIABLES: &[PerlVariable] = &[
    env("HTTPS_CERT_FILE", "client_file_path", Unset(b"")),
    env("HTTPS_KEY_FILE", "client_key_file_path", PerlDefault::None),
    env("HTTPS_CA_FILE", "ca_file_path", Unset(b"")),
    // `$proxy_server_name` may be a URL with port and credentials (parsed below); the
    // explicit parts override what it implies.
    var("proxy_server_name", "proxy_server_name", PerlDefault::None),
    var("proxy_server_ip", "proxy_server_ip", NonEmpty),
    var("proxy_server_port", "proxy_server_port", NonEmpty),
    var("proxy_user", "proxy_user", NonEmpty),
    var("proxy_password", "proxy_password", NonEmpty),
    var("log_output_path", "log_output_path", Unset(b"")),
    var("default_id", "default_id", PerlDefault::None),
    var("default_password", "default_password", PerlDefault::None),
    var("timeout_value", "timeout_value", Blank(b"35")),
    var("select_max_cnt", "select_max_cnt", Blank(b"2000")),
    var("merchant_id", "merchant_id", PerlDefault::None),
    var("telegram_ver", "telegram_version", PerlDefault::None),
    var("Debug", "debug_flg", PerlDefault::None),
    var("telegram_kind_ref", "telegram_kind.ref", Unset(b"027,090")),
    var(
        "telegram_kind_utf8",
        "telegram_kind.utf8",
        PerlDefault::None,
    ),
    var(
        "client_key_password",
        "client_key_password",
        PerlDefault::None,
    ),
    var("verify_host", "verify_host", PerlDefault::None),
    var("keep_alive", "keep_alive", PerlDefault::None),
    var(
        "not_use_client_cert",
        "not_use_client_cert",
        PerlDefault::None,
    ),
    var("not_use_ca_cert", "not_use_ca_cert", PerlDefault::None),
    var("tls_backend", "tls_backend", PerlDefault::None),
    var("caller_encoding", "caller_encoding", PerlDefault::None),
    var("csv_mode", "csv_mode", PerlDefault::None),
    var("compat", "compat", PerlDefault::None),
    var("session_cache_dir", "session_cache_dir", PerlDefault::None),
    var("journal_dir", "journal_dir", PerlDefault::None),
    var("reply_max_size", "reply_max_size", PerlDefault::None),
    var(
        "file_reply_max_size",
        "file_reply_max_size",
        PerlDefault::None,
    ),
    var("retry_not_sent", "retry_not_sent", PerlDefault::None),
];

/// Map `(perl variable name, value)` pairs (e.g. `HTTPS_CERT_FILE`, `url.02`) to the
/// `paygentB2Bmodule.*` properties the validation understands ([`PERL_VARIABLES`]).
pub fn properties_from_perl_vars(vars: &[(Vec<u8>, Vec<u8>)]) -> Params {
    let var = |name: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == name.as_bytes())
            .map(|(_, v)| v.as_slice())
    };
    let mut props = Params::new();
    let mut put = |key: &str, value: &[u8]| props.put(format!("{PREFIX}{key}").as_bytes(), value);

    if let Some(proxy) = var("proxy_server_name").filter(|v| !v.is_empty()) {
        let p = proxy_url(proxy);
        put("proxy_server_name", &p.host);
        put("proxy_server_port", &p.port);
        if let Some((user, password)) = p.credentials {
            put("proxy_user", &user);
            put("proxy_password", &password);
        }
    }
    for v in PERL_VARIABLES {
        if v.name == "proxy_server_name" {
            continue;
        }
        let value = match (var(v.name), v.default) {
            (Some(b""), Blank(d)) => Some(d),
            (Some(b""), NonEmpty) => None,
            (Some(x), _) => Some(x),
            (None, Unset(d) | Blank(d)) => Some(d),
            (None, _) => None,
        };
        if let Some(value) = value {
            put(v.key, value);
        }
    }
    // `url.02` (the `%url` hash, flattened by the binding) and `url_02` scalars.
    for (name, value) in vars {
        let suffix = name
            .strip_prefix(b"url.")
            .or_else(|| name.strip_prefix(b"url_"));
        if let Some(suffix) = suffix.filter(|s| !s.is_empty()) {
            let mut key = format!("{PREFIX}url.").into_bytes();
            key.extend_from_slice(suffix);
            props.put(&key, value);
        }
    }
    props
}

/// The parts of a Perl proxy setting.
#[derive(Debug, PartialEq, Eq)]
struct ProxyUrl {
    host: Vec<u8>,
    port: Vec<u8>,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
}

/// `http://user:pass@host:port/` (scheme, credentials, port and path optional). A URL without a
/// port uses the scheme's (80 for http, 443 for https).
fn proxy_url(url: &[u8]) -> ProxyUrl {
    let (scheme, rest) = match url.windows(3).position(|w| w == b"://") {
        Some(i) => (url[..i].to_ascii_lowercase(), &url[i + 3..]),
        None => (b"http".to_vec(), url),
    };
    let authority = &rest[..rest.iter().position(|&b| b == b'/').unwrap_or(rest.len())];
    let (credentials, host_port) = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => {
            let info = &authority[..at];
            let (u, p) = match info.iter().position(|&b| b == b':') {
                Some(c) => (&info[..c], &info[c + 1..]),
                None => (info, &b""[..]),
            };
            (
                Some((percent_decode(u), percent_decode(p))),
                &authority[at + 1..],
            )
        }
        None => (None, authority),
    };
    // `[v6]:port` keeps its brackets off the host; otherwise the last `:` starts the port.
    let (host, port) = if let Some(v6) = host_port.strip_prefix(b"[") {
        let close = v6.iter().position(|&b| b == b']').unwrap_or(v6.len());
        let after = v6.get(close + 1..).unwrap_or_default();
        (&v6[..close], after.strip_prefix(b":").unwrap_or_default())
    } else {
        match host_port.iter().rposition(|&b| b == b':') {
            Some(c) => (&host_port[..c], &host_port[c + 1..]),
            None => (host_port, &b""[..]),
        }
    };
    let port = if port.is_empty() {
        if scheme == b"https" {
            b"443".to_vec()
        } else {
            b"80".to_vec()
        }
    } else {
        port.to_vec()
    };
    ProxyUrl {
        host: host.to_vec(),
        port,
        credentials,
    }
}

fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, TlsBackend};

    fn vars(pairs: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        pairs
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::from_properties(&properties_from_perl_vars(&vars(pairs)), true).unwrap()
    }

    #[test]
    fn minimal_perl_file_validates_with_manual_defaults() {
        let c = config(&[
            ("HTTPS_CERT_FILE", "/k/cert.pem"),
            ("HTTPS_CA_FILE", "/k/ca.pem"),
        ]);
        assert_eq!(c.client_file_path, b"/k/cert.pem");
        assert_eq!(c.ca_file_path, b"/k/ca.pem");
        assert_eq!(c.timeout_value, b"35");
        assert_eq!(c.select_max_cnt, b"2000");
        assert_eq!(c.log_output_path, b"");
        assert_eq!(c.telegram_kind_ref, vec![b"027".to_vec(), b"090".to_vec()]);
        assert!(c.fallback_to_shipped_urls);
        assert_eq!(
            c.url_for_kind(b"020"),
            Some(&b"https://module.paygent.co.jp/n/card/request"[..])
        );
        assert_eq!(c.proxy_server_port, 0);
    }

    #[test]
    fn missing_certificate_variables_fail_validation() {
        let p = properties_from_perl_vars(&vars(&[("HTTPS_CA_FILE", "/k/ca.pem")]));
        assert!(Config::from_properties(&p, true).is_err());
    }

    #[test]
    fn every_variable_maps_to_its_key() {
        let c = config(&[
            ("HTTPS_CERT_FILE", "/k/cert.pem"),
            ("HTTPS_KEY_FILE", "/k/key.pem"),
            ("HTTPS_CA_FILE", "/k/ca.pem"),
            (
                "proxy_server_name",
                "http://us%40r:p%3Aw@proxy.example:3128/",
            ),
            ("default_id", "id1"),
            ("default_password", "pw1"),
            ("timeout_value", ""),
            ("select_max_cnt", "500"),
            ("log_output_path", "/tmp/p.log"),
            ("Debug", "1"),
            ("merchant_id", "123456789"),
            ("telegram_ver", "1.0"),
            ("telegram_kind_ref", "027"),
            ("telegram_kind_utf8", "450"),
            ("client_key_password", "pass"),
            ("verify_host", "0"),
            ("keep_alive", "0"),
            ("tls_backend", "rustls"),
            ("session_cache_dir", "/tmp/s"),
            ("url.02", "https://sandbox/n/card/request"),
            ("url_45", "https://sandbox/n/threeds/request"),
        ]);
        assert_eq!(c.client_key_file_path, b"/k/key.pem");
        assert_eq!(c.proxy_server_name, b"proxy.example");
        assert_eq!(c.proxy_server_port, 3128);
        assert_eq!(c.proxy_user, b"us@r");
        assert_eq!(c.proxy_password, b"p:w");
        assert_eq!(
            (c.default_id.as_slice(), c.default_password.as_slice()),
            (&b"id1"[..], &b"pw1"[..])
        );
        assert_eq!(c.timeout_value, b"35");
        assert_eq!(c.select_max_cnt, b"500");
        assert_eq!(c.log_output_path, b"/tmp/p.log");
        assert!(c.debug_flg);
        assert_eq!(c.default_merchant_id, b"123456789");
        assert_eq!(c.default_telegram_version, b"1.0");
        assert_eq!(c.telegram_kind_ref, vec![b"027".to_vec()]);
        assert!(c.is_utf8_kind(b"450"));
        assert_eq!(c.client_key_password, b"pass");
        assert!(!c.verify_host && !c.keep_alive);
        assert_eq!(c.tls_backend, TlsBackend::Rustls);
        assert_eq!(c.session_cache_dir, b"/tmp/s");
        assert_eq!(
            c.url_for_kind(b"020"),
            Some(&b"https://sandbox/n/card/request"[..])
        );
        assert_eq!(
            c.url_for_kind(b"450"),
            Some(&b"https://sandbox/n/threeds/request"[..])
        );
        assert_eq!(
            c.url_for_kind(b"010"),
            Some(&b"https://module.paygent.co.jp/n/atm/request"[..])
        );
    }

    #[test]
    fn every_proxy_variable_is_taken() {
        // Issue 14 item 11: these were dropped, so a configured proxy was silently bypassed.
        let c = config(&[
            ("HTTPS_CERT_FILE", "/k/client.pem"),
            ("HTTPS_CA_FILE", "/k/ca.pem"),
            ("proxy_server_name", ""),
            ("proxy_server_ip", "192.0.2.7"),
            ("proxy_server_port", "3128"),
            ("proxy_user", "pu"),
            ("proxy_password", "pp"),
        ]);
        assert_eq!(c.proxy_server_ip, b"192.0.2.7");
        assert_eq!(c.proxy_server_port, 3128);
        assert_eq!(
            (&c.proxy_user[..], &c.proxy_password[..]),
            (&b"pu"[..], &b"pp"[..])
        );
        // A URL in $proxy_server_name gives the parts; empty explicit ones do not undo them,
        // non-empty ones win.
        let c = config(&[
            ("HTTPS_CERT_FILE", "/k/client.pem"),
            ("HTTPS_CA_FILE", "/k/ca.pem"),
            ("proxy_server_name", "http://a:b@proxy.example:8080/"),
            ("proxy_server_port", ""),
            ("proxy_user", ""),
            ("proxy_password", "override"),
        ]);
        assert_eq!(c.proxy_server_name, b"proxy.example");
        assert_eq!(c.proxy_server_port, 8080);
        assert_eq!(
            (&c.proxy_user[..], &c.proxy_password[..]),
            (&b"a"[..], &b"override"[..])
        );
    }

    #[test]
    fn the_table_names_each_variable_and_key_once() {
        let mut names: Vec<_> = PERL_VARIABLES.iter().map(|v| v.name).collect();
        let mut keys: Vec<_> = PERL_VARIABLES.iter().map(|v| v.key).collect();
        names.sort_unstable();
        keys.sort_unstable();
        let n = names.len();
        names.dedup();
        keys.dedup();
        assert_eq!((names.len(), keys.len()), (n, n));
    }

    #[test]
    fn proxy_urls() {
        let p = proxy_url(b"http://proxy-server:8080/");
        assert_eq!(
            p,
            ProxyUrl {
                host: b"proxy-server".to_vec(),
                port: b"8080".to_vec(),
                credentials: None
            }
        );
        assert_eq!(proxy_url(b"proxy:81").port, b"81");
        assert_eq!(proxy_url(b"http://proxy").port, b"80");
        let p = proxy_url(b"http://u:p@[::1]:3128");
        assert_eq!(
            (p.host.as_slice(), p.port.as_slice()),
            (&b"::1"[..], &b"3128"[..])
        );
        assert_eq!(p.credentials, Some((b"u".to_vec(), b"p".to_vec())));
    }
}
