//! Client credentials and trust anchors, loaded with OpenSSL for both TLS backends (decision 16):
//! the kit PEM (Bag Attributes text, legacy `Proc-Type: 4,ENCRYPTED` key, certificate,
//! intermediate), plain or encrypted PKCS#8, a separate key file, and PKCS#12.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::TransportSettings;
use crate::error::TransportFailure;

/// The client's key, its certificate and the certificates sent after it.
pub struct Identity {
    pub key: PKey<Private>,
    pub cert: X509,
    pub chain: Vec<X509>,
}

/// What a TLS backend needs from the settings.
pub struct Credentials {
    pub identity: Option<Identity>,
    /// `None`: no server verification (`not_use_ca_cert`).
    pub trust: Option<Vec<X509>>,
}

pub fn load(s: &TransportSettings) -> Result<Credentials, TransportFailure> {
    // Client first: curl reports a bad client certificate (58) before a bad CA file (77).
    let identity = client_identity(s)?;
    let trust = match &s.ca_file {
        Some(path) => Some(trust(path)?),
        None => None,
    };
    Ok(Credentials { identity, trust })
}

/// The client identity alone (`None`: no client certificate configured).
pub fn client_identity(s: &TransportSettings) -> Result<Option<Identity>, TransportFailure> {
    match &s.client_file {
        Some(path) => {
            identity(path, s.client_key_file.as_deref(), &s.client_key_password).map(Some)
        }
        None => Ok(None),
    }
}

/// The text of a key that opens but belongs to another certificate (the doctor tells it apart).
pub const KEY_MISMATCH: &str = "the private key does not match the client certificate";

fn show(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

fn read(path: &[u8], what: &str, errno: u32) -> Result<Vec<u8>, TransportFailure> {
    std::fs::read(Path::new(OsStr::from_bytes(path))).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            std::io::ErrorKind::PermissionDenied => "file not readable".to_string(),
            _ => e.to_string(),
        };
        TransportFailure::new(
            errno,
            format!("could not load {what} {}: {why}", show(path)),
        )
    })
}

fn cert_problem(text: String) -> TransportFailure {
    TransportFailure::new(58, text)
}

fn is_pkcs12(path: &[u8], data: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(b".p12")
        || lower.ends_with(b".pfx")
        // DER SEQUENCE with a long-form length, and no PEM armour anywhere.
        || (data.first() == Some(&0x30) && !data.windows(11).any(|w| w == b"-----BEGIN "))
}

fn identity(
    cert_path: &[u8],
    key_path: Option<&[u8]>,
    password: &[u8],
) -> Result<Identity, TransportFailure> {
    let data = read(cert_path, "client certificate", 58)?;
    let id = if is_pkcs12(cert_path, &data) {
        pkcs12(cert_path, &data, password)?
    } else {
        let (key_data, key_from) = match key_path {
            Some(p) => (read(p, "client key", 58)?, p),
            None => (data.clone(), cert_path),
        };
        let key = pem_key(key_from, &key_data, password)?;
        let mut certs = X509::stack_from_pem(&data)
            .map_err(|e| {
                cert_problem(format!(
                    "could not parse client certificate {}: {e}",
                    show(cert_path)
                ))
            })?
            .into_iter();
        let cert = certs.next().ok_or_else(|| {
            cert_problem(format!(
                "could not load PEM client certificate from {}: no certificate found",
                show(cert_path)
            ))
        })?;
        Identity {
            key,
            cert,
            chain: certs.collect(),
        }
    };
    let matches = id
        .cert
        .public_key()
        .map(|p| p.public_eq(&id.key))
        .unwrap_or(false);
    if !matches {
        return Err(cert_problem(format!(
            "unable to set private key file: {}: {KEY_MISMATCH}",
            show(key_path.unwrap_or(cert_path))
        )));
    }
    Ok(id)
}

fn pem_key(path: &[u8], data: &[u8], password: &[u8]) -> Result<PKey<Private>, TransportFailure> {
    // The kit's legacy key without OpenSSL 3's decoder set-up (~1 ms per process).
    if let Some(key) = super::legacy_pem::decode(data, password) {
        return Ok(key);
    }
    match PKey::private_key_from_pem_passphrase(data, password) {
        Ok(k) => Ok(k),
        Err(e) => {
            let has_key = data.windows(16).any(|w| w == b"PRIVATE KEY-----");
            let encrypted = data.windows(9).any(|w| w == b"ENCRYPTED");
            let why = if !has_key {
                "no private key found".to_string()
            } else if encrypted {
                "wrong pass phrase for the private key".to_string()
            } else {
                format!("unreadable private key ({e})")
            };
            Err(cert_problem(format!(
                "unable to set private key file: {}: {why}",
                show(path)
            )))
        }
    }
}

/// OpenSSL 3 keeps RC2-40 (the old `.p12` default) in the "legacy" provider; load it once,
/// lazily, keeping the default provider. OpenSSL 1.1.1 has it built in: nothing to load.
#[cfg(not(ossl300))]
fn load_legacy_provider() {}

#[cfg(ossl300)]
fn load_legacy_provider() {
    static LEGACY: std::sync::Once = std::sync::Once::new();
    LEGACY.call_once(|| {
        if let Ok(p) = openssl::provider::Provider::try_load(None, "legacy", true) {
            // Stays loaded for the life of the process (unloading would break keys using it).
            std::mem::forget(p);
        }
    });
}

fn pkcs12(path: &[u8], data: &[u8], password: &[u8]) -> Result<Identity, TransportFailure> {
    let bad =
        |why: String| cert_problem(format!("could not parse PKCS12 file {}: {why}", show(path)));
    let password = std::str::from_utf8(password)
        .ok()
        .filter(|p| !p.contains('\0'))
        .ok_or_else(|| bad("the password is not usable (not UTF-8 or holds NUL)".into()))?;
    let p12 = Pkcs12::from_der(data).map_err(|e| bad(format!("not a PKCS12 file ({e})")))?;
    let parsed = match p12.parse2(password) {
        Ok(p) => p,
        Err(first) => {
            load_legacy_provider();
            p12.parse2(password).map_err(|_| {
                let s = first.to_string();
                if s.contains("mac verify") || s.contains("mac") {
                    bad("wrong password (MAC verify failure)".into())
                } else {
                    bad(format!("wrong password or unsupported algorithm ({s})"))
                }
            })?
        }
    };
    let key = parsed
        .pkey
        .ok_or_else(|| bad("no private key in the file".into()))?;
    let cert = parsed
        .cert
        .ok_or_else(|| bad("no certificate in the file".into()))?;
    let chain = parsed
        .ca
        .map(|s| s.into_iter().collect())
        .unwrap_or_default();
    Ok(Identity { key, cert, chain })
}

pub(super) fn trust(path: &[u8]) -> Result<Vec<X509>, TransportFailure> {
    let bad = |why: String| {
        TransportFailure::new(
            77,
            format!(
                "error setting certificate verify locations: CAfile: {} ({why})",
                show(path)
            ),
        )
    };
    let data = std::fs::read(Path::new(OsStr::from_bytes(path))).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => bad("file not found".into()),
        std::io::ErrorKind::PermissionDenied => bad("file not readable".into()),
        _ => bad(e.to_string()),
    })?;
    let certs = X509::stack_from_pem(&data).map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("no certificate found".into()));
    }
    Ok(certs)
}
