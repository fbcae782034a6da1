//! `paygent doctor`: every check of a merchant's set-up, one line each with a remedy. The
//! facts come from paygent-core (the config parsers, `transport::probe`, the 094 inquiry);
//! this file decides what is ok, a warning or a failure, and says it.

use std::collections::HashSet;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paygent_core::Dialect;
use paygent_core::config::properties::{
    KEYS, first_invalid_key, is_known_key, keys_with_lines, parse,
};
use paygent_core::config::urls::SHIPPED_PRODUCTION;
use paygent_core::config::{Config, PREFIX, TlsBackend};
use paygent_core::transport::{TransportSettings, probe};
use serde_json::{Map, Value, json};

use crate::config;
use crate::i18n::{Lang, Messages};

/// The version of the `--json` shape (docs/cli.md "doctor --json"): raised when a field changes
/// meaning or goes away; new checks and new fields do not raise it.
pub const SCHEMA: u32 = 1;

/// Exit codes: 0 no failure (warnings allowed); 1 at least one failure; 2 the configuration
/// file could not be found or read, or it (or the client key or certificate file) is one
/// other users could have written.
#[derive(clap::Args)]
pub struct Args {
    /// modenv_properties.php or paygent.properties (default: $PAYGENT_PROPERTIES,
    /// ./modenv_properties.php, ./paygent.properties).
    #[arg(long)]
    config: Option<PathBuf>,
    /// One JSON object on stdout (for monitoring).
    #[arg(long)]
    json: bool,
    /// Also send one read-only 094 inquiry for a payment that cannot exist (proves the merchant
    /// id, the connect id/password and the IP allow-list).
    #[arg(long)]
    ping: bool,
    /// merchant_id for --ping (when the configuration does not add one).
    #[arg(long)]
    merchant_id: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Ok,
    Warn,
    Fail,
    Skip,
}

/// One line of the report. `(id, target)` is unique in a report: `target` tells apart the
/// lines of a check made once per URL, per host:port or per line of the file.
struct Check {
    id: &'static str,
    target: Option<String>,
    status: Status,
    /// English, for scripts; `message_local` in the operator's language.
    message: String,
    message_local: String,
    remedy: String,
    remedy_local: String,
    /// Machine-readable facts (days left, host, port, timings…), JSON only.
    fields: Map<String, Value>,
}

impl Check {
    fn target(&mut self, target: impl Into<String>) -> &mut Self {
        self.target = Some(target.into());
        self
    }

    fn field(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.fields.insert(name.to_string(), value.into());
        self
    }

    /// host and port, from `host:port`.
    fn host_port(&mut self, host_port: &str) -> &mut Self {
        let (host, port) = split_host_port(host_port);
        self.field("host", host).field("port", port)
    }
}

struct Report<'a> {
    msg: &'a Messages,
    checks: Vec<Check>,
}

impl Report<'_> {
    /// A line whose message is `doctor.{key}` and, for a warning or a failure, whose remedy is
    /// `doctor.{key}.remedy`, both filled with `args`.
    fn add(
        &mut self,
        id: &'static str,
        status: Status,
        key: &str,
        args: &[(&str, &str)],
    ) -> &mut Check {
        let (m, rk) = (format!("doctor.{key}"), format!("doctor.{key}.remedy"));
        let (remedy, remedy_local) = match status {
            Status::Warn | Status::Fail => (self.msg.english(&rk, args), self.msg.get(&rk, args)),
            _ => (String::new(), String::new()),
        };
        let i = self.checks.len();
        self.checks.push(Check {
            id,
            target: None,
            status,
            message: self.msg.english(&m, args),
            message_local: self.msg.get(&m, args),
            remedy,
            remedy_local,
            fields: Map::new(),
        });
        &mut self.checks[i]
    }
}

pub fn run(args: Args, msg: &Messages) -> u8 {
    let found = match config::find(args.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return refused(&e, args.json, msg),
    };
    let path = found.path.display().to_string();
    let mut r = Report {
        msg,
        checks: Vec::new(),
    };
    check_user(&mut r, &found.path, args.json);
    let config = check_config(&mut r, &found, &path);
    check_config_mode(&mut r, &path, found.mode);
    if let Some(c) = &config {
        let (s, cache_refusal) = TransportSettings::from_config(c);
        check_telegram(&mut r, &found, c);
        let targets = check_urls(&mut r, c, &s, &path);
        check_key_file(&mut r, found.key_file.as_ref());
        check_credentials(&mut r, &s);
        check_tls(&mut r, &s, c, &targets);
        check_cache_and_log(&mut r, c, &s, cache_refusal);
        check_journal(&mut r, c);
        if args.ping {
            check_ping(
                &mut r,
                &found,
                args.merchant_id.as_deref().unwrap_or_default(),
            );
        }
    }
    print(&r, &path, args.json);
    if r.checks.iter().any(|c| c.status == Status::Fail) {
        1
    } else {
        0
    }
}

