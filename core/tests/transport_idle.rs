//! Idle keep-alive connections the server closed must not sit in CLOSE-WAIT until the next
//! telegram to the same gateway (issue 14 item 9): they are closed at the next opportunity —
//! any post, or `close_stale()` (the PHP extension's request end). Its own test binary: it
//! counts this process's sockets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod};
use paygent_core::config::TlsBackend;
use paygent_core::transport::close_stale;
use transport_support::*;

/// A keep-alive server that closes a connection idle for `after`, as a server's
/// KeepAliveTimeout does.
fn closing_server(after: Duration) -> u16 {
    server_saying(after, "")
}

/// The same, with extra reply header lines (`Keep-Alive: timeout=N\r\n`).
fn server_saying(after: Duration, headers: &'static str) -> u16 {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    b.set_private_key_file(pki().join("server.key"), SslFiletype::PEM)
        .unwrap();
    b.set_certificate_chain_file(pki().join("server.pem"))
        .unwrap();
    let acceptor = std::sync::Arc::new(b.build());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let acceptor = acceptor.clone();
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(after));
                let Ok(mut s) = acceptor.accept(tcp) else {
                    return;
                };
                while read_request(&mut s).is_some() {
                    let reply = format!("HTTP/1.1 200 OK\r\n{headers}Content-Length: 2\r\n\r\nok");
                    let _ = s.write_all(reply.as_bytes());
                }
                let _ = s.shutdown();
            });
        }
    });
    port
}

/// Sockets of this process connected to `port` in CLOSE-WAIT (state 08 in /proc/net/tcp).
fn close_wait(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let remote = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[2].ends_with(&remote) && f[3] == "08"
        })
        .count()
}

/// The pool is the process's: each post prunes every target's idle connections, so the tests
/// of this file take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_connection_the_server_closed_is_closed_at_the_next_opportunity() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    for backend in BACKENDS {
        let s = settings(backend);
        let a = closing_server(Duration::from_millis(50));
        let b = closing_server(Duration::from_secs(30));
        let url = |p: u16| format!("https://localhost:{p}/n/card/request");
        assert_eq!(post(&url(a), &s).unwrap().body, b"ok");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            close_wait(a),
            1,
            "{backend:?}: the server closed, we have not yet"
        );
        // A telegram to another gateway is an opportunity too.
        assert_eq!(post(&url(b), &s).unwrap().body, b"ok");
        assert_eq!(close_wait(a), 0, "{backend:?}: closed by the next post");

        // Request end (PHP) with nothing to send.
        let c = closing_server(Duration::from_millis(50));
        assert_eq!(post(&url(c), &s).unwrap().body, b"ok");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(close_wait(c), 1);
        close_stale();
        assert_eq!(close_wait(c), 0, "{backend:?}: closed by close_stale");
        // A live idle connection stays pooled.
        assert_eq!(close_wait(b), 0);
        let before = paygent_core::transport::connections_opened();
        assert_eq!(post(&url(b), &s).unwrap().body, b"ok");
        assert_eq!(
            paygent_core::transport::connections_opened(),
            before,
            "reused"
        );
    }
}

/// A server that announces `Keep-Alive: timeout=2` closes idle connections after 2 s: we keep
/// them 1 s (a second of margin), so a telegram 1.3 s later never races the server's close.
#[test]
fn the_servers_keep_alive_timeout_bounds_the_idle_time() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    use paygent_core::transport::connections_opened;
    let s = settings(TlsBackend::OpenSsl);
    let url = |p: u16| format!("https://localhost:{p}/n/card/request");
    let short = server_saying(Duration::from_secs(2), "Keep-Alive: timeout=2, max=100\r\n");
    let plain = server_saying(Duration::from_secs(10), "");
    for port in [short, plain] {
        assert_eq!(post(&url(port), &s).unwrap().body, b"ok");
    }
    std::thread::sleep(Duration::from_millis(1300));
    let before = connections_opened();
    assert_eq!(post(&url(plain), &s).unwrap().body, b"ok");
    assert_eq!(
        connections_opened(),
        before,
        "no header: kept for the default 4 s, reused"
    );
    assert_eq!(post(&url(short), &s).unwrap().body, b"ok");
    assert_eq!(
        connections_opened(),
        before + 1,
        "timeout=2: dropped after 1 s, a new one"
    );
    // timeout=1 leaves no safe window: not kept at all.
    assert_eq!(
        paygent_core::transport::idle_limit(Some(Duration::from_secs(1))),
        None
    );
    assert_eq!(
        paygent_core::transport::idle_limit(Some(Duration::from_secs(60))),
        Some(paygent_core::transport::IDLE_LIMIT)
    );
}
