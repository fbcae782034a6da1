//! rustls server configuration: server.pem chain + server.key from the test PKI, client
//! certificates verified against ca.pem (the intermediate comes from the client's chain).

use std::path::Path;
use std::sync::Arc;

use rustls::crypto::ring;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, SupportedProtocolVersion};

#[derive(Clone, Copy)]
pub enum Versions {
    Both,
    Tls12,
    Tls13,
}

pub fn server_config(
    pki: &Path,
    versions: Versions,
    client_auth: bool,
) -> Result<ServerConfig, String> {
    let err = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
    let provider = Arc::new(ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(pki.join("server.pem"))
        .map_err(|e| err("server.pem", &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| err("server.pem", &e))?;
    let key =
        PrivateKeyDer::from_pem_file(pki.join("server.key")).map_err(|e| err("server.key", &e))?;
    let protocols: &[&'static SupportedProtocolVersion] = match versions {
        Versions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Versions::Tls12 => &[&rustls::version::TLS12],
        Versions::Tls13 => &[&rustls::version::TLS13],
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(protocols)
        .map_err(|e| err("TLS versions", &e))?;
    let builder = if client_auth {
        let mut roots = RootCertStore::empty();
        for ca in
            CertificateDer::pem_file_iter(pki.join("ca.pem")).map_err(|e| err("ca.pem", &e))?
        {
            roots
                .add(ca.map_err(|e| err("ca.pem", &e))?)
                .map_err(|e| err("ca.pem", &e))?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| err("client verifier", &e))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    builder
        .with_single_cert(chain, key)
        .map_err(|e| err("server certificate", &e))
}

/// `/O=…/CN=…` of a DER certificate (the `subject=` style of the kit PEM), or "" if unreadable.
pub fn subject(der: &[u8]) -> String {
    let Ok(cert) = openssl::x509::X509::from_der(der) else {
        return String::new();
    };
    cert.subject_name()
        .entries()
        .map(|e| {
            let v = e.data().to_string().unwrap_or_default();
            format!("/{}={v}", e.object().nid().short_name().unwrap_or("?"))
        })
        .collect()
}