/// No configuration to check (none found, unreadable, or refused): the reason with its remedy
/// on stderr and, with `--json`, the same as a JSON object on stdout — a monitoring job gets
/// JSON whatever happens. Exit 2.
fn refused(e: &config::NotFound, as_json: bool, msg: &Messages) -> u8 {
    let args: Vec<(&str, &str)> = e.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let local = msg.get(e.key, &args);
    eprintln!("{local}");
    if as_json {
        let path = e
            .args
            .iter()
            .find(|(k, _)| *k == "path")
            .map(|(_, v)| v.clone());
        let english = msg.english(e.key, &args);
        let check = json!({
            "id": "config.file",
            "target": null,
            "status": "fail",
            "message": english,
            "message_local": local,
            "remedy": "",
            "remedy_local": "",
            "reason": e.key,
        });
        let mut top = head(msg, path.as_deref());
        top.insert(
            "error".into(),
            json!({"reason": e.key, "message": english, "message_local": local}),
        );
        top.insert("checks".into(), json!([check]));
        top.insert("failures".into(), json!(1));
        top.insert("warnings".into(), json!(0));
        println!("{}", Value::Object(top));
    }
    2
}

/// The fields every `--json` object starts with.
fn head(msg: &Messages, config: Option<&str>) -> Map<String, Value> {
    let lang = match msg.lang() {
        Lang::En => "en",
        Lang::Ja => "ja",
    };
    let mut m = Map::new();
    m.insert("schema".into(), json!(SCHEMA));
    m.insert("command".into(), json!("doctor"));
    m.insert("version".into(), json!(paygent_core::VERSION));
    m.insert("lang".into(), json!(lang));
    m.insert("config".into(), json!(config));
    m
}

/// Running as root: a warning (files the modules later write would be root's). On stderr as
/// well with `--json` (main.rs says it for the other commands); the text report has the line.
fn check_user(r: &mut Report, config: &Path, as_json: bool) {
    let uid = crate::user::euid();
    if uid != 0 {
        let id = uid.to_string();
        r.add("process.user", Status::Ok, "user.ok", &[("uid", &id)])
            .field("uid", uid);
        return;
    }
    let user = crate::user::suggested(Some(config));
    let (key, name) = match &user {
        Some(u) => ("user.root", u.as_str()),
        None => ("user.root_unknown", ""),
    };
    if as_json {
        if let Some(w) = crate::user::root_warning(Some(config), r.msg) {
            eprintln!("{w}");
        }
    }
    r.add("process.user", Status::Warn, key, &[("user", name)])
        .field("uid", uid)
        .field("run_as", user);
}

/// The module's own checks of a telegram (core's pipeline, nothing sent): `timeout_value` and
/// `select_max_cnt` are checked only there, so a file with `timeout_value=0` reads as valid
/// and yet every telegram fails with E02001.
fn check_telegram(r: &mut Report, found: &config::Found, c: &Config) {
    let mut m = paygent_core::Module::new(found.dialect, found.source.clone());
    m.req_put(b"telegram_kind", b"094");
    let (t, n) = (
        String::from_utf8_lossy(&c.timeout_value).into_owned(),
        String::from_utf8_lossy(&c.select_max_cnt).into_owned(),
    );
    match m.dry_run() {
        Err(e) if e.code == paygent_core::ErrorCode::ModuleParamRequired => {
            let error = String::from_utf8_lossy(&e.warning_text(found.dialect)).into_owned();
            let (english, local) = (
                crate::remedy::english(&e, r.msg),
                crate::remedy::line(&e, r.msg),
            );
            let check = r.add(
                "config.telegram",
                Status::Fail,
                "telegram.bad",
                &[("error", &error)],
            );
            check.remedy = english;
            check.remedy_local = local;
            check
                .field("code", e.code.as_str())
                .field("timeout_value", t)
                .field("select_max_cnt", n);
        }
        _ => {
            r.add(
                "config.telegram",
                Status::Ok,
                "telegram.ok",
                &[("timeout", &t), ("max", &n)],
            )
            .field("timeout_value", t.clone())
            .field("select_max_cnt", n.clone());
        }
    }
}

