//! Failure phase (issue 12): every transport failure says whether any byte of the telegram left
//! the process (`NotSent`) or the gateway may have processed it (`MaybeSent`); `retry_not_sent`
//! resends only the first kind. Real TLS servers on loopback, each misbehaving in one way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslStream, SslVerifyMode};
use paygent_core::config::ConfigSource;
use paygent_core::error::FailurePhase;
use paygent_core::{Dialect, ErrorCode, Module};
use transport_support::*;

/// What the server does with connection number `n` (0-based) after accepting it.
#[derive(Clone, Copy, PartialEq)]
enum Act {
    /// Close before the TLS handshake.
    DropBeforeTls,
    /// Read the request, then close without a reply.
    CloseAfterRequest,
    /// Read the request, send half a reply, then reset.
    ResetMidReply,
    /// Read the request and never answer.
    Hang,
    /// Answer `result=0`.
    Answer,
}

struct Server {
    port: u16,
    /// Request bodies received (a request "reached the gateway").
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

fn server(plan: impl Fn(usize) -> Act + Send + Sync + 'static) -> Server {
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    b.set_private_key_file(pki().join("server.key"), SslFiletype::PEM)
        .unwrap();
    b.set_certificate_chain_file(pki().join("server.pem"))
        .unwrap();
    b.set_ca_file(pki().join("ca.pem")).unwrap();
    b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    let acceptor = Arc::new(b.build());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    let plan = Arc::new(plan);
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let act = plan(count.fetch_add(1, Ordering::SeqCst));
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            std::thread::spawn(move || {
                if act == Act::DropBeforeTls {
                    return;
                }
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let Ok(mut s) = acceptor.accept(tcp) else {
                    return;
                };
                while let Some((_, body)) = read_request(&mut s) {
                    seen.lock().unwrap().push(body);
                    match act {
                        Act::CloseAfterRequest => return,
                        Act::ResetMidReply => return reset(s),
                        Act::Hang => std::thread::sleep(Duration::from_secs(5)),
                        _ => {}
                    }
                    let reply =
                        b"result=0\r\nresponse_code=\r\nresponse_detail=\r\npayment_id=1\r\n";
                    let head =
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", reply.len());
                    let _ = s.write_all(&[head.as_bytes(), reply].concat());
                }
            });
        }
    });
    Server { port, bodies }
}

fn reset(mut s: SslStream<std::net::TcpStream>) {
    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nresult=0\r\n");
    let _ = s.flush();
    let tcp = s.get_ref();
    // SO_LINGER 0: close with a reset.
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a linger value of the right size.
    unsafe {
        use std::os::fd::AsRawFd;
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    let mut sink = [0u8; 1];
    let _ = s.get_mut().read(&mut sink);
}

fn phase_of(url: &str, s: &paygent_core::transport::TransportSettings) -> FailurePhase {
    post_body(
        url,
        s,
        b"telegram_kind=020&trading_id=T1",
        Duration::from_secs(2),
    )
    .expect_err("a failure")
    .phase
}

#[test]
fn each_fault_has_its_phase() {
    for backend in BACKENDS {
        let s = settings(backend);
        let url = |p: u16| format!("https://localhost:{p}/n/card/request");
        // Nothing left the process.
        assert_eq!(
            phase_of(&url(refused_port()), &s),
            FailurePhase::NotSent,
            "{backend:?} refused"
        );
        let d = server(|_| Act::DropBeforeTls);
        assert_eq!(
            phase_of(&url(d.port), &s),
            FailurePhase::NotSent,
            "{backend:?} handshake"
        );
        assert_eq!(
            phase_of(&format!("https://no-such-host.invalid:{}/x", d.port), &s),
            FailurePhase::NotSent,
            "{backend:?} name"
        );
        let mut wrong_ca = s.clone();
        wrong_ca.ca_file = Some(file("rogue-ca.pem"));
        let a = server(|_| Act::Answer);
        assert_eq!(
            phase_of(&url(a.port), &wrong_ca),
            FailurePhase::NotSent,
            "{backend:?} untrusted"
        );
        assert!(a.bodies.lock().unwrap().is_empty());
        // The gateway had the telegram.
        for (act, what) in [
            (Act::CloseAfterRequest, "closed without reply"),
            (Act::ResetMidReply, "reset mid-reply"),
            (Act::Hang, "no reply within the timeout"),
        ] {
            let srv = server(move |_| act);
            assert_eq!(
                phase_of(&url(srv.port), &s),
                FailurePhase::MaybeSent,
                "{backend:?} {what}"
            );
            assert_eq!(
                srv.bodies.lock().unwrap().len(),
                1,
                "{backend:?} {what}: sent once"
            );
        }
    }
}

/// A `modenv_properties.php` pointing at `port`, with `extra` lines.
fn properties(dir: &std::path::Path, port: u16, extra: &str) -> std::path::PathBuf {
    let path = dir.join("modenv_properties.php");
    let pki = pki().display().to_string();
    std::fs::write(
        &path,
        format!(
            "<?php\npaygentB2Bmodule.client_file_path={pki}/client-kit.pem\n\
             paygentB2Bmodule.ca_file_path={pki}/ca.pem\n\
             paygentB2Bmodule.timeout_value=3\npaygentB2Bmodule.log_output_path={}/m.log\n\
             paygentB2Bmodule.debug_flg=0\n\
             paygentB2Bmodule.select_max_cnt=2000\npaygentB2Bmodule.telegram_kind.ref=027,090\n\
             paygentB2Bmodule.default_id=id\npaygentB2Bmodule.default_password=pw\n\
             paygentB2Bmodule.url.02=https://localhost:{port}/n/card/request\n{extra}?>\n",
            dir.display()
        ),
    )
    .unwrap();
    path
}

fn module(path: std::path::PathBuf) -> Module {
    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(path));
    m.init().unwrap();
    m.req_put(b"telegram_kind", b"020");
    m.req_put(b"trading_id", b"ORDER-1");
    m
}

