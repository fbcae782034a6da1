//! TEST-ONLY PKI. Generates, at test time, every credential the tests need: a root CA, an
//! intermediate, server certificates (right and wrong host), and client credentials in each format
//! a merchant may hold (the PAYGENT kit PEM with a legacy `Proc-Type: 4,ENCRYPTED` key, plain and
//! encrypted PKCS#8, separate key/cert files, PKCS#12). Nothing here is a real credential; the
//! passphrase is the kit default `changeit`.

use std::fs;
use std::io;
use std::path::Path;

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::symm::Cipher;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509, X509NameBuilder};

/// The kit's key passphrase.
pub const PASSWORD: &str = "changeit";

/// Files written by [`generate`] (relative to its directory):
/// - `ca.pem` root CA (the `ca_file_path` of tests), `intermediate.pem`, `ca-chain.pem` (both)
/// - `server.pem` (server cert + intermediate, SAN localhost, 127.0.0.1), `server.key`
/// - `server-wronghost.pem` / `.key` (SAN wrong.example)
/// - `client-kit.pem`: kit format — Bag Attributes lines, `Proc-Type: 4,ENCRYPTED` DES-EDE3-CBC
///   RSA key (changeit), client certificate, intermediate
/// - `client-kit-aes.pem`: the same with an AES-256-CBC legacy key
/// - `client-plain.pem`: unencrypted PKCS#8 key + certificate + intermediate
/// - `client.key` (unencrypted PKCS#8) and `client.crt` (certificate + intermediate), Perl style
/// - `client-pkcs8-enc.key`: the key as encrypted PKCS#8 (AES-256-CBC, changeit)
/// - `client.p12`: PKCS#12 (key, certificate, intermediate; changeit)
/// - `client-other.key`: an unrelated key (key/certificate mismatch tests)
/// - `client-expired.pem`: unencrypted kit whose certificate has expired
/// - `client-expiring.pem`: unencrypted kit whose certificate expires in 10 days
/// - `client-rogue.pem`: unencrypted kit from a CA the server does not trust
/// - `rogue-ca.pem`: that other CA (as `ca_file_path`: the server is then untrusted)
pub fn generate(dir: &Path) -> io::Result<()> {
    let marker = dir.join(".complete");
    if marker.exists() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    build(dir).map_err(io::Error::other)?;
    fs::write(marker, b"test-only PKI\n")
}

struct Issued {
    cert: X509,
    key: PKey<Private>,
}

