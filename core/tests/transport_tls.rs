//! Transport over mutual TLS: every credential format, every certificate error, host checks, and
//! the late client-certificate requests (renegotiation, TLS 1.3 post-handshake auth).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

mod transport_support;

use paygent_core::config::TlsBackend;
use transport_support::*;

fn ok_server() -> Server {
    tls_server(ServerOpts::default(), always(ok(b"result=0\r\n")))
}

/// Each credential layout a merchant may hold works with both backends, and the server receives
/// the client certificate and the intermediate.
#[test]
fn every_credential_format_authenticates() {
    // Certificates first, key last: merchants concatenate files in either order.
    let dir = pki();
    let crt = std::fs::read(dir.join("client.crt")).unwrap();
    let key = std::fs::read(dir.join("client.key")).unwrap();
    std::fs::write(dir.join("cert-then-key.pem"), [crt, key].concat()).unwrap();
    let formats: [(&str, Option<&str>); 7] = [
        ("cert-then-key.pem", None),
        ("client-kit.pem", None),
        ("client-kit-aes.pem", None),
        ("client-plain.pem", None),
        ("client.crt", Some("client.key")),
        ("client.crt", Some("client-pkcs8-enc.key")),
        ("client.p12", None),
    ];
    for backend in BACKENDS {
        let server = ok_server();
        for (cert, key) in formats {
            let mut s = settings(backend);
            s.client_file = Some(file(cert));
            s.client_key_file = key.map(file);
            let reply = post(&server.url("localhost"), &s)
                .unwrap_or_else(|e| panic!("{backend:?} {cert} {key:?}: {e:?}"));
            assert_eq!((reply.status, &reply.body[..]), (200, &b"result=0\r\n"[..]));
            let log = server.log();
            let seen = log.requests.last().unwrap();
            assert_eq!(
                seen.peer,
                ["TEST merchant 000000", "paygent-rs TEST Intermediate CA"],
                "{backend:?} {cert}"
            );
        }
        assert_eq!(server.log().requests.len(), formats.len());
    }
}

fn expect_errno(s: &paygent_core::transport::TransportSettings, url: &str, errno: u32, text: &str) {
    let e = post(url, s).expect_err("must fail");
    assert_eq!(e.errno, errno, "{:?}: {e:?}", s.backend);
    assert!(
        e.text.contains(text),
        "{:?}: {e:?} should mention {text:?}",
        s.backend
    );
}

#[test]
fn client_credential_errors_are_58() {
    let server = ok_server();
    let url = server.url("localhost");
    for backend in BACKENDS {
        let mut s = settings(backend);
        s.client_key_password = b"wrong".to_vec();
        expect_errno(&s, &url, 58, "pass phrase");
        s.client_file = Some(file("client.p12"));
        expect_errno(&s, &url, 58, "wrong password");
        s.client_file = Some(file("client-pkcs8-enc.key"));
        expect_errno(&s, &url, 58, "pass phrase");

        let mut s = settings(backend);
        s.client_file = Some(file("client.crt"));
        s.client_key_file = Some(file("client-other.key"));
        expect_errno(&s, &url, 58, "does not match");

        let mut s = settings(backend);
        s.client_file = Some(file("missing-client.pem"));
        expect_errno(&s, &url, 58, "not found");

        let mut s = settings(backend);
        s.client_file = Some(file("client.crt")); // certificates but no key
        expect_errno(&s, &url, 58, "no private key");
    }
    assert!(
        server.log().requests.is_empty(),
        "nothing may be sent with bad credentials"
    );
}

