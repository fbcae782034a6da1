//! `paygent doctor`: every check of a merchant's set-up, one line each with a remedy. The
//! facts come from paygent-core (the config parsers, `transport::probe`, the 094 inquiry);
//! this file decides what is ok, a warning or a failure, and says it.

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paygent_core::Dialect;
use paygent_core::config::properties::{
    KEYS, first_invalid_key, is_known_key, keys_with_lines, parse,
};
use paygent_core::config::{Config, PREFIX, TlsBackend};
use paygent_core::transport::{TransportSettings, probe};
use serde_json::json;

use crate::config;
use crate::i18n::Messages;

/// Exit codes: 0 no failure (warnings allowed); 1 at least one failure; 2 the configuration
/// file could not be found or read, or it (or the client key or certificate file) is one
/// other users could have written.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 no failure (warnings allowed); 1 at least one check \
failed; 2 the configuration file could not be found or read, or it (or the client key or \
certificate file) could have been written by other users."
)]
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

struct Check {
    id: &'static str,
    status: Status,
    message: String,
    remedy: String,
}

struct Report<'a> {
    msg: &'a Messages,
    checks: Vec<Check>,
}

impl Report<'_> {
    fn add(&mut self, id: &'static str, status: Status, key: &str, args: &[(&str, &str)]) {
        let message = self.msg.get(&format!("doctor.{key}"), args);
        let remedy = match status {
            Status::Warn | Status::Fail => self.msg.get(&format!("doctor.{key}.remedy"), args),
            _ => String::new(),
        };
        self.checks.push(Check {
            id,
            status,
            message,
            remedy,
        });
    }
}