#[test]
fn retry_not_sent_resends_only_what_never_left() {
    let dir = tempfile::tempdir().unwrap();
    // The first two connections are dropped before TLS (not sent), the third is answered.
    let flaky = server(|n| {
        if n < 2 {
            Act::DropBeforeTls
        } else {
            Act::Answer
        }
    });
    let mut m = module(properties(
        dir.path(),
        flaky.port,
        "paygentB2Bmodule.retry_not_sent=2\n",
    ));
    m.post().expect("cleared within the retries");
    assert_eq!(m.result_status(), Some(&b"0"[..]));
    assert_eq!(m.failure_phase(), None);
    assert_eq!(
        flaky.bodies.lock().unwrap().len(),
        1,
        "the telegram arrived exactly once"
    );
    let log = std::fs::read_to_string(dir.path().join("m.log")).unwrap();
    assert_eq!(log.matches("retry ").count(), 2, "{log}");

    // Without the option: two retries by default (issue 20 item 3).
    let flaky = server(|n| {
        if n < 2 {
            Act::DropBeforeTls
        } else {
            Act::Answer
        }
    });
    let mut m = module(properties(dir.path(), flaky.port, ""));
    m.post().expect("cleared within the default retries");
    assert_eq!(flaky.bodies.lock().unwrap().len(), 1);

    // retry_not_sent=0: the official behaviour, one attempt.
    let flaky = server(|n| {
        if n < 1 {
            Act::DropBeforeTls
        } else {
            Act::Answer
        }
    });
    let mut m = module(properties(
        dir.path(),
        flaky.port,
        "paygentB2Bmodule.retry_not_sent=0
",
    ));
    assert_eq!(m.post().unwrap_err().code, ErrorCode::KsConnect);
    assert_eq!(m.failure_phase(), Some(FailurePhase::NotSent));

    // A maybe-sent failure is never retried, whatever the option says.
    let closing = server(|_| Act::CloseAfterRequest);
    let mut m = module(properties(
        dir.path(),
        closing.port,
        "paygentB2Bmodule.retry_not_sent=3\n",
    ));
    assert_eq!(m.post().unwrap_err().code, ErrorCode::KsConnect);
    assert_eq!(m.failure_phase(), Some(FailurePhase::MaybeSent));
    assert_eq!(
        closing.bodies.lock().unwrap().len(),
        1,
        "sent once, never again"
    );

    // A gateway reply, even an error, is no failure phase.
    let ok = server(|_| Act::Answer);
    let mut m = module(properties(dir.path(), ok.port, ""));
    m.post().unwrap();
    assert_eq!(m.failure_phase(), None);
}

#[test]
fn retry_not_sent_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["-1", "x", "11"] {
        let path = properties(
            dir.path(),
            1,
            &format!("paygentB2Bmodule.retry_not_sent={bad}\n"),
        );
        let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(path));
        assert_eq!(
            m.init().unwrap_err().code,
            ErrorCode::ResourceFileRequired,
            "{bad}"
        );
    }
}