fn build(dir: &Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let w = |name: &str, data: &[u8]| -> io::Result<()> { fs::write(dir.join(name), data) };
    let root = issue("paygent-rs TEST Root CA", None, Kind::Ca, 0, 3650)?;
    let inter = issue(
        "paygent-rs TEST Intermediate CA",
        Some(&root),
        Kind::Ca,
        0,
        3650,
    )?;
    let server = issue(
        "localhost",
        Some(&inter),
        Kind::Server(&["localhost"], true),
        0,
        825,
    )?;
    let wrong = issue(
        "wrong.example",
        Some(&inter),
        Kind::Server(&["wrong.example"], false),
        0,
        825,
    )?;
    let client = issue("TEST merchant 000000", Some(&inter), Kind::Client, 0, 825)?;
    let expired = issue("TEST merchant expired", Some(&inter), Kind::Client, -30, -1)?;
    let expiring = issue("TEST merchant expiring", Some(&inter), Kind::Client, -300, 10)?;
    let rogue_ca = issue("paygent-rs TEST Rogue CA", None, Kind::Ca, 0, 3650)?;
    let rogue = issue("TEST merchant rogue", Some(&rogue_ca), Kind::Client, 0, 825)?;
    let other = PKey::from_rsa(Rsa::generate(2048)?)?;

    let pem = |c: &X509| c.to_pem();
    let inter_pem = pem(&inter.cert)?;
    w("ca.pem", &pem(&root.cert)?)?;
    w("intermediate.pem", &inter_pem)?;
    w(
        "ca-chain.pem",
        &[pem(&root.cert)?, inter_pem.clone()].concat(),
    )?;
    w("rogue-ca.pem", &pem(&rogue_ca.cert)?)?;
    w(
        "server.pem",
        &[pem(&server.cert)?, inter_pem.clone()].concat(),
    )?;
    w("server.key", &server.key.private_key_to_pem_pkcs8()?)?;
    w(
        "server-wronghost.pem",
        &[pem(&wrong.cert)?, inter_pem.clone()].concat(),
    )?;
    w(
        "server-wronghost.key",
        &wrong.key.private_key_to_pem_pkcs8()?,
    )?;

    let rsa = client.key.rsa()?;
    let des3 = rsa.private_key_to_pem_passphrase(Cipher::des_ede3_cbc(), PASSWORD.as_bytes())?;
    let aes = rsa.private_key_to_pem_passphrase(Cipher::aes_256_cbc(), PASSWORD.as_bytes())?;
    w("client-kit.pem", &kit(&des3, &client.cert, &inter.cert)?)?;
    w("client-kit-aes.pem", &kit(&aes, &client.cert, &inter.cert)?)?;
    let plain = client.key.private_key_to_pem_pkcs8()?;
    w(
        "client-plain.pem",
        &[plain.clone(), pem(&client.cert)?, inter_pem.clone()].concat(),
    )?;
    w("client.key", &plain)?;
    w(
        "client.crt",
        &[pem(&client.cert)?, inter_pem.clone()].concat(),
    )?;
    let enc = client
        .key
        .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), PASSWORD.as_bytes())?;
    w("client-pkcs8-enc.key", &enc)?;
    let mut chain = Stack::new()?;
    chain.push(inter.cert.clone())?;
    let p12 = Pkcs12::builder()
        .name("TEST merchant 000000")
        .pkey(&client.key)
        .cert(&client.cert)
        .ca(chain)
        .build2(PASSWORD)?;
    w("client.p12", &p12.to_der()?)?;
    w("client-other.key", &other.private_key_to_pem_pkcs8()?)?;
    let exp_key = expired.key.private_key_to_pem_pkcs8()?;
    w(
        "client-expired.pem",
        &[exp_key, pem(&expired.cert)?, inter_pem.clone()].concat(),
    )?;
    let soon_key = expiring.key.private_key_to_pem_pkcs8()?;
    w(
        "client-expiring.pem",
        &[soon_key, pem(&expiring.cert)?, inter_pem].concat(),
    )?;
    let rogue_key = rogue.key.private_key_to_pem_pkcs8()?;
    w(
        "client-rogue.pem",
        &[rogue_key, pem(&rogue.cert)?, pem(&rogue_ca.cert)?].concat(),
    )?;
    Ok(())
}

/// The kit layout: what `openssl pkcs12 -in kit.p12 -out kit.pem` writes (bag attributes, the
/// legacy encrypted key, then the certificates with subject/issuer lines).
fn kit(key_pem: &[u8], cert: &X509, inter: &X509) -> Result<Vec<u8>, openssl::error::ErrorStack> {
    let name = |n: &openssl::x509::X509NameRef| {
        n.entries()
            .map(|e| {
                let v = e.data().to_string().unwrap_or_default();
                format!("/{}={v}", e.object().nid().short_name().unwrap_or("?"))
            })
            .collect::<String>()
    };
    let mut out = Vec::new();
    out.extend_from_slice(
        b"Bag Attributes\n    localKeyID: 01 00 00 00 \n    friendlyName: TEST merchant 000000\nKey Attributes: <No Attributes>\n",
    );
    out.extend_from_slice(key_pem);
    for (i, c) in [cert, inter].into_iter().enumerate() {
        if i == 0 {
            out.extend_from_slice(
                b"Bag Attributes\n    localKeyID: 01 00 00 00 \n    friendlyName: TEST merchant 000000\n",
            );
        } else {
            out.extend_from_slice(b"Bag Attributes: <No Attributes>\n");
        }
        out.extend_from_slice(format!("subject={}\n", name(c.subject_name())).as_bytes());
        out.extend_from_slice(format!("issuer={}\n", name(c.issuer_name())).as_bytes());
        out.extend_from_slice(&c.to_pem()?);
    }
    Ok(out)
}