pub fn run(args: Args, msg: &Messages) -> u8 {
    let Some(found) = config::find_for_command(args.config.as_deref(), msg, true) else {
        return 2;
    };
    let path = found.path.display().to_string();
    let mut r = Report {
        msg,
        checks: Vec::new(),
    };
    let config = check_config(&mut r, &found, &path);
    check_config_mode(&mut r, &path, found.mode);
    if let Some(c) = &config {
        let (s, cache_refusal) = TransportSettings::from_config(c);
        let targets = check_urls(&mut r, c);
        check_key_file(&mut r, found.key_file.as_ref());
        check_credentials(&mut r, &s);
        check_tls(&mut r, &s, c, &targets);
        check_cache_and_log(&mut r, c, &s, cache_refusal);
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
            );
        }
    }
    match found.source.load() {
        Ok(c) => {
            r.add("config.parse", Status::Ok, "config.ok", &[("path", path)]);
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
                    r.add("config.parse", Status::Fail, "config.invalid_at", &args);
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

/// Distinct (url, host:port) of the configured endpoints.
fn check_urls(r: &mut Report, c: &Config) -> Vec<(Vec<u8>, String)> {
    let mut targets: Vec<(Vec<u8>, String)> = Vec::new();
    for (_, url) in &c.urls {
        let text = String::from_utf8_lossy(url).into_owned();
        let Some(rest) = text.strip_prefix("https://") else {
            r.add("urls", Status::Fail, "urls.not_https", &[("url", &text)]);
            continue;
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let host_port = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_string()
        } else {
            format!("{authority}:443")
        };
        if targets.iter().any(|(_, hp)| *hp == host_port) {
            continue;
        }
        if host_port
            .to_socket_addrs()
            .map_or(true, |mut a| a.next().is_none())
        {
            r.add(
                "urls",
                Status::Fail,
                "urls.unresolved",
                &[("host", &host_port)],
            );
            continue;
        }
        targets.push((url.clone(), host_port));
    }
    let list: Vec<&str> = targets.iter().map(|(_, hp)| hp.as_str()).collect();
    if !list.is_empty() {
        r.add(
            "urls",
            Status::Ok,
            "urls.ok",
            &[("hosts", &list.join(", "))],
        );
    }
    targets
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// ok / warn (within 30 days) / fail (not yet valid, expired) for a certificate's dates.
fn dates(r: &mut Report, id: &'static str, cert: &probe::CertificateFacts) {
    let days = (cert.not_after - now()).div_euclid(86_400);
    let (until, left) = (cert.not_after_text.clone(), days.to_string());
    let args = [
        ("subject", cert.subject.as_str()),
        ("until", until.as_str()),
        ("days", left.as_str()),
    ];
    if now() < cert.not_before {
        r.add(id, Status::Fail, "cert.not_yet", &args);
    } else if now() >= cert.not_after {
        r.add(id, Status::Fail, "cert.expired", &args);
    } else if days < 30 {
        r.add(id, Status::Warn, "cert.expiring", &args);
    } else {
        r.add(id, Status::Ok, "cert.valid", &args);
    }
}

/// The configuration file's mode (checked on its descriptor by [`config::find`]): readable by
/// others is a warning — it holds the connect password and the key passphrase.
fn check_config_mode(r: &mut Report, path: &str, mode: u32) {
    let m = format!("{mode:04o}");
    let args = [("path", path), ("mode", m.as_str())];
    if mode & 0o004 != 0 {
        let key = "perm.config_readable";
        r.add("config.permissions", Status::Warn, key, &args);
    } else {
        let key = "perm.config_ok";
        r.add("config.permissions", Status::Ok, key, &args);
    }
}

/// The client key file (checked on its descriptor by [`config::find`]): readable by others is a
/// warning — the key must be private.
fn check_key_file(r: &mut Report, key_file: Option<&(PathBuf, u32)>) {
    let Some((path, mode)) = key_file else {
        return;
    };
    let (shown, m) = (path.display().to_string(), format!("{mode:04o}"));
    let args = [("path", shown.as_str()), ("mode", m.as_str())];
    if mode & 0o004 != 0 {
        r.add(
            "client_cert.permissions",
            Status::Warn,
            "perm.key_readable",
            &args,
        );
    } else {
        r.add("client_cert.permissions", Status::Ok, "perm.key_ok", &args);
    }
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
            }
            match cred.key_matches {
                Some(true) => r.add("client_cert.key_match", Status::Ok, "key.match", &[]),
                Some(false) => r.add("client_cert.key_match", Status::Fail, "key.mismatch", &[]),
                None => r.add("client_cert.key_match", Status::Skip, "key.unknown", &[]),
            }
            match &cred.certificate {
                Some(c) => dates(r, "client_cert.expiry", c),
                None => r.add("client_cert.expiry", Status::Skip, "key.unknown", &[]),
            }
        }
    }
    match probe::ca_certificates(s) {
        None => r.add("ca.load", Status::Warn, "ca.none", &[]),
        Some(Ok(n)) => r.add("ca.load", Status::Ok, "ca.ok", &[("count", &n.to_string())]),
        Some(Err(e)) => r.add("ca.load", Status::Fail, "ca.bad", &[("error", &e.text)]),
    }
}