#[test]
fn ca_and_server_verification() {
    let server = ok_server();
    let wrong = tls_server(
        ServerOpts {
            cert: "server-wronghost.pem",
            key: "server-wronghost.key",
            ..Default::default()
        },
        always(ok(b"x")),
    );
    for backend in BACKENDS {
        let mut s = settings(backend);
        s.ca_file = Some(file("no-such-ca.pem"));
        expect_errno(&s, &server.url("localhost"), 77, "no-such-ca.pem");

        let mut s = settings(backend);
        s.ca_file = Some(file("rogue-ca.pem"));
        expect_errno(&s, &server.url("localhost"), 60, "SSL certificate problem");

        // The right chain, the wrong name (DNS and IP literal alike).
        let s = settings(backend);
        expect_errno(&s, &wrong.url("localhost"), 60, "SSL certificate problem");
        expect_errno(&s, &wrong.url("127.0.0.1"), 60, "SSL certificate problem");
        // The IP SAN of the right certificate verifies an address URL.
        assert_eq!(post(&server.url("127.0.0.1"), &s).unwrap().status, 200);

        let mut s = settings(backend);
        s.verify_host = false;
        assert_eq!(
            post(&wrong.url("localhost"), &s).unwrap().status,
            200,
            "{backend:?}"
        );
        // verify_host=false still checks the chain.
        s.ca_file = Some(file("rogue-ca.pem"));
        expect_errno(&s, &wrong.url("localhost"), 60, "SSL certificate problem");

        // not_use_ca_cert: no verification at all.
        s.ca_file = None;
        assert_eq!(
            post(&wrong.url("localhost"), &s).unwrap().status,
            200,
            "{backend:?}"
        );
    }
    assert_eq!(server.log().requests.len(), 2);
    assert_eq!(wrong.log().requests.len(), 4);
}

#[test]
fn server_requiring_a_certificate_we_do_not_send_fails() {
    for max in [None, Some(openssl::ssl::SslVersion::TLS1_2)] {
        let server = tls_server(
            ServerOpts {
                max_version: max,
                ..Default::default()
            },
            always(ok(b"x")),
        );
        for backend in BACKENDS {
            let mut s = settings(backend);
            s.client_file = None;
            let e = post(&server.url("localhost"), &s).expect_err("must fail");
            // TLS 1.3 rejects after the handshake, racing our request: an alert (56), a reset
            // while sending (55) or an empty reply (52). All map to E02005, never success.
            assert!(
                [35, 52, 55, 56].contains(&e.errno),
                "{backend:?} {max:?}: {e:?}"
            );
        }
        assert!(server.log().requests.is_empty());
    }
}

#[test]
fn client_without_certificate_when_server_does_not_ask() {
    let server = tls_server(
        ServerOpts {
            auth: ClientAuth::None,
            ..Default::default()
        },
        always(ok(b"x")),
    );
    for backend in BACKENDS {
        let mut s = settings(backend);
        s.client_file = None;
        assert_eq!(post(&server.url("localhost"), &s).unwrap().body, b"x");
    }
}

/// The gateway manuals require renegotiation to work (decision 14): the OpenSSL path follows a
/// server asking for the certificate after reading the request, by TLS 1.2 renegotiation or TLS
/// 1.3 post-handshake auth.
#[test]
fn openssl_answers_late_certificate_requests() {
    for auth in [ClientAuth::Renegotiate, ClientAuth::PostHandshake] {
        let server = tls_server(
            ServerOpts {
                auth,
                ..Default::default()
            },
            always(ok(b"late")),
        );
        let s = settings(TlsBackend::OpenSsl);
        let reply =
            post(&server.url("localhost"), &s).unwrap_or_else(|e| panic!("{auth:?}: {e:?}"));
        assert_eq!(reply.body, b"late");
        let log = server.log();
        assert_eq!(log.requests[0].peer[0], "TEST merchant 000000", "{auth:?}");
        assert!(
            log.handshake_errors.is_empty(),
            "{auth:?}: {:?}",
            log.handshake_errors
        );
    }
}

/// rustls cannot do either (docs/tls.md): it must fail cleanly, never succeed without the
/// certificate.
#[test]
fn rustls_fails_cleanly_on_late_certificate_requests() {
    for auth in [ClientAuth::Renegotiate, ClientAuth::PostHandshake] {
        let server = tls_server(
            ServerOpts {
                auth,
                ..Default::default()
            },
            always(ok(b"late")),
        );
        let mut s = settings(TlsBackend::Rustls);
        s.keep_alive = false;
        let e = post(&server.url("localhost"), &s).expect_err("rustls cannot answer");
        assert!([35, 52, 56].contains(&e.errno), "{auth:?}: {e:?}");
        assert!(
            server
                .log()
                .requests
                .iter()
                .all(|r| r.peer.is_empty() || r.peer[0] != "x")
        );
    }
}

