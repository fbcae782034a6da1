//! The default TLS path: system OpenSSL. It follows a server that asks for the client
//! certificate late — TLS 1.2 renegotiation or TLS 1.3 post-handshake auth (decision 14).

use openssl::ssl::{
    HandshakeError, Ssl, SslContext, SslContextBuilder, SslMethod, SslStream, SslVerifyMode,
    SslVersion,
};
use openssl::x509::X509VerifyResult;
use openssl::x509::store::X509StoreBuilder;

use super::credentials::Credentials;
use super::stream::TimedTcp;
use super::url::Target;
use crate::error::TransportFailure;

fn setup(e: openssl::error::ErrorStack) -> TransportFailure {
    TransportFailure::new(35, format!("OpenSSL setup failed: {e}"))
}

/// The protocol settings both contexts share (the full one here, the resume one in coldstart/resume.rs).
pub fn base(session_cache: bool) -> Result<SslContextBuilder, TransportFailure> {
    let mut b = SslContextBuilder::new(SslMethod::tls_client()).map_err(setup)?;
    b.set_min_proto_version(Some(SslVersion::TLS1_2))
        .map_err(setup)?;
    // No SSL_OP_IGNORE_UNEXPECTED_EOF: a reply that ends only with the connection must end
    // with close_notify, else it may be cut (tls.rs `openssl_read`, http.rs).
    // TLS 1.3 post-handshake client authentication: off by default in OpenSSL, so a server that
    // asks for the certificate after the handshake (per-location SSLVerifyClient) would fail.
    // SAFETY: the pointer is the live SSL_CTX owned by `b`.
    unsafe { openssl_sys::SSL_CTX_set_post_handshake_auth(b.as_ptr(), 1) };
    // Renegotiation (TLS 1.2) is allowed by OpenSSL clients unless SSL_OP_NO_RENEGOTIATION.
    if session_cache {
        super::session_cache::enable(&mut b);
    }
    Ok(b)
}

pub fn context(creds: Credentials, session_cache: bool) -> Result<SslContext, TransportFailure> {
    let mut b = base(session_cache)?;
    match creds.trust {
        Some(certs) => {
            let mut store = X509StoreBuilder::new().map_err(setup)?;
            for c in certs {
                store.add_cert(c).map_err(|e| {
                    TransportFailure::new(77, format!("error adding CA certificate: {e}"))
                })?;
            }
            b.set_cert_store(store.build());
            b.set_verify(SslVerifyMode::PEER);
        }
        None => b.set_verify(SslVerifyMode::NONE),
    }
    if let Some(id) = creds.identity {
        let bad = |e: openssl::error::ErrorStack| {
            TransportFailure::new(58, format!("unable to use client certificate: {e}"))
        };
        b.set_certificate(&id.cert).map_err(bad)?;
        b.set_private_key(&id.key).map_err(bad)?;
        b.check_private_key().map_err(bad)?;
        for c in id.chain {
            b.add_extra_chain_cert(c).map_err(bad)?;
        }
    }
    Ok(b.build())
}

pub fn connect(
    ctx: &SslContext,
    tcp: TimedTcp,
    target: &Target,
    verify_host: bool,
    cached: Option<(
        Option<super::session_cache::Loaded>,
        super::session_cache::Entry,
    )>,
) -> Result<SslStream<TimedTcp>, TransportFailure> {
    let mut ssl = new_ssl(ctx, target, verify_host)?;
    if let Some((loaded, entry)) = cached {
        super::session_cache::prepare(&mut ssl, entry, loaded);
    }
    handshake(ssl, tcp, target)
}

/// An SSL for this target: SNI for DNS names, and the name to verify.
pub fn new_ssl(
    ctx: &SslContext,
    target: &Target,
    verify_host: bool,
) -> Result<Ssl, TransportFailure> {
    let mut ssl = Ssl::new(ctx).map_err(setup)?;
    let ip = target.ip();
    if ip.is_none() {
        ssl.set_hostname(&target.host).map_err(setup)?; // SNI
    }
    if verify_host {
        let p = ssl.param_mut();
        match ip {
            Some(ip) => p.set_ip(ip).map_err(setup)?,
            None => p.set_host(&target.host).map_err(setup)?,
        }
    }
    Ok(ssl)
}

pub fn handshake(
    ssl: Ssl,
    tcp: TimedTcp,
    target: &Target,
) -> Result<SslStream<TimedTcp>, TransportFailure> {
    match ssl.connect(tcp) {
        Ok(s) => {
            // A TLS 1.2 session made after this point comes from a renegotiation.
            super::session_cache::established(s.ssl());
            Ok(s)
        }
        Err(HandshakeError::SetupFailure(e)) => Err(setup(e)),
        Err(HandshakeError::Failure(mid)) => {
            let verify = mid.ssl().verify_result();
            let err = mid.error();
            if verify != X509VerifyResult::OK {
                return Err(TransportFailure::new(
                    60,
                    format!("SSL certificate problem: {}", verify.error_string()),
                ));
            }
            Err(handshake_failure(err.io_error(), &err.to_string(), target))
        }
        Err(HandshakeError::WouldBlock(mid)) => Err(handshake_failure(
            mid.error().io_error(),
            "would block",
            target,
        )),
    }
}

fn handshake_failure(io: Option<&std::io::Error>, text: &str, target: &Target) -> TransportFailure {
    match io {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            TransportFailure::new(28, "SSL connection timeout")
        }
        Some(e) => TransportFailure::new(
            35,
            format!(
                "OpenSSL SSL_connect: {e} in connection to {}",
                target.authority()
            ),
        ),
        None => TransportFailure::new(35, format!("OpenSSL SSL_connect: {text}")),
    }
}
