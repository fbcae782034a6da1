//! The TLS matrix of decision 14 against a real Apache httpd (Debian apache2, tests/apache/
//! httpd.sh): client certificate asked in the initial handshake or per `<Location>` (TLS 1.2
//! renegotiation / TLS 1.3 post-handshake auth), each TLS 1.2-only and TLS 1.3-only.
//! The OpenSSL path must pass all four; rustls' results are printed (docs/tls.md records them).
//! Skipped, with a message, when apache2 is not installed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use paygent_core::config::TlsBackend;
use transport_support::*;

const MODES: [&str; 4] = [
    "initial TLS1.2",
    "location TLS1.2",
    "initial TLS1.3",
    "location TLS1.3",
];

struct Httpd {
    work: PathBuf,
    script: PathBuf,
}

impl Drop for Httpd {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .arg(&self.script)
            .arg("stop")
            .arg(&self.work)
            .status();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.work); // kept for diagnosis on failure
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start apache2 with the four modes plus a wrong-host vhost; `None` (skip; a failure under CI)
/// without apache2.
fn start_apache(name: &str) -> Option<(Httpd, Vec<u16>)> {
    let apache = std::env::var("APACHE").unwrap_or_else(|_| "/usr/sbin/apache2".into());
    if !Path::new(&apache).exists() {
        missing_real_part(
            name,
            &format!("{apache} not found (apt-get install apache2)"),
        );
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/apache/httpd.sh");
    // Under the system temp dir, not the target dir: Apache's children run CGI as `nobody`,
    // who must be able to traverse every parent of the cgi-bin (a checkout under /root is not).
    let work = std::env::temp_dir().join(format!("apache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    // Free ports are found by binding port 0 and letting go: another test (three start an
    // Apache at once) may take one in between, so a start that fails gets fresh ports.
    let mut attempt = 0;
    let (httpd, ports) = loop {
        attempt += 1;
        let ports: Vec<u16> = (0..5).map(|_| free_port()).collect();
        let status = Command::new("sh")
            .arg(&script)
            .arg("start")
            .arg(&work)
            .arg(pki())
            .args(ports.iter().map(|p| p.to_string()))
            .status()
            .unwrap();
        let httpd = Httpd {
            work: work.clone(),
            script: script.clone(),
        };
        if status.success() {
            break (httpd, ports);
        }
        assert!(attempt < 3, "apache2 did not start; see {}", work.display());
        drop(httpd); // stops what started, removes the work dir
        std::fs::create_dir_all(&work).unwrap();
    };
    let until = Instant::now() + Duration::from_secs(15);
    for p in &ports {
        while TcpStream::connect(("127.0.0.1", *p)).is_err() {
            assert!(Instant::now() < until, "apache2 not listening on {p}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    Some((httpd, ports))
}

#[test]
fn apache_tls_matrix() {
    let Some((_httpd, ports)) = start_apache("matrix") else {
        return;
    };
    let work = _httpd.work.clone();
    let mut failures = Vec::new();
    let mut table = String::from("backend  | mode            | keep-alive x2        | one-shot\n");
    for backend in BACKENDS {
        for (mode, port) in MODES.iter().zip(&ports) {
            let url = format!("https://localhost:{port}/cgi-bin/echo");
            let proto = if mode.ends_with("1.2") {
                "TLSv1.2"
            } else {
                "TLSv1.3"
            };
            let mut cells = Vec::new();
            for keep_alive in [true, false] {
                let mut s = settings(backend);
                s.keep_alive = keep_alive;
                let runs = if keep_alive { 2 } else { 1 };
                let mut cell = String::from("ok");
                for _ in 0..runs {
                    let outcome = post_body(&url, &s, b"a=1", Duration::from_secs(10));
                    let good = outcome.as_ref().is_ok_and(|r| {
                        let body = String::from_utf8_lossy(&r.body);
                        r.status == 200
                            && body.contains("cn=TEST merchant 000000\n")
                            && body.contains(&format!("proto={proto}\n"))
                            && body.contains("body=a=1")
                    });
                    if !good {
                        cell = match &outcome {
                            Ok(r) => format!("HTTP {}", r.status),
                            Err(e) => format!(
                                "errno {}: {}",
                                e.errno,
                                e.text.chars().take(60).collect::<String>()
                            ),
                        };
                        break;
                    }
                }
                let must_pass = backend == TlsBackend::OpenSsl || mode.starts_with("initial");
                if cell != "ok" && must_pass {
                    failures.push(format!(
                        "{backend:?} {mode} keep_alive={keep_alive}: {cell}"
                    ));
                }
                cells.push(cell);
            }
            table.push_str(&format!(
                "{:<8} | {mode:<15} | {:<20} | {}\n",
                format!("{backend:?}"),
                cells[0],
                cells[1]
            ));
        }
    }
    eprintln!("{table}");
    std::fs::write(work.join("matrix.txt"), &table).unwrap();
    assert!(failures.is_empty(), "{failures:#?}\n{table}");
}

/// The negative cases of the matrix, with the default configuration (OpenSSL path): each maps to
/// the official code, never to success. A per-`<Location>` refusal arrives as HTTP 403, which the
/// module turns into E02005 (decision 11).
#[test]
fn apache_negative_cases_map_to_their_codes() {
    use paygent_core::error::{Error, ErrorCode};
    let Some((_httpd, ports)) = start_apache("negative") else {
        return;
    };
    let code = |r: Result<paygent_core::transport::HttpReply, _>| match r {
        Ok(reply) if (200..=206).contains(&reply.status) => None,
        Ok(_) => Some(ErrorCode::KsConnect),
        Err(f) => Some(Error::transport(f, Vec::new()).code),
    };
    let url = |port: u16| format!("https://localhost:{port}/cgi-bin/echo");
    let base = settings(TlsBackend::OpenSsl);
    let mut failures = Vec::new();
    let mut check =
        |what: &str, s: &paygent_core::transport::TransportSettings, port: u16, want| {
            let got = code(post(&url(port), s));
            if got != Some(want) {
                failures.push(format!("{what} on port {port}: got {got:?}, want {want:?}"));
            }
        };
    for &port in &ports[..4] {
        let mut s = base.clone();
        s.client_file = None;
        check("no client certificate", &s, port, ErrorCode::KsConnect);
        let mut s = base.clone();
        s.client_file = Some(file("client-rogue.pem"));
        check(
            "client certificate from an unknown CA",
            &s,
            port,
            ErrorCode::KsConnect,
        );
        let mut s = base.clone();
        s.client_file = Some(file("client-expired.pem"));
        check("expired client certificate", &s, port, ErrorCode::KsConnect);
        let mut s = base.clone();
        s.ca_file = Some(file("rogue-ca.pem"));
        check("untrusted server CA", &s, port, ErrorCode::Certificate);
    }
    check(
        "host name mismatch",
        &base,
        ports[4],
        ErrorCode::Certificate,
    );
    let mut s = base.clone();
    s.verify_host = false;
    assert!(
        code(post(&url(ports[4]), &s)).is_none(),
        "verify_host=false accepts the wrong host"
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// TLS 1.2 with the certificate asked per `<Location>` (renegotiation), with the session cache:
/// the session the renegotiation makes is not stored (Apache gives it the location's session id
/// context, so a new connection could not resume it); the first handshake's session is, and every
/// later connection resumes it (a resumed handshake makes no new session, so the file is not
/// rewritten) before Apache renegotiates as usual.
#[test]
fn tls12_renegotiation_keeps_the_resumable_session_in_the_cache() {
    use std::os::unix::fs::MetadataExt;
    let Some((httpd, ports)) = start_apache("reneg-cache") else {
        return;
    };
    let port = ports[MODES.iter().position(|m| *m == "location TLS1.2").unwrap()];
    let sessions = httpd.work.join("sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let mut s = settings(TlsBackend::OpenSsl);
    s.keep_alive = false;
    s.session_cache_dir = Some(cache_dir(&sessions));
    let url = format!("https://localhost:{port}/cgi-bin/echo");
    let file = || {
        let files: Vec<_> = std::fs::read_dir(&sessions)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        std::fs::metadata(&files[0]).unwrap().ino()
    };
    let mut inodes = Vec::new();
    for round in 0..3 {
        let r = post_body(&url, &s, b"a=1", Duration::from_secs(10)).unwrap();
        let body = String::from_utf8_lossy(&r.body);
        assert!(
            r.status == 200 && body.contains("cn=TEST merchant 000000\n"),
            "round {round}: HTTP {} {body}",
            r.status
        );
        inodes.push(file());
    }
    assert_eq!(
        inodes[1], inodes[0],
        "the second connection did not resume the stored session"
    );
    assert_eq!(
        inodes[2], inodes[0],
        "the third connection did not resume the stored session"
    );
    let log = std::fs::read_to_string(httpd.work.join("error.log")).unwrap_or_default();
    assert_eq!(
        log.matches("Requesting connection re-negotiation").count(),
        3,
        "each connection was asked for the certificate by renegotiation"
    );
}