fn check_config(
    r: &mut Report,
    found: &config::Found,
    path: &str,
) -> Option<std::sync::Arc<Config>> {
    if found.dialect == Dialect::Php {
        for (line, key) in keys_with_lines(&found.text) {
            if key.starts_with(b"<?") || is_known_key(&key) {
                continue;
            }
            let key = String::from_utf8_lossy(&key).into_owned();
            let near = KEYS
                .iter()
                .map(|k| format!("{PREFIX}{k}"))
                .min_by_key(|k| strsim::levenshtein(k, &key))
                .unwrap_or_default();
            let n = line;
            let line = line.to_string();
            r.add(
                "config.parse",
                Status::Warn,
                "config.unknown",
                &[
                    ("path", path),
                    ("line", &line),
                    ("key", &key),
                    ("near", &near),
                ],
            )
            .target(format!("line {line}"))
            .field("line", n)
            .field("key", key.clone())
            .field("near", near.clone());
        }
    }
    match found.source.load() {
        Ok(c) => {
            r.add("config.parse", Status::Ok, "config.ok", &[("path", path)])
                .field("path", path)
                .field("dialect", dialect(found.dialect));
            Some(c)
        }
        Err(e) => {
            let text = String::from_utf8_lossy(&e.warning_text(found.dialect)).into_owned();
            // The official code names no key: find the line that makes the file invalid.
            let file = &found.text;
            let culprit = (found.dialect == Dialect::Php)
                .then(|| first_invalid_key(&parse(file, false), false))
                .flatten()
                .and_then(|key| {
                    keys_with_lines(file)
                        .into_iter()
                        .rev()
                        .find(|(_, k)| *k == key)
                });
            match culprit {
                Some((line, key)) => {
                    let (line, key) =
                        (line.to_string(), String::from_utf8_lossy(&key).into_owned());
                    let args = [
                        ("path", path),
                        ("error", &text),
                        ("line", &line),
                        ("key", &key),
                    ];
                    r.add("config.parse", Status::Fail, "config.invalid_at", &args)
                        .field("line", line.parse::<u64>().unwrap_or_default())
                        .field("key", key.clone());
                }
                None => {
                    let args = [("path", path), ("error", text.as_str())];
                    r.add("config.parse", Status::Fail, "config.invalid", &args);
                }
            }
            None
        }
    }
}

/// One URL a telegram can go to, and the URL keys (`url.<key>`, `%url`) that lead there.
struct Endpoint {
    url: Vec<u8>,
    keys: Vec<String>,
    /// From the built-in production table: the Perl file names no URL for these keys
    /// (decisions.md 5).
    shipped: bool,
}

/// Every URL a telegram can go to, by URL key, as core resolves a telegram kind: the file's
/// keys, and for a Perl configuration every key of the built-in production table too (a kind
/// the file names no URL for goes there).
fn endpoints(c: &Config) -> Vec<Endpoint> {
    let mut keys: Vec<Vec<u8>> = c.urls.iter().map(|(k, _)| k.clone()).collect();
    if c.fallback_to_shipped_urls {
        keys.extend(
            SHIPPED_PRODUCTION
                .iter()
                .map(|(k, _)| k.as_bytes().to_vec()),
        );
    }
    // The same configuration without the fallback: what the file itself resolves.
    let mut own = c.clone();
    own.fallback_to_shipped_urls = false;
    let mut seen = HashSet::new();
    let mut out: Vec<Endpoint> = Vec::new();
    for key in keys {
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(url) = c.url_for_kind(&key) else {
            continue;
        };
        let shipped = own.url_for_kind(&key).is_none();
        let key = String::from_utf8_lossy(&key).into_owned();
        match out
            .iter_mut()
            .find(|e| e.url == url && e.shipped == shipped)
        {
            Some(e) => e.keys.push(key),
            None => out.push(Endpoint {
                url: url.to_vec(),
                keys: vec![key],
                shipped,
            }),
        }
    }
    out
}

/// `host:port` of an https URL (`None` for another scheme).
fn host_port_of(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    Some(
        if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_string()
        } else {
            format!("{authority}:443")
        },
    )
}

fn split_host_port(host_port: &str) -> (String, u16) {
    match host_port.rsplit_once(':') {
        Some((h, p)) => (
            h.trim_start_matches('[').trim_end_matches(']').to_string(),
            p.parse().unwrap_or(443),
        ),
        None => (host_port.to_string(), 443),
    }
}

