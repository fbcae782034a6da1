//! Transport: mutual TLS is required, versions can be pinned, HTTP/1.x connection handling.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod common;

use std::io::{Read, Write};

use common::*;
use openssl::ssl::SslVersion;

const ATM: &[(&str, &[u8])] = &[("payment_amount", b"1000"), ("trading_id", b"T-1")];

#[test]
fn without_a_client_certificate_the_handshake_or_first_read_fails() {
    let sim = Sim::start(&[]);
    for v in [SslVersion::TLS1_2, SslVersion::TLS1_3] {
        let c = connector(false, Some(v));
        let failed = match connect(sim.port, &c) {
            Err(_) => true,
            Ok(mut s) => {
                let _ = s.write_all(&request("/n/atm/request", b"a=1", "Connection: close\r\n"));
                let mut buf = Vec::new();
                s.read_to_end(&mut buf).is_err() || buf.is_empty()
            }
        };
        assert!(
            failed,
            "{v:?}: a request without client certificate got an answer"
        );
    }
    // Nothing reached the HTTP layer.
    assert!(sim.records().is_empty());
    // The same with a certificate works.
    let r = sim.telegram("/n/atm/request", "010", ATM);
    assert_eq!(r.status, 200);
    assert_eq!(sim.records().len(), 1);
}

#[test]
fn a_client_certificate_from_another_ca_is_refused() {
    let sim = Sim::start(&[]);
    let mut b = openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls_client()).unwrap();
    b.set_ca_file(pki().join("ca.pem")).unwrap();
    b.set_certificate_chain_file(pki().join("client-rogue.pem"))
        .unwrap();
    b.set_private_key_file(
        pki().join("client-rogue.pem"),
        openssl::ssl::SslFiletype::PEM,
    )
    .unwrap();
    let c = b.build();
    let ok = connect(sim.port, &c).ok().and_then(|mut s| {
        s.write_all(&request("/n/atm/request", b"a=1", "Connection: close\r\n"))
            .ok()?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).ok()?;
        (!buf.is_empty()).then_some(())
    });
    assert!(ok.is_none());
    assert!(sim.records().is_empty());
}

#[test]
fn tls_versions_can_be_pinned() {
    for (flag, allowed, refused) in [
        ("--tls12-only", SslVersion::TLS1_2, SslVersion::TLS1_3),
        ("--tls13-only", SslVersion::TLS1_3, SslVersion::TLS1_2),
    ] {
        let sim = Sim::start(&[flag]);
        let s = connect(sim.port, &connector(true, Some(allowed))).unwrap();
        assert_eq!(s.ssl().version2(), Some(allowed));
        assert!(
            connect(sim.port, &connector(true, Some(refused))).is_err(),
            "{flag}"
        );
    }
    let sim = Sim::start(&[]);
    for v in [SslVersion::TLS1_2, SslVersion::TLS1_3] {
        let mut s = connect(sim.port, &connector(true, Some(v))).unwrap();
        s.write_all(&request("/n/nothing", b"", "Connection: close\r\n"))
            .unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        assert!(buf.starts_with(b"HTTP/1.1 404 "), "{v:?}");
    }
}

#[test]
fn no_client_auth_mode_accepts_anonymous_clients() {
    let sim = Sim::start(&["--no-client-auth"]);
    let mut s = connect(sim.port, &connector(false, None)).unwrap();
    s.write_all(&request("/n/nothing", b"", "Connection: close\r\n"))
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    assert!(buf.starts_with(b"HTTP/1.1 404 "));
    assert_eq!(sim.records()[0]["client_chain_len"], 0);
}

/// Reads exactly one reply with a Content-Length from a kept-alive stream.
fn read_one(s: &mut impl Read) -> Reply {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut byte).unwrap(),
            1,
            "connection closed inside a head"
        );
        raw.push(byte[0]);
    }
    let head = Reply::parse(&raw).unwrap();
    let len: usize = head.header("Content-Length").unwrap().parse().unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    raw.extend_from_slice(&body);
    Reply::parse(&raw).unwrap()
}

