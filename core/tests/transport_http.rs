//! Transport HTTP behaviour over TLS: request bytes, reply framing, faults, timeouts, the
//! keep-alive pool (decision 17), no resend (decision 18), and the CONNECT proxy.

mod transport_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use transport_support::*;

fn server(handler: Handler) -> Server {
    tls_server(ServerOpts::default(), handler)
}

#[test]
fn request_bytes_are_the_official_ones() {
    for backend in BACKENDS {
        let srv = server(always(ok(b"ok")));
        let mut s = settings(backend);
        s.keep_alive = false;
        post_body(
            &srv.url("localhost"),
            &s,
            b"a=1&b=2",
            Duration::from_secs(10),
        )
        .unwrap();
        s.keep_alive = true;
        post_body(&srv.url("localhost"), &s, b"c=3", Duration::from_secs(10)).unwrap();
        let log = srv.log();
        let expect = |version: &str, len: usize| {
            format!(
                "POST /n/card/request {version}\r\nHost: localhost:{}\r\nAccept: */*\r\nContent-Length: {len}\r\n\
                 User-Agent: curl_php\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n",
                srv.port
            )
        };
        assert_eq!(log.requests[0].head, expect("HTTP/1.0", 7));
        assert_eq!(log.requests[0].body, b"a=1&b=2");
        assert_eq!(log.requests[1].head, expect("HTTP/1.1", 3));
        assert_eq!(log.requests[1].body, b"c=3");
    }
}

