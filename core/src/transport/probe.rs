//! Diagnostics for `paygent doctor`: the client credential and CA file as the transport reads
//! them, and one TLS handshake with the gateway (timed, with what was negotiated). Nothing here
//! sends a telegram.

use std::time::{Duration, Instant};

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::x509::{X509, X509Ref};

use super::tls::{TlsConn, TlsContext};
use super::{TransportSettings, credentials, url};
use crate::error::TransportFailure;

/// The facts of one certificate a doctor shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The subject, one line (`/O=…/CN=…`).
    pub subject: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// `not_after` as OpenSSL prints it (`Mar  8 12:00:00 2029 GMT`).
    pub not_after_text: String,
}

impl CertificateFacts {
    fn of(c: &X509Ref) -> Self {
        let subject = c
            .subject_name()
            .entries()
            .map(|e| {
                let key = e.object().nid().short_name().unwrap_or("?");
                let val = e.data().to_string().unwrap_or_default();
                format!("/{key}={val}")
            })
            .collect();
        Self {
            subject,
            not_before: unix(c.not_before()),
            not_after: unix(c.not_after()),
            not_after_text: c.not_after().to_string(),
        }
    }
}

fn unix(t: &Asn1TimeRef) -> i64 {
    Asn1Time::from_unix(0)
        .ok()
        .and_then(|epoch| epoch.diff(t).ok())
        .map_or(0, |d| i64::from(d.days) * 86_400 + i64::from(d.secs))
}

/// The client credential as the transport loads it.
#[derive(Debug)]
pub struct ClientCredential {
    /// The certificate, when it could be read (even if the key could not).
    pub certificate: Option<CertificateFacts>,
    /// The key opened with the configured passphrase (`Err`: the transport's errno 58 failure).
    pub key: Result<(), TransportFailure>,
    /// The key belongs to the certificate (`None` when either could not be read).
    pub key_matches: Option<bool>,
}

/// `None` when no client certificate is configured (`not_use_client_cert`).
pub fn client_credential(s: &TransportSettings) -> Option<ClientCredential> {
    let path = s.client_file.as_ref()?;
    Some(match credentials::client_identity(s) {
        Ok(Some(id)) => ClientCredential {
            certificate: Some(CertificateFacts::of(&id.cert)),
            key: Ok(()),
            key_matches: id.cert.public_key().ok().map(|k| k.public_eq(&id.key)),
        },
        Ok(None) => return None,
        Err(e) => {
            // The certificate may still be readable (PEM) when the key is not.
            let file = std::fs::read(crate::php::bytes_to_path(path)).unwrap_or_default();
            let cert = X509::stack_from_pem(&file)
                .ok()
                .and_then(|v| v.into_iter().next());
            // The loader refuses a key that opens but belongs to another certificate.
            let mismatch = e.text.contains(credentials::KEY_MISMATCH);
            ClientCredential {
                certificate: cert.as_deref().map(CertificateFacts::of),
                key: if mismatch { Ok(()) } else { Err(e) },
                key_matches: mismatch.then_some(false),
            }
        }
    })
}

/// The CA file's certificates; `None` without one (`not_use_ca_cert`).
pub fn ca_certificates(s: &TransportSettings) -> Option<Result<usize, TransportFailure>> {
    let path = s.ca_file.as_ref()?;
    Some(credentials::trust(path).map(|c| c.len()))
}

/// One connection to the gateway, as a telegram would make it (proxy, TLS path, verification),
/// closed without sending anything.
#[derive(Debug)]
pub struct Handshake {
    /// Time to the open TCP connection (through the proxy tunnel when one is configured).
    pub connect: Duration,
    /// Time of the TLS handshake on it.
    pub handshake: Duration,
    /// The negotiated TLS version (`TLSv1.3`).
    pub version: String,
    /// The negotiated cipher suite.
    pub cipher: String,
    /// The gateway's leaf certificate, when the library hands it out.
    pub server_certificate: Option<CertificateFacts>,
}