/// `session_cache_dir`: a later connection (as a later CGI process would) resumes the session
/// from the file; the file is private; a damaged file only costs a full handshake.
#[test]
fn session_cache_dir_resumes_sessions() {
    use std::os::unix::fs::PermissionsExt;
    for max in [None, Some(openssl::ssl::SslVersion::TLS1_2)] {
        let server = tls_server(
            ServerOpts {
                max_version: max,
                ..Default::default()
            },
            always(ok(b"x")),
        );
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("sessions-{}-{max:?}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut s = settings(TlsBackend::OpenSsl);
        s.keep_alive = false;
        // Without the cache, every connection is a full handshake.
        post(&server.url("localhost"), &s).unwrap();
        post(&server.url("localhost"), &s).unwrap();
        s.session_cache_dir = Some(cache_dir(&dir));
        // A file of credentials replaced long ago: swept when a new file is written.
        let stale = dir.join("localhost_443_0000000000000000.tlssession");
        std::fs::File::create(&stale)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(9 * 86400))
            .unwrap();
        for _ in 0..3 {
            post(&server.url("localhost"), &s).unwrap();
        }
        if max.is_none() && !tls13_resumable() {
            // OpenSSL 1.1.1: TLS 1.3 sessions are neither stored nor offered (it cannot answer
            // post-handshake auth on a resumed connection, openssl/openssl#10370).
            let resumed: Vec<bool> = server.log().requests.iter().map(|r| r.resumed).collect();
            assert_eq!(resumed, [false; 5], "OpenSSL 1.1.1, TLS 1.3");
            assert_eq!(
                std::fs::read_dir(&dir).unwrap().count(),
                1,
                "only the stale file"
            );
            continue;
        }
        assert!(!stale.exists(), "stale session file left in the cache");
        let resumed: Vec<bool> = server.log().requests.iter().map(|r| r.resumed).collect();
        assert_eq!(resumed, [false, false, false, true, true], "{max:?}");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::write(&files[0], b"not a session").unwrap();
        post(&server.url("localhost"), &s).unwrap();
        post(&server.url("localhost"), &s).unwrap();
        let resumed: Vec<bool> = server
            .log()
            .requests
            .iter()
            .skip(5)
            .map(|r| r.resumed)
            .collect();
        assert_eq!(resumed, [false, true], "{max:?}");
        // The resumed connections still carried the client certificate's identity.
        assert!(
            server
                .log()
                .requests
                .iter()
                .all(|r| r.peer.first().map(String::as_str) == Some("TEST merchant 000000"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// An old-style `.p12` (RC2-40 certificate bag, OpenSSL 1.x default) needs OpenSSL 3's legacy
/// provider, loaded on demand (OpenSSL 1.1.1 has it built in). Made with the openssl CLI:
/// `-legacy` on 3.x, the default on 1.1.1 (which has no `-legacy`); skipped when it cannot make one.
#[test]
fn legacy_rc2_pkcs12() {
    let dir = pki();
    let out = dir.join(format!("client-legacy-{}.p12", std::process::id()));
    let cli_1_1 = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"OpenSSL 1."));
    let legacy: &[&str] = if cli_1_1 { &[] } else { &["-legacy"] };
    let made = std::process::Command::new("openssl")
        .args(["pkcs12", "-export"])
        .args(legacy)
        .args(["-passout", "pass:changeit", "-in"])
        .arg(dir.join("client.crt"))
        .arg("-inkey")
        .arg(dir.join("client.key"))
        .arg("-out")
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        missing_real_part(
            "legacy_rc2_pkcs12",
            "the openssl CLI could not write a -legacy .p12",
        );
        return;
    }
    let server = ok_server();
    for backend in BACKENDS {
        let mut s = settings(backend);
        s.client_file = Some(out.clone().into_os_string().into_encoded_bytes());
        let reply =
            post(&server.url("localhost"), &s).unwrap_or_else(|e| panic!("{backend:?}: {e:?}"));
        assert_eq!(reply.status, 200);
        assert_eq!(
            server.log().requests.last().unwrap().peer[0],
            "TEST merchant 000000"
        );
        s.client_key_password = b"wrong".to_vec();
        assert_eq!(post(&server.url("localhost"), &s).unwrap_err().errno, 58);
    }
    let _ = std::fs::remove_file(out);
}
