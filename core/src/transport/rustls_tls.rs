//! The opt-in TLS path: rustls with the ring provider. It needs the client certificate asked for
//! in the initial handshake: rustls implements neither renegotiation nor post-handshake auth.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
    SignatureScheme, StreamOwned,
};

use super::credentials::Credentials;
use super::stream::TimedTcp;
use super::url::Target;
use crate::error::TransportFailure;

pub type Stream = StreamOwned<ClientConnection, TimedTcp>;

pub fn config(
    creds: Credentials,
    verify_host: bool,
) -> Result<Arc<ClientConfig>, TransportFailure> {
    let setup = |e: String| TransportFailure::new(35, format!("rustls setup failed: {e}"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| setup(e.to_string()))?;
    let verifier: Arc<dyn ServerCertVerifier> = match creds.trust {
        Some(certs) => {
            let mut roots = RootCertStore::empty();
            for c in certs {
                let der = c.to_der().map_err(|e| setup(e.to_string()))?;
                roots.add(CertificateDer::from(der)).map_err(|e| {
                    TransportFailure::new(77, format!("error adding CA certificate: {e}"))
                })?;
            }
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| {
                        TransportFailure::new(
                            77,
                            format!("error setting certificate verify locations: {e}"),
                        )
                    })?;
            if verify_host {
                webpki
            } else {
                Arc::new(AnyHost(webpki))
            }
        }
        None => Arc::new(NoVerification(provider)),
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match creds.identity {
        Some(id) => {
            let bad = |e: String| {
                TransportFailure::new(58, format!("unable to use client certificate: {e}"))
            };
            let mut chain = Vec::with_capacity(1 + id.chain.len());
            for c in std::iter::once(&id.cert).chain(id.chain.iter()) {
                chain.push(CertificateDer::from(
                    c.to_der().map_err(|e| bad(e.to_string()))?,
                ));
            }
            let key = id
                .key
                .private_key_to_pkcs8()
                .map_err(|e| bad(e.to_string()))?;
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| bad(e.to_string()))?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

pub fn connect(
    config: &Arc<ClientConfig>,
    mut tcp: TimedTcp,
    target: &Target,
) -> Result<Stream, TransportFailure> {
    let name = match target.ip() {
        Some(ip) => ServerName::IpAddress(ip.into()), // no SNI for address literals
        None => ServerName::try_from(target.host.clone())
            .map_err(|_| TransportFailure::new(3, "URL using bad/illegal format or missing URL"))?,
    };
    let mut conn = ClientConnection::new(config.clone(), name)
        .map_err(|e| TransportFailure::new(35, format!("rustls setup failed: {e}")))?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            return Err(handshake_failure(&e, target));
        }
    }
    Ok(StreamOwned::new(conn, tcp))
}

fn handshake_failure(e: &std::io::Error, target: &Target) -> TransportFailure {
    if e.kind() == std::io::ErrorKind::TimedOut {
        return TransportFailure::new(28, "SSL connection timeout");
    }
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::InvalidCertificate(c)) => {
            TransportFailure::new(60, format!("SSL certificate problem: {c:?}"))
        }
        Some(r) => TransportFailure::new(35, format!("rustls handshake failed: {r}")),
        None => TransportFailure::new(
            35,
            format!(
                "TLS connect error: {e} in connection to {}",
                target.authority()
            ),
        ),
    }
}

/// `verify_host=false` (decision 15): the chain must still verify; only the name is not checked.
#[derive(Debug)]
struct AnyHost(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHost {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            // webpki checks the chain before the name, so a name error means the chain is good.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `not_use_ca_cert=true` (decision 15): no server verification at all, as the official module.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