#[test]
fn http11_keeps_the_connection_and_http10_closes_it() {
    let sim = Sim::start(&[]);
    let body = form_encode(&[
        ("merchant_id", b"1"),
        ("connect_id", b"i"),
        ("connect_password", b"p"),
        ("telegram_kind", b"010"),
        ("payment_amount", b"100"),
    ]);
    let mut s = connect(sim.port, &connector(true, None)).unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        s.write_all(&request("/n/atm/request", &body, "")).unwrap();
        let r = read_one(&mut s);
        assert_eq!(r.header("Connection"), Some("keep-alive"));
        ids.push(r.get("payment_id"));
    }
    assert!(ids[0] < ids[1] && ids[1] < ids[2], "{ids:?}");
    // Connection: close on the last one ends it.
    s.write_all(&request("/n/atm/request", &body, "Connection: close\r\n"))
        .unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert_eq!(
        Reply::parse(&rest).unwrap().header("Connection"),
        Some("close")
    );

    // HTTP/1.0: reply with 1.0 and close.
    let mut s = connect(sim.port, &connector(true, None)).unwrap();
    let mut raw = b"POST /n/atm/request HTTP/1.0\r\nContent-Length: ".to_vec();
    raw.extend_from_slice(format!("{}\r\n\r\n", body.len()).as_bytes());
    raw.extend_from_slice(&body);
    s.write_all(&raw).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let r = Reply::parse(&out).unwrap();
    assert!(
        r.status_line.starts_with("HTTP/1.0 200"),
        "{}",
        r.status_line
    );
    assert_eq!(r.get("result"), "0");
    let recs = sim.records();
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[4]["version"], "HTTP/1.0");
}

#[test]
fn expect_100_continue_is_answered() {
    let sim = Sim::start(&[]);
    let mut s = connect(sim.port, &connector(true, None)).unwrap();
    let body = b"telegram_kind=010&merchant_id=1&connect_id=a&connect_password=b&payment_amount=5";
    let head = format!(
        "POST /n/atm/request HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut buf = [0u8; 25];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    assert_eq!(Reply::parse(&out).unwrap().get("result"), "0");
}

#[test]
fn unknown_paths_are_404() {
    let sim = Sim::start(&[]);
    let r = sim.post("/n/unknown/request", &[("telegram_kind", b"010")]);
    assert_eq!(r.status, 404);
    let r = sim.post("/", &[]);
    assert_eq!(r.status, 404);
}

#[test]
fn stdout_announces_the_port_of_the_ready_file() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("paygent-sim-stdout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ready = dir.join("ready");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_paygent-sim"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--exit-on-stdin-eof",
            "--pki",
        ])
        .arg(pki())
        .arg("--ready-file")
        .arg(&ready)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("paygent-sim listening on 127.0.0.1:")
        .unwrap();
    assert_eq!(std::fs::read_to_string(&ready).unwrap(), port);
    // Closing stdin ends the simulator.
    drop(child.stdin.take());
    let t0 = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(t0.elapsed().as_secs() < 10, "still running after stdin EOF");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn idle_kept_alive_connections_are_closed_after_the_timeout() {
    let sim = Sim::start(&["--keep-alive-timeout", "1"]);
    let mut s = connect(sim.port, &connector(true, None)).unwrap();
    s.write_all(&request("/n/nothing", b"", "")).unwrap();
    let r = read_one(&mut s);
    assert_eq!(
        (r.status, r.header("Connection")),
        (404, Some("keep-alive"))
    );
    let t0 = std::time::Instant::now();
    let mut rest = Vec::new();
    // The server closes (close_notify, EOF) on its own after about a second of idleness.
    let _ = s.read_to_end(&mut rest);
    assert!(rest.is_empty());
    let waited = t0.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(900)
            && waited < std::time::Duration::from_secs(10),
        "{waited:?}"
    );
}

#[test]
fn a_malformed_request_gets_400() {
    let sim = Sim::start(&[]);
    let out = exchange(
        sim.port,
        b"POST /n/atm/request HTTP/1.1\r\nContent-Length: x\r\n\r\n",
    )
    .unwrap();
    assert!(
        out.starts_with(b"HTTP/1.1 400 "),
        "{}",
        String::from_utf8_lossy(&out)
    );
    let out = exchange(
        sim.port,
        b"POST /n/atm/request HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    )
    .unwrap();
    assert!(out.starts_with(b"HTTP/1.1 400 "));
    assert!(sim.records().is_empty());
}
