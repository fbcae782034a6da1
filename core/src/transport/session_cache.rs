//! Cross-process TLS session cache for the OpenSSL path (`session_cache_dir`): CGI-style
//! merchants start a process per payment, so an in-memory cache never helps them. One file per
//! (host, port, scope), mode 0600 (it holds the session secret), written atomically.
//! rustls offers no session serialisation, so the rustls path does not use it.

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::TransportSettings;
use super::url::Target;
use openssl::ex_data::Index;
use openssl::hash::MessageDigest;
use openssl::ssl::{Ssl, SslContextBuilder, SslRef, SslSession, SslSessionCacheMode};

/// Where the session of one connection goes when the server issues it, whether it went, and
/// whether the connection's first handshake is over.
struct Slot {
    path: PathBuf,
    stored: AtomicBool,
    established: AtomicBool,
}

fn slot_index() -> Option<Index<Ssl, Slot>> {
    static INDEX: OnceLock<Option<Index<Ssl, Slot>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

/// Let OpenSSL hand us each new client session (TLS 1.2 at handshake end, TLS 1.3 tickets later).
/// One file write per connection: a TLS 1.3 server sends two tickets, either resumes, and each
/// write (temp file + rename over the old one) costs the process 0.3-0.5 ms on ext4.
/// A TLS 1.2 session made by a renegotiation (a server asking for the client certificate per
/// `<Location>`) is never stored: Apache gives it the location's session id context, so a new
/// connection's first handshake cannot resume it, and storing it made every other process do a
/// full handshake (core/tests/apache_matrix.rs).
pub fn enable(b: &mut SslContextBuilder) {
    b.set_session_cache_mode(SslSessionCacheMode::CLIENT | SslSessionCacheMode::NO_INTERNAL);
    b.set_new_session_callback(|ssl, session| {
        if let Some(slot) = slot_index().and_then(|i| ssl.ex_data(i)) {
            let tls13 = ssl.version2() == Some(openssl::ssl::SslVersion::TLS1_3);
            let renegotiated = !tls13 && slot.established.load(Ordering::Relaxed);
            if !renegotiated && !slot.stored.swap(true, Ordering::Relaxed) {
                store(&slot.path, &session);
            }
        }
    });
}

/// The connection's first handshake is over: a later TLS 1.2 session comes from a renegotiation.
pub fn established(ssl: &SslRef) {
    if let Some(slot) = slot_index().and_then(|i| ssl.ex_data(i)) {
        slot.established.store(true, Ordering::Relaxed);
    }
}

/// What a stored session vouches for: the client identity it authenticated (a resumed session
/// keeps it) and how the server was verified (a resumed session skips verification). Sessions
/// made under other settings must not be offered. Taken from the raw bytes of the credential
/// files, not the parsed certificates, so that the light context (light.rs) finds the file
/// without parsing anything; a changed file (renewed certificate, replaced key) never resumes a
/// session of the old one. `None` when a file cannot be read (the full path reports it).
pub fn scope(s: &TransportSettings) -> Option<String> {
    let mut data = Vec::new();
    for f in [&s.client_file, &s.client_key_file, &s.ca_file] {
        match f {
            Some(path) => {
                let bytes = std::fs::read(OsStr::from_bytes(path)).ok()?;
                data.extend_from_slice(&(path.len() as u64).to_le_bytes());
                data.extend_from_slice(path);
                data.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                data.extend_from_slice(&bytes);
            }
            None => data.extend_from_slice(b"\xffnone"),
        }
    }
    data.push(s.verify_host as u8);
    // A session made with the right key must not hide a wrong passphrase in the configuration.
    data.extend_from_slice(&s.client_key_password);
    let d = openssl::hash::hash(MessageDigest::sha256(), &data).ok()?;
    Some(d.iter().take(8).map(|b| format!("{b:02x}")).collect())
}

/// The directory to use for `session_cache_dir` (config value), or `None` for no cache.
/// The default (`auto`) is `<temp dir>/paygent-tls-<euid>`, created with mode 0700 and used only
/// while it is a real directory owned by this user that nobody else can enter: session tickets
/// resume the merchant's authenticated TLS identity, so they get the key file's protection.
pub fn directory(configured: &[u8]) -> Option<Vec<u8>> {
    if configured.is_empty() {
        return None;
    }
    if configured != crate::config::SESSION_CACHE_AUTO {
        return Some(configured.to_vec());
    }
    private_dir(&std::env::temp_dir()).map(|d| d.as_os_str().as_bytes().to_vec())
}

/// `<base>/paygent-tls-<euid>`, created 0700 if missing; `None` unless it is a directory (not a
/// link) owned by us with no group/other permissions.
fn private_dir(base: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let dir = base.join(format!("paygent-tls-{uid}"));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    let meta = std::fs::symlink_metadata(&dir).ok()?;
    let private = meta.is_dir() && meta.uid() == uid && meta.mode() & 0o077 == 0;
    private.then_some(dir)
}

/// The cache file for this target under this scope.
pub fn file(dir: &[u8], target: &Target, scope: &str) -> PathBuf {
    let host: String = target
        .host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Path::new(OsStr::from_bytes(dir)).join(format!("{host}_{}_{scope}.tlssession", target.port))
}

/// The stored session in this file, if it parses and has not expired.
pub fn load(path: &Path) -> Option<SslSession> {
    let der = std::fs::read(path).ok()?;
    let session = SslSession::from_der(&der).ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    // SSL_SESSION_get_time's type differs between OpenSSL versions.
    #[allow(clippy::useless_conversion)]
    let born = i64::from(session.time());
    (born + session.timeout() > now).then_some(session)
}

/// Offer the cached session (read from `path` unless already loaded) and remember where to save
/// the next one.
pub fn prepare(ssl: &mut SslRef, path: PathBuf, loaded: Option<SslSession>) {
    if let Some(session) = loaded.or_else(|| load(&path)) {
        // Safety: the session was produced by this module's OpenSSL client for this same
        // host, port and scope (the file name says so).
        let _ = unsafe { ssl.set_session(&session) };
    }
    if let Some(i) = slot_index() {
        ssl.set_ex_data(
            i,
            Slot {
                path,
                stored: AtomicBool::new(false),
                established: AtomicBool::new(false),
            },
        );
    }
}

fn store(path: &Path, session: &SslSession) {
    let Ok(der) = session.to_der() else { return };
    let der = without_peer(&der).unwrap_or(der);
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| f.write_all(&der));
    // Unlink first: ext4 (auto_da_alloc) forces the new file's data to disk when a rename
    // replaces an existing file, 0.3-0.5 ms per process. A reader that finds no file in between
    // just makes a full handshake. A cache: failures only cost a full handshake next time.
    let mut new_file = false;
    if written.is_ok() {
        new_file = matches!(std::fs::remove_file(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    }
    if written.is_err() || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    // A file under a new name (first use, renewed credentials, another gateway): the time to
    // drop the files nobody can use any more.
    if new_file {
        if let Some(dir) = path.parent() {
            sweep(dir, std::time::SystemTime::now());
        }
    }
}

/// A session file not rewritten for this long cannot resume: TLS 1.3 tickets live at most
/// 7 days (RFC 8446 §4.6.1), TLS 1.2 sessions far less. A new session rewrites the file (TLS 1.3:
/// every connection; TLS 1.2: every full handshake), so files in use stay younger.
const SESSION_STALE: std::time::Duration = std::time::Duration::from_secs(8 * 24 * 3600);
/// Temporary files left by a process that died between write and rename.
const TEMP_STALE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Remove stale session and temporary files of this cache from `dir` (nothing else: only
/// regular files with our suffixes).
fn sweep(dir: &Path, now: std::time::SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.as_bytes();
        let limit = if name.ends_with(b".tlssession") {
            SESSION_STALE
        } else if name.windows(4).any(|w| w == b".tmp") {
            TEMP_STALE
        } else {
            continue;
        };
        let Ok(meta) = e.path().symlink_metadata() else {
            continue;
        };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok());
        if meta.is_file() && age.is_some_and(|a| a > limit) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The session without the server certificate (`peer`, `[3]` in OpenSSL's SSL_SESSION
/// encoding): resumption does not use it (the server was verified when the session was made),
/// and parsing it costs every later process an OpenSSL 3 decoder set-up (~2.5 M instructions).
/// `None` (store it whole) when the encoding is not the expected one.
fn without_peer(der: &[u8]) -> Option<Vec<u8>> {
    let (0x30, mut fields, []) = tlv(der)? else {
        return None;
    };
    let mut body = Vec::with_capacity(fields.len());
    while !fields.is_empty() {
        let (tag, _, rest) = tlv(fields)?;
        if tag != 0xa3 {
            body.extend_from_slice(&fields[..fields.len() - rest.len()]);
        }
        fields = rest;
    }
    let n = body.len();
    if n > 0xffff {
        return None;
    }
    let mut out = vec![0x30];
    match n {
        0..=0x7f => out.push(n as u8),
        0x80..=0xff => out.extend_from_slice(&[0x81, n as u8]),
        _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(&body);
    // Only keep it if OpenSSL reads it back.
    SslSession::from_der(&out).ok().map(|_| out)
}

/// One DER element: (tag, contents, what follows). Single-byte tags, definite lengths.
fn tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, d) = d.split_first()?;
    let (&first, d) = d.split_first()?;
    let (len, d) = if first < 0x80 {
        (first as usize, d)
    } else {
        let k = (first & 0x7f) as usize;
        if k == 0 || k > 3 || d.len() < k {
            return None;
        }
        let len = d[..k].iter().fold(0usize, |a, &b| a << 8 | b as usize);
        (len, &d[k..])
    };
    (d.len() >= len).then(|| (tag, &d[..len], &d[len..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_directory_is_private_or_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir().join(format!("paygent-sc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let dir = super::private_dir(&base).expect("created");
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        // someone widened it: the cache is not used (tickets resume the merchant's identity)
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(super::private_dir(&base), None);
        // a link planted in its place is not followed
        std::fs::remove_dir(&dir).unwrap();
        std::os::unix::fs::symlink(&base, &dir).unwrap();
        assert_eq!(super::private_dir(&base), None);
        std::fs::remove_dir_all(&base).unwrap();
        assert_eq!(super::directory(b""), None);
        assert_eq!(super::directory(b"/some/dir").unwrap(), b"/some/dir");
    }

    use super::*;

    #[test]
    fn sweep_drops_stale_session_and_temp_files_only() {
        use std::time::{Duration, SystemTime};
        let dir = std::env::temp_dir().join(format!("paygent-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let now = SystemTime::now();
        let day = Duration::from_secs(24 * 3600);
        let files = [
            ("gw_443_aaaa.tlssession", now - 9 * day, false), // expired scope
            ("gw_443_bbbb.tlssession", now - day, true),      // in use
            (
                "gw_443_cccc.tmp4242",
                now - Duration::from_secs(7200),
                false,
            ), // crash leftover
            ("gw_443_dddd.tmp4243", now, true),               // being written right now
            ("merchant-notes.txt", now - 30 * day, true),     // not ours
        ];
        for (name, mtime, _) in files {
            let f = std::fs::File::create(dir.join(name)).unwrap();
            f.set_modified(mtime).unwrap();
        }
        sweep(&dir, now);
        for (name, _, kept) in files {
            assert_eq!(dir.join(name).exists(), kept, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn der_elements() {
        assert_eq!(
            tlv(&[0x30, 0x01, 0x05, 0xff]),
            Some((0x30, &[5u8][..], &[0xffu8][..]))
        );
        let long: Vec<u8> = [0x04, 0x81, 0x80].into_iter().chain([7u8; 0x80]).collect();
        assert_eq!(
            tlv(&long).map(|(t, c, r)| (t, c.len(), r.len())),
            Some((4, 0x80, 0))
        );
        assert_eq!(tlv(&[0x04, 0x05, 1]), None);
        assert_eq!(without_peer(b"not der"), None);
    }
}
