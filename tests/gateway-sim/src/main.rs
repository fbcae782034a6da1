//! `paygent-sim`: a loopback HTTPS server that requires a client certificate and answers like the
//! PAYGENT gateway (Windows-31J replies). TEST-ONLY: see README.md for the command line.

mod case;
mod gateway;
mod http;
mod record;
mod reply;
mod server;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `serve`.
pub struct ServeOptions {
    pub listen: String,
    pub pki: PathBuf,
    pub cases: Option<PathBuf>,
    pub record: Option<PathBuf>,
    /// Payments and notices kept across restarts: loaded at start, saved when changed and at
    /// SIGTERM/SIGINT.
    pub state: Option<PathBuf>,
    /// Rewritten with the number of TCP connections accepted so far, at each accept.
    pub connections: Option<PathBuf>,
    pub ready_file: Option<PathBuf>,
    pub tls: tls::Versions,
    pub client_auth: bool,
    pub exit_on_stdin_eof: bool,
    /// Notices with an id below this are purged as soon as they exist (091 success_code 2).
    pub purge_before: u64,
    /// Payments (and their 091 notices) made at start: `--seed-notices N`.
    pub seed_notices: u64,
    /// How many 201 polls answer 9103 before the result is ready.
    pub file_ready_after: u32,
    /// Idle seconds after which a kept-alive connection is closed by the server.
    pub keep_alive_timeout: u64,
    /// Do not announce `Keep-Alive: timeout=N` (a server that closes idle connections silently).
    pub no_keep_alive_header: bool,
}

const USAGE: &str = "usage:
  paygent-sim pki --out DIR
  paygent-sim serve --listen 127.0.0.1:0 --pki DIR [--cases DIR] [--record FILE] [--state FILE]
                    [--ready-file FILE] [--tls12-only|--tls13-only] [--no-client-auth]
                    [--exit-on-stdin-eof] [--purge-before N] [--seed-notices N]
                    [--file-ready-after N]
                    [--keep-alive-timeout SECS] [--no-keep-alive-header]
                    [--connections FILE]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("pki") => pki(&args[1..]),
        Some("serve") => parse_serve(&args[1..]).and_then(server::run),
        // `paygent-sim --cases DIR …` (no sub-command) means `serve`.
        Some(a) if a.starts_with("--") && a != "--help" => parse_serve(&args).and_then(server::run),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paygent-sim: {e}");
            ExitCode::from(2)
        }
    }
}

fn pki(args: &[String]) -> Result<(), String> {
    match args {
        [flag, dir] if flag == "--out" => {
            paygent_testpki::generate(&PathBuf::from(dir)).map_err(|e| format!("pki: {e}"))
        }
        _ => Err(USAGE.to_string()),
    }
}

fn parse_serve(args: &[String]) -> Result<ServeOptions, String> {
    let mut o = ServeOptions {
        listen: "127.0.0.1:0".into(),
        pki: PathBuf::new(),
        cases: None,
        record: None,
        state: None,
        connections: None,
        ready_file: None,
        tls: tls::Versions::Both,
        client_auth: true,
        exit_on_stdin_eof: false,
        purge_before: 0,
        seed_notices: 0,
        file_ready_after: 2,
        keep_alive_timeout: 15,
        no_keep_alive_header: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or(format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--listen" => o.listen = value()?,
            "--pki" => o.pki = value()?.into(),
            "--cases" => o.cases = Some(value()?.into()),
            "--record" => o.record = Some(value()?.into()),
            "--state" => o.state = Some(value()?.into()),
            "--connections" => o.connections = Some(value()?.into()),
            "--ready-file" => o.ready_file = Some(value()?.into()),
            "--purge-before" => o.purge_before = number(&value()?)?,
            "--seed-notices" => o.seed_notices = number(&value()?)?.min(1_000_000),
            "--file-ready-after" => o.file_ready_after = number(&value()?)? as u32,
            "--keep-alive-timeout" => o.keep_alive_timeout = number(&value()?)?.max(1),
            "--tls12-only" => o.tls = tls::Versions::Tls12,
            "--tls13-only" => o.tls = tls::Versions::Tls13,
            "--no-client-auth" => o.client_auth = false,
            "--exit-on-stdin-eof" => o.exit_on_stdin_eof = true,
            "--no-keep-alive-header" => o.no_keep_alive_header = true,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if o.pki.as_os_str().is_empty() {
        return Err(format!("--pki DIR is required\n{USAGE}"));
    }
    Ok(o)
}

fn number(s: &str) -> Result<u64, String> {
    s.parse().map_err(|_| format!("not a number: {s}"))
}
