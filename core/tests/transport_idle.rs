//! Idle keep-alive connections the server closed must not sit in CLOSE-WAIT until the next
//! telegram to the same gateway (issue 14 item 9): they are closed at the next opportunity —
//! any post, or `close_stale()` (the PHP extension's request end). Its own test binary: it
//! counts this process's sockets.

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
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    b.set_private_key_file(pki().join("server.key"), SslFiletype::PEM).unwrap();
    b.set_certificate_chain_file(pki().join("server.pem")).unwrap();
    let acceptor = std::sync::Arc::new(b.build());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let acceptor = acceptor.clone();
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(after));
                let Ok(mut s) = acceptor.accept(tcp) else { return };
                while read_request(&mut s).is_some() {
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
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

#[test]
fn a_connection_the_server_closed_is_closed_at_the_next_opportunity() {
    for backend in BACKENDS {
        let s = settings(backend);
        let a = closing_server(Duration::from_millis(50));
        let b = closing_server(Duration::from_secs(30));
        let url = |p: u16| format!("https://localhost:{p}/n/card/request");
        assert_eq!(post(&url(a), &s).unwrap().body, b"ok");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(close_wait(a), 1, "{backend:?}: the server closed, we have not yet");
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
        assert_eq!(paygent_core::transport::connections_opened(), before, "reused");
    }
}