/// PAYGENT's production hosts: those of the built-in production table.
fn is_production(host_port: &str) -> bool {
    let (host, _) = split_host_port(host_port);
    SHIPPED_PRODUCTION.iter().any(|(_, u)| {
        host_port_of(u).is_some_and(|hp| split_host_port(&hp).0.eq_ignore_ascii_case(&host))
    })
}

/// Every URL a telegram can go to (`urls`, one line per URL), production ones marked and, when
/// some go to production and others not, a warning (`urls.production`); each host:port
/// resolved once (`dns`). Returns the distinct (url, host:port) to connect to.
fn check_urls(
    r: &mut Report,
    c: &Config,
    s: &TransportSettings,
    path: &str,
) -> Vec<(Vec<u8>, String)> {
    let list = endpoints(c);
    let mut production: Vec<&str> = Vec::new();
    let mut shipped: Vec<&str> = Vec::new();
    let mut elsewhere: Vec<String> = Vec::new();
    for e in &list {
        let url = String::from_utf8_lossy(&e.url).into_owned();
        let keys = e.keys.join(", ");
        let Some(hp) = host_port_of(&url) else {
            r.add(
                "urls",
                Status::Fail,
                "urls.not_https",
                &[("url", &url), ("keys", &keys)],
            )
            .target(url.clone())
            .field("url", url.clone())
            .field("keys", e.keys.clone());
            continue;
        };
        let prod = is_production(&hp);
        let key = match (e.shipped, prod) {
            (true, _) => "urls.shipped",
            (false, true) => "urls.production_url",
            (false, false) => "urls.url",
        };
        r.add(
            "urls",
            Status::Ok,
            key,
            &[("url", &url), ("keys", &keys), ("path", path)],
        )
        .target(url.clone())
        .field("url", url.clone())
        .field("keys", e.keys.clone())
        .host_port(&hp)
        .field("production", prod)
        .field("shipped", e.shipped);
        if prod {
            production.extend(e.keys.iter().map(String::as_str));
            if e.shipped {
                shipped.extend(e.keys.iter().map(String::as_str));
            }
        } else if !elsewhere.contains(&hp) {
            elsewhere.push(hp);
        }
    }
    if !production.is_empty() {
        let (p, sh, hosts) = (
            production.join(", "),
            shipped.join(", "),
            elsewhere.join(", "),
        );
        let args = [
            ("keys", p.as_str()),
            ("shipped", sh.as_str()),
            ("hosts", hosts.as_str()),
            ("path", path),
        ];
        let check = match (elsewhere.is_empty(), shipped.is_empty()) {
            (true, _) => r.add("urls.production", Status::Ok, "urls.all_production", &args),
            (false, false) => r.add("urls.production", Status::Warn, "urls.mixed_shipped", &args),
            (false, true) => r.add("urls.production", Status::Warn, "urls.mixed", &args),
        };
        check
            .field("production_keys", production.clone())
            .field("shipped_keys", shipped.clone())
            .field("other_hosts", elsewhere.clone());
    }
    // One name resolution per host:port, however many URLs share it.
    let mut targets: Vec<(Vec<u8>, String)> = Vec::new();
    let mut seen = HashSet::new();
    for e in &list {
        let url = String::from_utf8_lossy(&e.url).into_owned();
        let Some(hp) = host_port_of(&url) else {
            continue;
        };
        if !seen.insert(hp.clone()) {
            continue;
        }
        if let Some(proxy) = &s.proxy {
            // The proxy resolves the gateway's name (CONNECT host:port).
            let via = format!("{}:{}", String::from_utf8_lossy(&proxy.host), proxy.port);
            r.add(
                "dns",
                Status::Skip,
                "dns.proxy",
                &[("host", &hp), ("proxy", &via)],
            )
            .target(hp.clone())
            .host_port(&hp);
            targets.push((e.url.clone(), hp));
            continue;
        }
        match hp.to_socket_addrs().map(|mut a| a.next()) {
            Ok(Some(addr)) => {
                let a = addr.ip().to_string();
                r.add(
                    "dns",
                    Status::Ok,
                    "dns.ok",
                    &[("host", &hp), ("address", &a)],
                )
                .target(hp.clone())
                .host_port(&hp)
                .field("address", a.clone());
                targets.push((e.url.clone(), hp));
            }
            _ => {
                r.add("dns", Status::Fail, "urls.unresolved", &[("host", &hp)])
                    .target(hp.clone())
                    .host_port(&hp);
            }
        }
    }
    targets
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// ok / warn (within 30 days) / fail (not yet valid, expired) for a certificate's dates.
fn dates<'r>(r: &'r mut Report, id: &'static str, cert: &probe::CertificateFacts) -> &'r mut Check {
    let days = (cert.not_after - now()).div_euclid(86_400);
    let (until, left) = (cert.not_after_text.clone(), days.to_string());
    let args = [
        ("subject", cert.subject.as_str()),
        ("until", until.as_str()),
        ("days", left.as_str()),
    ];
    let check = if now() < cert.not_before {
        r.add(id, Status::Fail, "cert.not_yet", &args)
    } else if now() >= cert.not_after {
        r.add(id, Status::Fail, "cert.expired", &args)
    } else if days < 30 {
        r.add(id, Status::Warn, "cert.expiring", &args)
    } else {
        r.add(id, Status::Ok, "cert.valid", &args)
    };
    check
        .field("days_left", days)
        .field("not_before", cert.not_before)
        .field("not_after", cert.not_after)
        .field("subject", cert.subject.clone())
}

/// The configuration file's mode (checked on its descriptor by [`config::find`]): readable by
/// others is a warning — it holds the connect password and the key passphrase.
fn check_config_mode(r: &mut Report, path: &str, mode: u32) {
    let m = format!("{mode:04o}");
    let args = [("path", path), ("mode", m.as_str())];
    let check = if mode & 0o004 != 0 {
        let key = "perm.config_readable";
        r.add("config.permissions", Status::Warn, key, &args)
    } else {
        let key = "perm.config_ok";
        r.add("config.permissions", Status::Ok, key, &args)
    };
    check.field("path", path).field("mode", m.clone());
}

/// The client key file (checked on its descriptor by [`config::find`]): readable by others is a
/// warning — the key must be private.
fn check_key_file(r: &mut Report, key_file: Option<&(PathBuf, u32)>) {
    let Some((path, mode)) = key_file else {
        return;
    };
    let (shown, m) = (path.display().to_string(), format!("{mode:04o}"));
    let args = [("path", shown.as_str()), ("mode", m.as_str())];
    let check = if mode & 0o004 != 0 {
        r.add(
            "client_cert.permissions",
            Status::Warn,
            "perm.key_readable",
            &args,
        )
    } else {
        r.add("client_cert.permissions", Status::Ok, "perm.key_ok", &args)
    };
    check.field("path", shown.clone()).field("mode", m.clone());
}

fn check_credentials(r: &mut Report, s: &TransportSettings) {
    match probe::client_credential(s) {
        None => {
            r.add("client_cert.load", Status::Skip, "client.none", &[]);
        }
        Some(cred) => {
            match &cred.key {
                Ok(()) => r.add("client_cert.load", Status::Ok, "client.ok", &[]),
                Err(e) => r.add(
                    "client_cert.load",
                    Status::Fail,
                    "client.bad",
                    &[("error", &e.text)],
                ),
            };
            match cred.key_matches {
                Some(true) => r.add("client_cert.key_match", Status::Ok, "key.match", &[]),
                Some(false) => r.add("client_cert.key_match", Status::Fail, "key.mismatch", &[]),
                None => r.add("client_cert.key_match", Status::Skip, "key.unknown", &[]),
            };
            match &cred.certificate {
                Some(c) => {
                    dates(r, "client_cert.expiry", c);
                }
                None => {
                    r.add("client_cert.expiry", Status::Skip, "key.unknown", &[]);
                }
            }
        }
    }
    match probe::ca_certificates(s) {
        None => {
            r.add("ca.load", Status::Warn, "ca.none", &[]);
        }
        Some(Ok(n)) => {
            r.add("ca.load", Status::Ok, "ca.ok", &[("count", &n.to_string())])
                .field("count", n);
        }
        Some(Err(e)) => {
            r.add("ca.load", Status::Fail, "ca.bad", &[("error", &e.text)]);
        }
    }
}

fn check_tls(r: &mut Report, s: &TransportSettings, c: &Config, targets: &[(Vec<u8>, String)]) {
    // Core's timeout: a timeout_value the module refuses (config.telegram says so) gives core's
    // default, the kit's 35 s.
    let timeout = c.timeout();
    for (url, host) in targets {
        match probe::handshake(s, url, timeout) {
            Ok(h) => {
                let (tcp, tls) = (
                    format!("{:.1}", ms(h.connect)),
                    format!("{:.1}", ms(h.handshake)),
                );
                r.add(
                    "tls.connect",
                    Status::Ok,
                    "tls.ok",
                    &[
                        ("host", host),
                        ("tcp", &tcp),
                        ("version", &h.version),
                        ("cipher", &h.cipher),
                        ("tls", &tls),
                    ],
                )
                .target(host.clone())
                .host_port(host)
                .field("tcp_ms", rounded(ms(h.connect)))
                .field("handshake_ms", rounded(ms(h.handshake)))
                .field("tls_version", h.version.clone())
                .field("cipher", h.cipher.clone());
                let check = if s.verify_host && s.ca_file.is_some() {
                    r.add("tls.server_name", Status::Ok, "name.ok", &[("host", host)])
                } else {
                    r.add(
                        "tls.server_name",
                        Status::Warn,
                        "name.off",
                        &[("host", host)],
                    )
                };
                check.target(host.clone()).host_port(host);
                let check = match &h.server_certificate {
                    Some(cert) => dates(r, "tls.server_cert_expiry", cert),
                    None => r.add("tls.server_cert_expiry", Status::Skip, "key.unknown", &[]),
                };
                check.target(host.clone()).host_port(host);
            }
            Err(e) if e.errno == 60 && e.text.to_ascii_lowercase().contains("mismatch") => {
                r.add(
                    "tls.connect",
                    Status::Fail,
                    "tls.failed",
                    &[("host", host), ("error", &e.text)],
                )
                .target(host.clone())
                .host_port(host)
                .field("errno", e.errno)
                .field("error", e.text.clone());
                r.add(
                    "tls.server_name",
                    Status::Fail,
                    "name.mismatch",
                    &[("host", host)],
                )
                .target(host.clone())
                .host_port(host);
            }
            Err(e) => {
                let key = match e.errno {
                    60 => "tls.untrusted",
                    58 | 77 => "tls.credentials",
                    _ => "tls.failed",
                };
                r.add(
                    "tls.connect",
                    Status::Fail,
                    key,
                    &[("host", host), ("error", &e.text)],
                )
                .target(host.clone())
                .host_port(host)
                .field("errno", e.errno)
                .field("error", e.text.clone());
            }
        }
    }
    // How the server asks for the certificate: an empty POST to the path (not a telegram).
    for (url, host) in targets {
        let (check, how) = match probe::client_auth(s, url, timeout) {
            Ok(probe::ClientAuth::Handshake) => (
                r.add(
                    "tls.client_auth",
                    Status::Ok,
                    "auth.handshake",
                    &[("host", host)],
                ),
                Some("handshake"),
            ),
            Ok(how @ (probe::ClientAuth::Renegotiation | probe::ClientAuth::PostHandshake)) => {
                let (key, name) = if how == probe::ClientAuth::Renegotiation {
                    ("auth.renegotiation", "renegotiation")
                } else {
                    ("auth.post_handshake", "post_handshake")
                };
                // rustls can neither renegotiate nor answer a post-handshake request.
                let status = if s.backend == TlsBackend::Rustls {
                    Status::Fail
                } else {
                    Status::Ok
                };
                (
                    r.add("tls.client_auth", status, key, &[("host", host)]),
                    Some(name),
                )
            }
            Ok(probe::ClientAuth::NotAsked) => (
                r.add(
                    "tls.client_auth",
                    Status::Warn,
                    "auth.not_asked",
                    &[("host", host)],
                ),
                Some("not_asked"),
            ),
            // No HTTP answer over a connection with our certificate: it was refused (a TLS 1.3
            // alert after the handshake) or nothing can be sent; payments would fail as well.
            Err(e) => {
                let check = r.add(
                    "tls.client_auth",
                    Status::Fail,
                    "auth.unknown",
                    &[("host", host), ("error", &e.text)],
                );
                check.field("errno", e.errno).field("error", e.text.clone());
                (check, None)
            }
        };
        check
            .target(host.clone())
            .host_port(host)
            .field("asked", how);
    }
}

/// Milliseconds to a tenth.
fn rounded(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

fn dialect(d: Dialect) -> &'static str {
    match d {
        Dialect::Php => "php",
        Dialect::Perl => "perl",
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn check_cache_and_log(r: &mut Report, c: &Config, s: &TransportSettings, refusal: Option<String>) {
    match (refusal, &s.session_cache_dir) {
        (Some(why), _) => {
            r.add("cache_dir", Status::Warn, "cache.refused", &[("why", &why)]);
        }
        (None, None) => {
            r.add("cache_dir", Status::Ok, "cache.off", &[]);
        }
        (None, Some(dir)) => {
            let dir = String::from_utf8_lossy(dir.path()).into_owned();
            r.add("cache_dir", Status::Ok, "cache.ok", &[("dir", &dir)])
                .field("dir", dir.clone());
        }
    }
    let log = String::from_utf8_lossy(&c.log_output_path)
        .trim()
        .to_string();
    if log.is_empty() {
        r.add("log_file", Status::Ok, "log.none", &[]);
        return;
    }
    let p = std::path::Path::new(&log);
    let dir_ok = p
        .parent()
        .is_some_and(|d| d.as_os_str().is_empty() || d.is_dir());
    if !dir_ok {
        r.add("log_file", Status::Fail, "log.no_dir", &[("path", &log)]);
        return;
    }
    use std::os::unix::fs::MetadataExt;
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => {
            r.add("log_file", Status::Fail, "log.link", &[("path", &log)]);
            return;
        }
        Ok(m) if m.mode() & 0o077 != 0 => {
            let mode = format!("{:04o}", m.mode() & 0o777);
            r.add(
                "log_file",
                Status::Warn,
                "log.mode",
                &[("path", &log), ("mode", &mode)],
            );
        }
        _ if !writable(p) => {
            r.add(
                "log_file",
                Status::Fail,
                "log.not_writable",
                &[("path", &log)],
            );
        }
        _ => {
            r.add("log_file", Status::Ok, "log.ok", &[("path", &log)])
                .field("path", log.clone());
        }
    }
    if c.debug_flg {
        r.add(
            "log_file.debug",
            Status::Warn,
            "log.debug",
            &[("path", &log)],
        );
    }
}

/// The journal of maybe_sent telegrams (`journal_dir`, core journal.rs): `journal_dir` says
/// whether the directory is usable, and why not (missing, owner or mode, a link, not writable
/// by this user); `journal.pending` counts the records `paygent confirm --pending` has not
/// resolved yet. Nothing is created: the default directory may not exist yet.
fn check_journal(r: &mut Report, c: &Config) {
    use paygent_core::journal::{self, Line, Location};
    let dir = match journal::locate(c) {
        Ok(Location::Off) => {
            r.add("journal_dir", Status::Ok, "journal.off", &[]);
            return;
        }
        Ok(Location::Absent(path)) => {
            r.add(
                "journal_dir",
                Status::Ok,
                "journal.absent",
                &[("dir", &path)],
            )
            .field("dir", path.clone());
            r.add("journal.pending", Status::Ok, "journal.none_pending", &[])
                .field("pending", 0);
            return;
        }
        Err(why) => {
            r.add(
                "journal_dir",
                Status::Warn,
                "journal.refused",
                &[("why", &why)],
            );
            return;
        }
        Ok(Location::Dir(d)) => d,
    };
    let shown = String::from_utf8_lossy(dir.path()).into_owned();
    {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(dir.path()));
        if !path.is_dir() || !writable(path) {
            r.add(
                "journal_dir",
                Status::Warn,
                "journal.not_writable",
                &[("dir", &shown)],
            )
            .field("dir", shown.clone());
            return;
        }
    }
    let journal = match journal::read(&dir) {
        Ok(j) => j,
        Err(why) => {
            r.add(
                "journal_dir",
                Status::Warn,
                "journal.unreadable",
                &[("dir", &shown), ("why", &why)],
            )
            .field("dir", shown.clone());
            return;
        }
    };
    r.add("journal_dir", Status::Ok, "journal.ok", &[("dir", &shown)])
        .field("dir", shown.clone());
    let pending: Vec<&Line> = journal.pending().collect();
    if pending.is_empty() {
        r.add("journal.pending", Status::Ok, "journal.none_pending", &[])
            .field("pending", 0);
        return;
    }
    let oldest = pending
        .iter()
        .filter_map(|l| match l {
            Line::Entry(e) => Some(e.time),
            Line::Unreadable(_) => None,
        })
        .min();
    let minutes = oldest.map_or_else(
        || "?".to_string(),
        |t| (journal::now_secs().saturating_sub(t) / 60).to_string(),
    );
    let count = pending.len().to_string();
    let check = r.add(
        "journal.pending",
        Status::Warn,
        "journal.pending",
        &[("count", &count), ("minutes", &minutes), ("dir", &shown)],
    );
    check.field("pending", pending.len());
    if let Some(t) = oldest {
        check.field("oldest_time", t);
    }
}

/// The file (or, before it exists, its directory) is writable by this user.
fn writable(p: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let target = if p.exists() {
        p.to_path_buf()
    } else {
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| ".".into(), |d| d.to_path_buf())
    };
    let Ok(c) = std::ffi::CString::new(target.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

fn check_ping(r: &mut Report, found: &config::Found, merchant_id: &str) {
    use paygent_core::ping::{Proof, Step};
    let ping =
        paygent_core::ping::ping(found.dialect, found.source.clone(), merchant_id.as_bytes());
    let Some(answer) = &ping.answer else {
        let error = ping.error.as_deref().map(sjis).unwrap_or_default();
        r.add(
            "gateway.ping",
            Status::Fail,
            "ping.failed",
            &[("error", &error)],
        );
        return;
    };
    // Each step the gateway checks, reported on its own (core/src/ping.rs has the table).
    for (step, proof) in &ping.steps {
        let (id, name) = match step {
            Step::IpAllowList => ("gateway.ip_allow_list", "ping.step.ip"),
            Step::Certificate => ("gateway.certificate", "ping.step.certificate"),
            Step::Url => ("gateway.url", "ping.step.url"),
            Step::ConnectCredentials => ("gateway.connect_id", "ping.step.connect_id"),
            Step::MerchantId => ("gateway.merchant_id", "ping.step.merchant_id"),
        };
        let what = r.msg.get(name, &[]);
        let args = [("what", what.as_str()), ("answer", answer.as_str())];
        let check = match proof {
            Proof::Accepted => r.add(id, Status::Ok, "ping.accepted", &args),
            Proof::Refused => r.add(id, Status::Fail, "ping.refused", &args),
            Proof::NotChecked => r.add(id, Status::Skip, "ping.not_checked", &args),
        };
        check.field("answer", answer.clone());
    }
    let (status, key) = match ping.overall() {
        Proof::Accepted => (Status::Ok, "ping.ok"),
        Proof::Refused => (Status::Fail, "ping.refused_summary"),
        Proof::NotChecked => (Status::Warn, "ping.partly"),
    };
    r.add("gateway.ping", status, key, &[("answer", answer.as_str())])
        .field("answer", answer.clone());
}

fn sjis(b: &[u8]) -> String {
    encoding_rs::SHIFT_JIS.decode(b).0.into_owned()
}

fn print(r: &Report, path: &str, as_json: bool) {
    let failures = r.checks.iter().filter(|c| c.status == Status::Fail).count();
    let warnings = r.checks.iter().filter(|c| c.status == Status::Warn).count();
    if as_json {
        let checks: Vec<Value> = r
            .checks
            .iter()
            .map(|c| {
                let status = match c.status {
                    Status::Ok => "ok",
                    Status::Warn => "warn",
                    Status::Fail => "fail",
                    Status::Skip => "skip",
                };
                let mut o = Map::new();
                o.insert("id".into(), json!(c.id));
                o.insert("target".into(), json!(c.target));
                o.insert("status".into(), json!(status));
                o.insert("message".into(), json!(c.message));
                o.insert("message_local".into(), json!(c.message_local));
                o.insert("remedy".into(), json!(c.remedy));
                o.insert("remedy_local".into(), json!(c.remedy_local));
                for (k, v) in &c.fields {
                    o.entry(k.clone()).or_insert_with(|| v.clone());
                }
                Value::Object(o)
            })
            .collect();
        let mut top = head(r.msg, Some(path));
        top.insert("checks".into(), checks.into());
        top.insert("failures".into(), failures.into());
        top.insert("warnings".into(), warnings.into());
        println!("{}", Value::Object(top));
        return;
    }
    println!("{}", r.msg.get("config.used", &[("path", path)]));
    for c in &r.checks {
        let mark = match c.status {
            Status::Ok => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Skip => "-",
        };
        println!("{mark} {:<24} {}", c.id, c.message_local);
        if !c.remedy_local.is_empty() {
            println!("  {:<24} → {}", "", c.remedy_local);
        }
    }
    let (f, w) = (failures.to_string(), warnings.to_string());
    println!(
        "{}",
        r.msg
            .get("doctor.summary", &[("failures", &f), ("warnings", &w)])
    );
}
