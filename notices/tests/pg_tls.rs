//! A PostgreSQL server whose TLS certificate is not trusted (Debian's default: a self-signed
//! "snakeoil" certificate) is refused with its own error kind, so that the CLI can name the
//! remedy (the socket, `sslmode=disable` on loopback, or a trusted certificate) instead of
//! "check the host, port, user and password". The server here is hostile and minimal: it
//! answers PostgreSQL's SSLRequest with `S` and shows a fresh self-signed certificate.

#![cfg(feature = "postgres")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::io::{Read, Write};
use std::net::TcpListener;

use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::ssl::{SslAcceptor, SslMethod};
use openssl::x509::{X509, X509NameBuilder};
use paygent_notices::ErrorKind;

/// A self-signed certificate for `localhost` and its key (made here, test-only).
fn self_signed() -> (X509, PKey<openssl::pkey::Private>) {
    let key = PKey::from_ec_key(
        openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "localhost").unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    b.sign(&key, MessageDigest::sha256()).unwrap();
    (b.build(), key)
}

/// A server on a free loopback port that says yes to TLS and shows `cert`; returns the port.
fn snakeoil_server() -> u16 {
    let (cert, key) = self_signed();
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_certificate(&cert).unwrap();
    acceptor.set_private_key(&key).unwrap();
    let acceptor = acceptor.build();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            // SSLRequest: length 8, code 80877103.
            let mut request = [0u8; 8];
            if s.read_exact(&mut request).is_err() || request != [0, 0, 0, 8, 4, 210, 22, 47] {
                continue;
            }
            if s.write_all(b"S").is_ok() {
                // The client refuses the certificate: the handshake fails on this side too.
                let _ = acceptor.accept(s);
            }
        }
    });
    port
}

#[test]
fn an_untrusted_server_certificate_is_its_own_error() {
    let port = snakeoil_server();
    for mode in ["prefer", "require"] {
        let url = format!("postgres://paygent@127.0.0.1:{port}/shop?sslmode={mode}");
        let e = paygent_notices::open(&url)
            .err()
            .expect("a refused certificate");
        assert_eq!(e.kind(), ErrorKind::Certificate, "{mode}: {}", e.detail());
        assert!(
            e.detail().contains("certificate verify failed"),
            "{}",
            e.detail()
        );
        assert!(
            std::error::Error::source(&e).is_some(),
            "the driver's error kept"
        );
    }
    // Nothing listening: a plain connection failure, not a certificate one.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let e = paygent_notices::open(&format!("postgres://paygent@127.0.0.1:{port}/shop"))
        .err()
        .expect("nothing listens");
    assert_eq!(e.kind(), ErrorKind::Connect, "{}", e.detail());
}
