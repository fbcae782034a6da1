//! Optimistic resumption (docs/tls.md "Resume context"): a new process with a cached TLS 1.3
//! session resumes it without building the full context (no credentials parsed), falls back to
//! the full context when the server does not resume, and still answers a late certificate
//! request. Each case posts from a forked child, a fresh process as php-cgi would be. Its own
//! test binary: fork() with other test threads holding locks would be unsafe.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use paygent_core::config::TlsBackend;
use paygent_core::transport::{TransportSettings, connections_opened, contexts_built};
use transport_support::*;

fn cache_settings(dir: &Path) -> TransportSettings {
    let mut s = settings(TlsBackend::OpenSsl);
    s.keep_alive = false;
    s.session_cache_dir = Some(cache_dir(dir));
    s
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("light-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One child's post: the reply, and (contexts built, connections opened) in that process.
fn child_post(url: &str, s: &TransportSettings, built: u64, opened: u64) -> Result<(), String> {
    let reply = post(url, s).map_err(|e| format!("{e:?}"))?;
    if reply.body != b"ok" {
        return Err(format!("reply {:?}", reply.body));
    }
    let got = (contexts_built(), connections_opened());
    if got != (built, opened) {
        return Err(format!(
            "(contexts built, connections opened) = {got:?}, want {:?}",
            (built, opened)
        ));
    }
    Ok(())
}

const MERCHANT: &str = "TEST merchant 000000";

#[test]
fn light_context_resumes_falls_back_and_answers_late_requests() {
    if !tls13_resumable() {
        return openssl_1_1_1_makes_full_handshakes();
    }
    // 1. A cached TLS 1.3 session: resumed with no full context built, identity kept.
    let dir = fresh_dir("resume");
    let a = tls_server(ServerOpts::default(), always(ok(b"ok")));
    let s = cache_settings(&dir);
    assert_eq!(post(&a.url("localhost"), &s).unwrap().body, b"ok");
    for _ in 0..2 {
        in_child("resume", || child_post(&a.url("localhost"), &s, 0, 1));
    }
    {
        let log = a.log();
        let resumed: Vec<bool> = log.requests.iter().map(|r| r.resumed).collect();
        assert_eq!(resumed, [false, true, true]);
        assert!(
            log.requests
                .iter()
                .all(|r| r.peer.first().map(String::as_str) == Some(MERCHANT))
        );
        assert!(
            log.handshake_errors.is_empty(),
            "{:?}",
            log.handshake_errors
        );
    }

    // The cache file holds the server's certificate chain, checked against the CA file and the
    // host name before the session is offered (a resumed handshake carries no certificate).
    let server_der =
        openssl::x509::X509::from_pem(&std::fs::read(pki().join("server.pem")).unwrap())
            .unwrap()
            .to_der()
            .unwrap();
    let stored = std::fs::read(session_file(&dir, a.port)).unwrap();
    assert!(stored.windows(server_der.len()).any(|w| w == server_der));

    // 2. A server that does not resume (it cannot read another server's ticket; a single-use
    // ticket another process used first): the same connection goes on as a full handshake,
    // verified with the CA file loaded when the certificate arrives and the identity loaded
    // when the server asks. One connection, no full context, the telegram exactly once
    // (issue 14 item 8: a second connection per process used to follow).
    let b = tls_server(ServerOpts::default(), always(ok(b"ok")));
    let copy_session = |from_port: u16, to_port: u16| {
        let from = session_file(&dir, from_port);
        let name = from.file_name().unwrap().to_str().unwrap();
        let to = dir.join(name.replacen(&from_port.to_string(), &to_port.to_string(), 1));
        std::fs::copy(&from, &to).unwrap();
    };
    copy_session(a.port, b.port);
    in_child("no resumption", || {
        child_post(&b.url("localhost"), &s, 0, 1)
    });
    std::thread::sleep(Duration::from_millis(50));
    {
        let log = b.log();
        assert_eq!(log.accepts, 1, "one connection for one telegram");
        assert_eq!(log.requests.len(), 1, "the telegram arrived once");
        assert!(!log.requests[0].resumed);
        assert_eq!(log.requests[0].peer[0], MERCHANT);
        assert!(
            log.handshake_errors.is_empty(),
            "{:?}",
            log.handshake_errors
        );
    }

    // 2b. ... and that full handshake is verified as strictly as the full context's: a server
    // whose certificate names another host is refused (errno 60), nothing is sent.
    let w = tls_server(
        ServerOpts {
            cert: "server-wronghost.pem",
            key: "server-wronghost.key",
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    copy_session(a.port, w.port);
    in_child("wrong host", || match post(&w.url("localhost"), &s) {
        Err(e) if e.errno == 60 => Ok(()),
        r => Err(format!("{r:?}")),
    });
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        w.log().requests.is_empty(),
        "nothing reached a server that failed verification"
    );

    // 3. TLS 1.3 post-handshake auth on a resumed light connection: the certificate callback
    // loads the identity when the server asks, after the request was sent.
    let dir3 = fresh_dir("pha");
    let c = tls_server(
        ServerOpts {
            auth: ClientAuth::PostHandshake,
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    let s3 = cache_settings(&dir3);
    assert_eq!(post(&c.url("localhost"), &s3).unwrap().body, b"ok");
    in_child("post-handshake auth", || {
        child_post(&c.url("localhost"), &s3, 0, 1)
    });
    {
        let log = c.log();
        let resumed: Vec<bool> = log.requests.iter().map(|r| r.resumed).collect();
        assert_eq!(resumed, [false, true]);
        assert_eq!(
            log.late_asks, 2,
            "the server asked on the resumed connection too"
        );
        assert!(
            log.requests
                .iter()
                .all(|r| r.peer.first().map(String::as_str) == Some(MERCHANT))
        );
        assert!(
            log.handshake_errors.is_empty(),
            "{:?}",
            log.handshake_errors
        );
    }

    // 4. A TLS 1.2 session goes the full way (a late request would renegotiate and verify the
    // server again): resumed by the full context.
    let dir4 = fresh_dir("tls12");
    let d = tls_server(
        ServerOpts {
            max_version: Some(openssl::ssl::SslVersion::TLS1_2),
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    let s4 = cache_settings(&dir4);
    assert_eq!(post(&d.url("localhost"), &s4).unwrap().body, b"ok");
    in_child("tls 1.2", || child_post(&d.url("localhost"), &s4, 1, 1));
    assert_eq!(
        d.log()
            .requests
            .iter()
            .map(|r| r.resumed)
            .collect::<Vec<_>>(),
        [false, true]
    );

    // 5. A credential file changed since the session was cached: its scope differs, so no
    // light resumption; a broken file gives the same errno 58 as without the cache.
    let dir5 = fresh_dir("changed");
    let kit = dir5.join("kit.pem");
    std::fs::copy(pki().join("client-kit.pem"), &kit).unwrap();
    let mut s5 = cache_settings(&dir5);
    s5.client_file = Some(kit.clone().into_os_string().into_encoded_bytes());
    assert_eq!(post(&a.url("localhost"), &s5).unwrap().body, b"ok");
    let mut data = std::fs::read(&kit).unwrap();
    let at = data.windows(6).position(|w| w == b"-----E").unwrap() - 10;
    data[at] ^= 1; // damage the key
    std::fs::write(&kit, &data).unwrap();
    in_child("changed key", || match post(&a.url("localhost"), &s5) {
        Err(e) if e.errno == 58 && contexts_built() == 0 && connections_opened() == 0 => Ok(()),
        r => Err(format!("{r:?}, built {}", contexts_built())),
    });
    for d in [dir, dir3, dir4, dir5] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// OpenSSL 1.1.1 answers a post-handshake certificate request on a resumed TLS 1.3 connection
/// with an empty certificate (openssl/openssl#10370): there no TLS 1.3 session is stored or
/// offered, each process makes a full handshake, and the late request is answered.
fn openssl_1_1_1_makes_full_handshakes() {
    let dir = fresh_dir("pha-1.1.1");
    let c = tls_server(
        ServerOpts {
            auth: ClientAuth::PostHandshake,
            ..Default::default()
        },
        always(ok(b"ok")),
    );
    let s = cache_settings(&dir);
    assert_eq!(post(&c.url("localhost"), &s).unwrap().body, b"ok");
    for _ in 0..2 {
        in_child("post-handshake auth, OpenSSL 1.1.1", || {
            child_post(&c.url("localhost"), &s, 1, 1)
        });
    }
    let log = c.log();
    let resumed: Vec<bool> = log.requests.iter().map(|r| r.resumed).collect();
    assert_eq!(resumed, [false, false, false]);
    assert_eq!(log.late_asks, 3, "asked late on every connection");
    assert!(
        log.requests
            .iter()
            .all(|r| r.peer.first().map(String::as_str) == Some(MERCHANT))
    );
    assert!(
        log.handshake_errors.is_empty(),
        "{:?}",
        log.handshake_errors
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no TLS 1.3 session stored"
    );
}