/// Open one connection to `url` with the settings `s` and close it: the doctor's TLS check.
/// Fails with the transport's errno (and so its E02004/E02005 meaning) as a telegram would.
/// Always a full handshake (no cached session): a resumed one shows no server certificate.
pub fn handshake(
    s: &TransportSettings,
    url: &[u8],
    timeout: Duration,
) -> Result<Handshake, TransportFailure> {
    let mut full = s.clone();
    full.session_cache_dir = None;
    let s = &full;
    let started = Instant::now();
    let deadline = started + timeout;
    let target = url::parse(url)?;
    let ctx = TlsContext::build(s)?;
    let t0 = Instant::now();
    let tcp = super::tcp(&target, s, deadline, started)?;
    let connect = t0.elapsed();
    let t1 = Instant::now();
    let conn = ctx.connect(tcp, &target, s)?;
    let handshake = t1.elapsed();
    let (version, cipher, server_certificate) = match &conn {
        TlsConn::OpenSsl(st) => {
            let ssl = st.ssl();
            (
                ssl.version_str().to_string(),
                ssl.current_cipher()
                    .map(|c| c.name().to_string())
                    .unwrap_or_default(),
                ssl.peer_certificate().as_deref().map(CertificateFacts::of),
            )
        }
        TlsConn::Rustls(st) => {
            let c = &st.conn;
            let cert = c
                .peer_certificates()
                .and_then(|v| v.first())
                .and_then(|der| X509::from_der(der).ok());
            (
                c.protocol_version()
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_default(),
                c.negotiated_cipher_suite()
                    .map(|cs| format!("{:?}", cs.suite()))
                    .unwrap_or_default(),
                cert.as_deref().map(CertificateFacts::of),
            )
        }
    };
    Ok(Handshake {
        connect,
        handshake,
        version,
        cipher,
        server_certificate,
    })
}

/// How the server asks for the client certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// In the initial handshake.
    Handshake,
    /// By a TLS 1.2 renegotiation after the request (Apache's per-`<Location>` SSLVerifyClient).
    Renegotiation,
    /// By TLS 1.3 post-handshake authentication after the request.
    PostHandshake,
    /// Not at all (for this path).
    NotAsked,
}

/// Find out how the server at `url` asks for the client certificate: one connection (OpenSSL,
/// identity and trust loaded only when needed, as the resume context does), an empty POST to the
/// URL's path — not a telegram: the gateway answers it with an error — and its reply read.
pub fn client_auth(
    s: &TransportSettings,
    url: &[u8],
    timeout: Duration,
) -> Result<ClientAuth, TransportFailure> {
    use std::io::Write;
    use std::sync::atomic::Ordering::Relaxed;
    let started = Instant::now();
    let deadline = started + timeout;
    let target = url::parse(url)?;
    let ctx = super::resume::ResumeContext::build(s, String::new())?;
    let index = super::resume::ask_watch_index()
        .ok_or_else(|| TransportFailure::new(35, "OpenSSL setup failed: ex_data"))?;
    let verify_host = s.verify_host && s.ca_file.is_some();
    let mut ssl = super::openssl_tls::new_ssl(ctx.context(), &target, verify_host)?;
    ssl.set_ex_data(index, super::resume::AskWatch::default());
    let tcp = super::tcp(&target, s, deadline, started)?;
    let mut stream = super::openssl_tls::handshake(ssl, tcp, &target)?;
    if let Some(w) = stream.ssl().ex_data(index) {
        w.handshake_done.store(true, Relaxed);
    }
    let request = super::http::request(&target, b"", "paygent-doctor", false);
    stream
        .write_all(&request)
        .map_err(|e| TransportFailure::new(55, format!("Failed sending data to the peer: {e}")))?;
    let read = super::http::response(&mut stream, started, 1 << 20);
    let asked = stream
        .ssl()
        .ex_data(index)
        .map_or(0, |w| w.asked.load(Relaxed));
    let tls13 = stream.ssl().version2() == Some(openssl::ssl::SslVersion::TLS1_3);
    // Only an HTTP answer proves the certificate was accepted: a TLS 1.3 server that refuses it
    // says so with an alert after the handshake has finished on our side.
    read?;
    Ok(match (asked, tls13) {
        (1, _) => ClientAuth::Handshake,
        (2, true) => ClientAuth::PostHandshake,
        (2, false) => ClientAuth::Renegotiation,
        _ => ClientAuth::NotAsked,
    })
}
