//! A short path for the kit's key: a traditional `-----BEGIN RSA PRIVATE KEY-----` block,
//! plain or `Proc-Type: 4,ENCRYPTED`. OpenSSL 3's generic PEM reader sets up its decoder
//! machinery for it, a large part of a one-telegram process; here the block is decrypted as
//! PEM_do_header does (EVP_BytesToKey with MD5, salt = first 8 bytes of the IV, one round) and
//! the DER read with d2i_RSAPrivateKey. Anything unexpected gives `None` and the caller uses
//! the generic reader, which then also words any error.

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::symm::{Cipher, decrypt};

const BEGIN: &[u8] = b"-----BEGIN RSA PRIVATE KEY-----";
const END: &[u8] = b"-----END RSA PRIVATE KEY-----";

/// The key of `data` if its first private-key block is a traditional RSA one we can read.
pub fn decode(data: &[u8], password: &[u8]) -> Option<PKey<Private>> {
    // The generic reader takes the first private key of the file: only go first if that is ours.
    let first_key = find(data, b"PRIVATE KEY-----")?;
    let begin = find(data, BEGIN)?;
    if begin + BEGIN.len() != first_key + b"PRIVATE KEY-----".len() {
        return None;
    }
    let rest = &data[begin + BEGIN.len()..];
    let block = &rest[..find(rest, END)?];
    let (headers, body) = split_headers(block)?;
    let der = match headers {
        None => base64(body)?,
        Some(h) => {
            let (cipher, iv) = dek_info(h)?;
            // An empty pass phrase is an error for the generic reader; let it say so.
            if password.is_empty() {
                return None;
            }
            let key = openssl::pkcs5::bytes_to_key(
                cipher,
                MessageDigest::md5(),
                password,
                Some(&iv[..8]),
                1,
            )
            .ok()?;
            decrypt(cipher, &key.key, Some(&iv), &base64(body)?).ok()?
        }
    };
    let rsa = Rsa::private_key_from_der(&der).ok()?;
    PKey::from_rsa(rsa).ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `(Some(headers), body)` for an encrypted block (headers end at the first empty line),
/// `(None, body)` for a plain one.
fn split_headers(block: &[u8]) -> Option<(Option<&[u8]>, &[u8])> {
    if find(block, b"Proc-Type:").is_none() {
        return (!block.contains(&b':')).then_some((None, block));
    }
    let blank = find(block, b"\n\n")
        .map(|i| (i, 2))
        .or_else(|| find(block, b"\n\r\n").map(|i| (i, 3)))?;
    let headers = &block[..blank.0];
    find(headers, b"Proc-Type: 4,ENCRYPTED")?;
    Some((Some(headers), &block[blank.0 + blank.1..]))
}

/// Cipher and IV of the `DEK-Info:` header.
fn dek_info(headers: &[u8]) -> Option<(Cipher, Vec<u8>)> {
    let at = find(headers, b"DEK-Info: ")? + b"DEK-Info: ".len();
    let line = headers[at..].split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    let (name, iv_hex) = line.split_once(',')?;
    let cipher = match name {
        "DES-EDE3-CBC" => Cipher::des_ede3_cbc(),
        "AES-128-CBC" => Cipher::aes_128_cbc(),
        "AES-192-CBC" => Cipher::aes_192_cbc(),
        "AES-256-CBC" => Cipher::aes_256_cbc(),
        _ => return None,
    };
    let iv = hex(iv_hex.trim())?;
    (Some(iv.len()) == cipher.iv_len() && iv.len() >= 8).then_some((cipher, iv))
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn base64(body: &[u8]) -> Option<Vec<u8>> {
    let text: String = std::str::from_utf8(body)
        .ok()?
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    openssl::base64::decode_block(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Rsa<Private> {
        Rsa::generate(1024).unwrap()
    }

    #[test]
    fn reads_what_the_generic_reader_reads() {
        let rsa = key();
        let want = rsa.private_key_to_der().unwrap();
        let ciphers = [
            Cipher::des_ede3_cbc(),
            Cipher::aes_128_cbc(),
            Cipher::aes_256_cbc(),
        ];
        for cipher in ciphers {
            let pem = rsa
                .private_key_to_pem_passphrase(cipher, b"changeit")
                .unwrap();
            let kit = [b"Bag Attributes\n    friendlyName: x\n".to_vec(), pem].concat();
            let k = decode(&kit, b"changeit").expect("decoded");
            assert_eq!(k.rsa().unwrap().private_key_to_der().unwrap(), want);
            assert!(decode(&kit, b"wrong").is_none());
            assert!(decode(&kit, b"").is_none());
        }
        let plain = rsa.private_key_to_pem().unwrap();
        let k = decode(&plain, b"").expect("plain");
        assert_eq!(k.rsa().unwrap().private_key_to_der().unwrap(), want);
        let crlf = String::from_utf8(plain).unwrap().replace('\n', "\r\n");
        assert!(decode(crlf.as_bytes(), b"").is_some());
    }

    #[test]
    fn leaves_other_layouts_to_the_generic_reader() {
        let pkey = PKey::from_rsa(key()).unwrap();
        let pkcs8 = pkey.private_key_to_pem_pkcs8().unwrap();
        assert!(decode(&pkcs8, b"").is_none());
        // a PKCS#8 key first: the generic reader would take that one
        let traditional = pkey.rsa().unwrap().private_key_to_pem().unwrap();
        assert!(decode(&[pkcs8, traditional].concat(), b"").is_none());
        assert!(decode(b"no key here", b"x").is_none());
    }
}