enum Kind<'a> {
    Ca,
    /// DNS names, and whether 127.0.0.1 is a SAN too.
    Server(&'a [&'a str], bool),
    Client,
}

fn issue(
    cn: &str,
    issuer: Option<&Issued>,
    kind: Kind<'_>,
    from_days: i32,
    to_days: i32,
) -> Result<Issued, openssl::error::ErrorStack> {
    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("O", "paygent-rs TEST ONLY")?;
    name.append_entry_by_text("CN", cn)?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(96, MsbOption::MAYBE_ZERO, false)?;
    let serial = Asn1Integer::from_bn(&serial)?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(issuer.map(|i| i.cert.subject_name()).unwrap_or(&name))?;
    b.set_pubkey(&key)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let day = 86_400i64;
    let nb = Asn1Time::from_unix(now + from_days as i64 * day - 3600)?;
    b.set_not_before(&nb)?;
    let na = Asn1Time::from_unix(now + to_days as i64 * day)?;
    b.set_not_after(&na)?;
    let ctx = b.x509v3_context(issuer.map(|i| i.cert.as_ref()), None);
    let ski = SubjectKeyIdentifier::new().build(&ctx)?;
    let aki = AuthorityKeyIdentifier::new().keyid(false).build(&ctx)?;
    let mut exts = vec![ski];
    if issuer.is_some() {
        exts.push(aki);
    }
    match kind {
        Kind::Ca => {
            exts.push(BasicConstraints::new().critical().ca().build()?);
            exts.push(
                KeyUsage::new()
                    .critical()
                    .key_cert_sign()
                    .crl_sign()
                    .build()?,
            );
        }
        Kind::Server(names, ip) => {
            exts.push(BasicConstraints::new().build()?);
            exts.push(
                KeyUsage::new()
                    .critical()
                    .digital_signature()
                    .key_encipherment()
                    .build()?,
            );
            exts.push(ExtendedKeyUsage::new().server_auth().build()?);
            let mut san = SubjectAlternativeName::new();
            for n in names {
                san.dns(n);
            }
            if ip {
                san.ip("127.0.0.1");
            }
            exts.push(san.build(&ctx)?);
        }
        Kind::Client => {
            exts.push(BasicConstraints::new().build()?);
            exts.push(
                KeyUsage::new()
                    .critical()
                    .digital_signature()
                    .key_encipherment()
                    .build()?,
            );
            exts.push(ExtendedKeyUsage::new().client_auth().build()?);
        }
    }
    for e in exts {
        b.append_extension(e)?;
    }
    let signer = issuer.map(|i| &i.key).unwrap_or(&key);
    b.sign(signer, MessageDigest::sha256())?;
    Ok(Issued {
        cert: b.build(),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kit_pem_has_the_legacy_encrypted_key_and_the_chain() {
        let dir = std::env::temp_dir().join(format!("testpki-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        generate(&dir).unwrap();
        let kit = fs::read_to_string(dir.join("client-kit.pem")).unwrap();
        assert!(kit.starts_with("Bag Attributes"));
        assert!(kit.contains("Proc-Type: 4,ENCRYPTED"));
        assert!(kit.contains("DEK-Info: DES-EDE3-CBC,"));
        assert_eq!(kit.matches("BEGIN CERTIFICATE").count(), 2);
        let key = PKey::private_key_from_pem_passphrase(kit.as_bytes(), b"changeit").unwrap();
        let cert = X509::from_pem(&fs::read(dir.join("client.crt")).unwrap()).unwrap();
        assert!(cert.public_key().unwrap().public_eq(&key));
        assert!(PKey::private_key_from_pem_passphrase(kit.as_bytes(), b"wrong").is_err());
        let aes = fs::read_to_string(dir.join("client-kit-aes.pem")).unwrap();
        assert!(aes.contains("DEK-Info: AES-256-CBC,"));
        let p12 = Pkcs12::from_der(&fs::read(dir.join("client.p12")).unwrap()).unwrap();
        assert!(p12.parse2("changeit").unwrap().pkey.is_some());
        fs::remove_dir_all(&dir).unwrap();
    }
}