fn check_tls(r: &mut Report, s: &TransportSettings, c: &Config, targets: &[(Vec<u8>, String)]) {
    let timeout = Duration::from_secs_f64(
        std::str::from_utf8(&c.timeout_value)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(35.0),
    );
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
                );
                if s.verify_host && s.ca_file.is_some() {
                    r.add("tls.server_name", Status::Ok, "name.ok", &[("host", host)]);
                } else {
                    r.add(
                        "tls.server_name",
                        Status::Warn,
                        "name.off",
                        &[("host", host)],
                    );
                }
                match &h.server_certificate {
                    Some(cert) => dates(r, "tls.server_cert_expiry", cert),
                    None => r.add("tls.server_cert_expiry", Status::Skip, "key.unknown", &[]),
                }
            }
            Err(e) if e.errno == 60 && e.text.to_ascii_lowercase().contains("mismatch") => {
                r.add(
                    "tls.connect",
                    Status::Fail,
                    "tls.failed",
                    &[("host", host), ("error", &e.text)],
                );
                r.add(
                    "tls.server_name",
                    Status::Fail,
                    "name.mismatch",
                    &[("host", host)],
                );
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
                );
            }
        }
    }
    // How the server asks for the certificate: an empty POST to the path (not a telegram).
    for (url, host) in targets {
        match probe::client_auth(s, url, timeout) {
            Ok(probe::ClientAuth::Handshake) => r.add(
                "tls.client_auth",
                Status::Ok,
                "auth.handshake",
                &[("host", host)],
            ),
            Ok(how @ (probe::ClientAuth::Renegotiation | probe::ClientAuth::PostHandshake)) => {
                let key = if how == probe::ClientAuth::Renegotiation {
                    "auth.renegotiation"
                } else {
                    "auth.post_handshake"
                };
                // rustls can neither renegotiate nor answer a post-handshake request.
                let status = if s.backend == TlsBackend::Rustls {
                    Status::Fail
                } else {
                    Status::Ok
                };
                r.add("tls.client_auth", status, key, &[("host", host)]);
            }
            Ok(probe::ClientAuth::NotAsked) => r.add(
                "tls.client_auth",
                Status::Warn,
                "auth.not_asked",
                &[("host", host)],
            ),
            // No HTTP answer over a connection with our certificate: it was refused (a TLS 1.3
            // alert after the handshake) or nothing can be sent; payments would fail as well.
            Err(e) => r.add(
                "tls.client_auth",
                Status::Fail,
                "auth.unknown",
                &[("host", host), ("error", &e.text)],
            ),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn check_cache_and_log(r: &mut Report, c: &Config, s: &TransportSettings, refusal: Option<String>) {
    match (refusal, &s.session_cache_dir) {
        (Some(why), _) => r.add("cache_dir", Status::Warn, "cache.refused", &[("why", &why)]),
        (None, None) => r.add("cache_dir", Status::Ok, "cache.off", &[]),
        (None, Some(dir)) => {
            let dir = String::from_utf8_lossy(dir.path()).into_owned();
            r.add("cache_dir", Status::Ok, "cache.ok", &[("dir", &dir)]);
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
        _ => r.add("log_file", Status::Ok, "log.ok", &[("path", &log)]),
    }
    if c.debug_flg {
        r.add("log_file", Status::Warn, "log.debug", &[("path", &log)]);
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
        match proof {
            Proof::Accepted => r.add(id, Status::Ok, "ping.accepted", &args),
            Proof::Refused => r.add(id, Status::Fail, "ping.refused", &args),
            Proof::NotChecked => r.add(id, Status::Skip, "ping.not_checked", &args),
        }
    }
    let (status, key) = match ping.overall() {
        Proof::Accepted => (Status::Ok, "ping.ok"),
        Proof::Refused => (Status::Fail, "ping.refused_summary"),
        Proof::NotChecked => (Status::Warn, "ping.partly"),
    };
    r.add("gateway.ping", status, key, &[("answer", answer.as_str())]);
}

fn sjis(b: &[u8]) -> String {
    encoding_rs::SHIFT_JIS.decode(b).0.into_owned()
}

fn print(r: &Report, path: &str, as_json: bool) {
    let failures = r.checks.iter().filter(|c| c.status == Status::Fail).count();
    let warnings = r.checks.iter().filter(|c| c.status == Status::Warn).count();
    if as_json {
        let checks: Vec<_> = r
            .checks
            .iter()
            .map(|c| {
                let status = match c.status {
                    Status::Ok => "ok",
                    Status::Warn => "warn",
                    Status::Fail => "fail",
                    Status::Skip => "skip",
                };
                json!({"id": c.id, "status": status, "message": c.message, "remedy": c.remedy})
            })
            .collect();
        println!(
            "{}",
            json!({"config": path, "checks": checks, "failures": failures, "warnings": warnings})
        );
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
        println!("{mark} {:<24} {}", c.id, c.message);
        if !c.remedy.is_empty() {
            println!("  {:<24} → {}", "", c.remedy);
        }
    }
    let (f, w) = (failures.to_string(), warnings.to_string());
    println!(
        "{}",
        r.msg
            .get("doctor.summary", &[("failures", &f), ("warnings", &w)])
    );
}