#[test]
fn reply_framings_and_statuses() {
    let replies: Vec<(Vec<u8>, u16, &[u8])> = vec![
        (ok(b"len"), 200, b"len"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nchun\r\n3\r\nked\r\n0\r\n\r\n".to_vec(), 200, b"chunked"),
        (b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nfail".to_vec(), 500, b"fail"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec(), 200, b""),
        (b"HTTP/1.1 206 Partial\r\nContent-Length: 1\r\n\r\nx".to_vec(), 206, b"x"),
        (b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n".to_vec(), 302, b""),
    ];
    for backend in BACKENDS {
        for (raw, status, body) in &replies {
            let srv = server(always(raw.clone()));
            let r = post(&srv.url("localhost"), &settings(backend)).unwrap();
            assert_eq!((r.status, &r.body[..]), (*status, *body), "{backend:?}");
        }
        // HTTP/1.0 reply without length: the body runs to EOF.
        let srv = server(Arc::new(|_, _| {
            Action::ReplyClose(b"HTTP/1.0 200 OK\r\n\r\nto the end".to_vec())
        }));
        let r = post(&srv.url("localhost"), &settings(backend)).unwrap();
        assert_eq!((r.status, &r.body[..]), (200, &b"to the end"[..]));
    }
}

#[test]
fn reply_faults() {
    let cases: Vec<(Action, u32)> = vec![
        (
            Action::ReplyClose(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort".to_vec()),
            18,
        ),
        (
            Action::ReplyClose(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc".to_vec(),
            ),
            18,
        ),
        (Action::ReplyClose(b"GARBAGE LINE\r\n\r\n".to_vec()), 8),
        (Action::Drop, 52),
    ];
    for backend in BACKENDS {
        for (i, (action, errno)) in cases.iter().enumerate() {
            let bytes = match action {
                Action::ReplyClose(b) => Some(b.clone()),
                _ => None,
            };
            let srv = server(Arc::new(move |_, _| match &bytes {
                Some(b) => Action::ReplyClose(b.clone()),
                None => Action::Drop,
            }));
            let e = post(&srv.url("localhost"), &settings(backend)).expect_err("fault");
            assert_eq!(e.errno, *errno, "{backend:?} case {i}: {e:?}");
            assert_eq!(srv.log().requests.len(), 1, "sent exactly once");
        }
    }
}

#[test]
fn refused_and_unresolvable() {
    for backend in BACKENDS {
        let s = settings(backend);
        let port = refused_port();
        let e = post(&format!("https://127.0.0.1:{port}/x"), &s).unwrap_err();
        assert_eq!(e.errno, 7, "{e:?}");
        assert_eq!(
            e.text,
            format!("Failed to connect to 127.0.0.1 port {port}: Connection refused")
        );
        let e = post("https://no-such-host.invalid/x", &s).unwrap_err();
        assert_eq!(e.errno, 6, "{e:?}");
        assert_eq!(post("http://127.0.0.1/x", &s).unwrap_err().errno, 1);
        assert_eq!(post("not a url", &s).unwrap_err().errno, 3);
    }
}

#[test]
fn timeouts_are_28_within_the_bound() {
    let timeout = Duration::from_millis(1500);
    for backend in BACKENDS {
        // Silent during the TLS handshake.
        let port = silent_server();
        let t = Instant::now();
        let e = post_body(
            &format!("https://127.0.0.1:{port}/x"),
            &settings(backend),
            b"a=1",
            timeout,
        )
        .unwrap_err();
        assert_eq!(e.errno, 28, "{e:?}");
        assert!(
            t.elapsed() < timeout + Duration::from_secs(1),
            "{:?}",
            t.elapsed()
        );
        // Reads the request, then stalls.
        let srv = server(Arc::new(|_, _| Action::Stall(Duration::from_secs(6))));
        let t = Instant::now();
        let e = post_body(&srv.url("localhost"), &settings(backend), b"a=1", timeout).unwrap_err();
        assert_eq!(e.errno, 28, "{e:?}");
        assert!(e.text.starts_with("Operation timed out after "), "{e:?}");
        assert!(
            t.elapsed() >= timeout && t.elapsed() < timeout + Duration::from_secs(1),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(srv.log().requests.len(), 1);
    }
}

#[test]
fn keep_alive_reuses_one_connection() {
    for backend in BACKENDS {
        let srv = server(always(ok(b"ok")));
        let s = settings(backend);
        for _ in 0..5 {
            assert_eq!(post(&srv.url("localhost"), &s).unwrap().body, b"ok");
        }
        let log = srv.log();
        assert_eq!((log.accepts, log.requests.len()), (1, 5), "{backend:?}");
        assert!(
            log.requests
                .iter()
                .all(|r| r.head.starts_with("POST /n/card/request HTTP/1.1\r\n"))
        );
    }
}

#[test]
fn one_shot_mode_opens_a_connection_per_post() {
    for backend in BACKENDS {
        let srv = server(always(ok(b"ok")));
        let mut s = settings(backend);
        s.keep_alive = false;
        for _ in 0..3 {
            post(&srv.url("localhost"), &s).unwrap();
        }
        let log = srv.log();
        assert_eq!((log.accepts, log.requests.len()), (3, 3), "{backend:?}");
        assert!(
            log.requests
                .iter()
                .all(|r| r.head.starts_with("POST /n/card/request HTTP/1.0\r\n"))
        );
    }
}

#[test]
fn server_connection_close_is_honoured() {
    for backend in BACKENDS {
        let srv = server(Arc::new(|_, _| {
            Action::Reply(
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok".to_vec(),
            )
        }));
        let s = settings(backend);
        for _ in 0..3 {
            assert_eq!(post(&srv.url("localhost"), &s).unwrap().body, b"ok");
        }
        assert_eq!(srv.log().accepts, 3, "{backend:?}");
    }
}

/// The server closes the idle pooled connection: the dead socket is noticed before writing, and
/// the next post goes out once on a new connection.
#[test]
fn server_closing_an_idle_connection() {
    for backend in BACKENDS {
        // Reply and close without saying so in the headers, as a server timing out keep-alive.
        let srv = server(Arc::new(|n, _| {
            if n == 0 {
                Action::ReplyClose(ok(b"first"))
            } else {
                Action::Reply(ok(b"second"))
            }
        }));
        let s = settings(backend);
        assert_eq!(post(&srv.url("localhost"), &s).unwrap().body, b"first");
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(post(&srv.url("localhost"), &s).unwrap().body, b"second");
        let log = srv.log();
        assert_eq!((log.accepts, log.requests.len()), (2, 2), "{backend:?}");
    }
}

/// A server that takes the request and drops the connection: an error, and never a resend
/// (decision 18), even on a reused connection.
#[test]
fn no_resend_after_the_request_was_written() {
    for backend in BACKENDS {
        let srv = server(Arc::new(|n, _| {
            if n == 0 {
                Action::Reply(ok(b"first"))
            } else {
                Action::Drop
            }
        }));
        let s = settings(backend);
        assert_eq!(post(&srv.url("localhost"), &s).unwrap().body, b"first");
        let e = post(&srv.url("localhost"), &s).expect_err("dropped");
        assert!([52, 56].contains(&e.errno), "{backend:?} {e:?}");
        std::thread::sleep(Duration::from_millis(100));
        let log = srv.log();
        assert_eq!(
            (log.accepts, log.requests.len()),
            (1, 2),
            "{backend:?}: the second telegram exactly once"
        );
    }
}

#[test]
fn proxy_tunnel() {
    for backend in BACKENDS {
        let srv = server(always(ok(b"via proxy")));
        for cred in [None, Some(("user", "p@ss:word"))] {
            let (port, heads) = connect_proxy(cred.map(|_| "dXNlcjpwQHNzOndvcmQ="));
            let mut s = settings(backend);
            proxy_settings(&mut s, port, cred);
            let r = post(&srv.url("localhost"), &s).unwrap();
            assert_eq!(r.body, b"via proxy");
            let heads = heads.lock().unwrap();
            let auth = match cred {
                Some(_) => "Proxy-Authorization: Basic dXNlcjpwQHNzOndvcmQ=\r\n",
                None => "",
            };
            assert_eq!(
                heads[0],
                format!(
                    "CONNECT localhost:{p} HTTP/1.1\r\nHost: localhost:{p}\r\n{auth}Proxy-Connection: Keep-Alive\r\n\r\n",
                    p = srv.port
                )
            );
        }
        // Wrong credentials: the proxy's status, errno 56; nothing reaches the server.
        let before = srv.log().requests.len();
        let (port, _) = connect_proxy(Some("c29tZTpvdGhlcg=="));
        let mut s = settings(backend);
        proxy_settings(&mut s, port, Some(("user", "pass")));
        let e = post(&srv.url("localhost"), &s).unwrap_err();
        assert_eq!(
            (e.errno, e.text.as_str()),
            (56, "CONNECT tunnel failed, response 407")
        );
        // Proxy name not resolved: 5.
        s.proxy.as_mut().unwrap().host = b"no-such-proxy.invalid".to_vec();
        assert_eq!(post(&srv.url("localhost"), &s).unwrap_err().errno, 5);
        // Proxy down: 7.
        proxy_settings(&mut s, refused_port(), None);
        assert_eq!(post(&srv.url("localhost"), &s).unwrap_err().errno, 7);
        assert_eq!(srv.log().requests.len(), before);
    }
}

#[test]
fn sni_for_names_only() {
    for backend in BACKENDS {
        let srv = server(always(ok(b"x")));
        let s = settings(backend);
        post(&srv.url("localhost"), &s).unwrap();
        post(&srv.url("127.0.0.1"), &s).unwrap();
        let sni: Vec<Option<String>> = srv.log().requests.iter().map(|r| r.sni.clone()).collect();
        assert_eq!(sni, [Some("localhost".to_string()), None], "{backend:?}");
    }
}

/// Idle pooled connections are not used past the idle limit (below Apache's 5 s keep-alive).
#[test]
fn idle_connections_expire() {
    let srv = server(always(ok(b"x")));
    let s = settings(paygent_core::config::TlsBackend::OpenSsl);
    post(&srv.url("localhost"), &s).unwrap();
    post(&srv.url("localhost"), &s).unwrap();
    assert_eq!(srv.log().accepts, 1);
    std::thread::sleep(paygent_core::transport::IDLE_LIMIT + Duration::from_millis(300));
    post(&srv.url("localhost"), &s).unwrap();
    assert_eq!(srv.log().accepts, 2);
}
