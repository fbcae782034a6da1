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
/// The default (`auto`) is `<temp dir>/paygent-tls-<euid>`, created with mode 0700. Either
/// directory is used only while it is a real directory owned by this user that nobody else can
/// enter: session tickets resume the merchant's authenticated TLS identity, so they get the key
/// file's protection, and a shared directory could hold other people's files.
pub fn directory(configured: &[u8]) -> Option<Vec<u8>> {
    if configured.is_empty() {
        return None;
    }
    if configured != crate::config::SESSION_CACHE_AUTO {
        let dir = Path::new(OsStr::from_bytes(configured));
        return is_private(dir).then(|| configured.to_vec());
    }
    private_dir(&std::env::temp_dir()).map(|d| d.as_os_str().as_bytes().to_vec())
}

/// Why a configured `session_cache_dir` is not used, for the log at `init()`; `None` when it is
/// used (or none is configured).
pub fn refusal(configured: &[u8]) -> Option<String> {
    if configured.is_empty() || configured == crate::config::SESSION_CACHE_AUTO {
        return None;
    }
    let dir = Path::new(OsStr::from_bytes(configured));
    (!is_private(dir)).then(|| {
        format!(
            "warning: session_cache_dir {} is not used (it must be a directory, not a link, owned by this user, mode 0700): running without the TLS session cache",
            dir.display()
        )
    })
}

/// `<base>/paygent-tls-<euid>`, created 0700 if missing; `None` unless it [`is_private`].
fn private_dir(base: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = base.join(format!("paygent-tls-{}", euid()));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    is_private(&dir).then_some(dir)
}

/// A directory (not a link) owned by us with no group/other permissions.
fn is_private(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(dir)
        .is_ok_and(|m| m.is_dir() && m.uid() == euid() && m.mode() & 0o077 == 0)
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
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

/// The stored session in this file, if it parses and has not expired. Opened without following
/// a link and without blocking (a FIFO planted at the path must not hang the payment), read only
/// when it is a regular file of at most [`SESSION_FILE_MAX`] bytes.
pub fn load(path: &Path) -> Option<SslSession> {
    use std::io::Read;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > SESSION_FILE_MAX {
        return None;
    }
    let mut der = Vec::with_capacity(meta.len() as usize);
    file.take(SESSION_FILE_MAX + 1).read_to_end(&mut der).ok()?;
    if der.len() as u64 > SESSION_FILE_MAX {
        return None;
    }
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

/// A stored session is a few hundred bytes (the server certificate is left out, see
/// [`without_peer`]); a whole one with a certificate chain stays far below this.
const SESSION_FILE_MAX: u64 = 64 * 1024;

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
    let Some(dir) = path.parent() else { return };
    // A random name created with O_EXCL (never through a planted link), mode 0600, in the cache
    // directory itself so that the rename stays on one file system.
    let Ok(mut tmp) = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM)
        .tempfile_in(dir)
    else {
        return;
    };
    if tmp.write_all(&der).is_err() {
        return; // dropping `tmp` removes it
    }
    // Unlink first: ext4 (auto_da_alloc) forces the new file's data to disk when a rename
    // replaces an existing file, 0.3-0.5 ms per process. A reader that finds no file in between
    // just makes a full handshake. A cache: failures only cost a full handshake next time.
    let new_file =
        matches!(std::fs::remove_file(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    if tmp.persist(path).is_err() {
        return;
    }
    // A file under a new name (first use, renewed credentials, another gateway): the time to
    // drop the files nobody can use any more.
    if new_file {
        sweep(dir, std::time::SystemTime::now());
    }
}

/// Temporary file names: `.paygent-tls-<6 random>.tmp`.
const TEMP_PREFIX: &str = ".paygent-tls-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 6;

/// What this cache may delete: exactly the names it writes, a session file
/// `<host>_<port>_<16 hex>.tlssession` (see [`file`]) or a temporary file
/// `.paygent-tls-<6 alphanumerics>.tmp`. Anything else in the directory is someone else's.
fn own_name(name: &[u8]) -> Option<Kind> {
    if let Some(stem) = name.strip_suffix(b".tlssession") {
        let mut parts = stem.rsplitn(3, |&b| b == b'_');
        let scope = parts.next()?;
        let port = parts.next()?;
        let host = parts.next()?;
        let ok = scope.len() == 16
            && scope.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && (1..=5).contains(&port.len())
            && port.iter().all(u8::is_ascii_digit)
            && !host.is_empty()
            && host
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        return ok.then_some(Kind::Session);
    }
    let random = name
        .strip_prefix(TEMP_PREFIX.as_bytes())?
        .strip_suffix(TEMP_SUFFIX.as_bytes())?;
    (random.len() == TEMP_RANDOM && random.iter().all(u8::is_ascii_alphanumeric))
        .then_some(Kind::Temp)
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Session,
    Temp,
}

/// A session file not rewritten for this long cannot resume: TLS 1.3 tickets live at most
/// 7 days (RFC 8446 §4.6.1), TLS 1.2 sessions far less. A new session rewrites the file (TLS 1.3:
/// every connection; TLS 1.2: every full handshake), so files in use stay younger.
const SESSION_STALE: std::time::Duration = std::time::Duration::from_secs(8 * 24 * 3600);
/// Temporary files left by a process that died between write and rename.
const TEMP_STALE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Remove stale session and temporary files of this cache from `dir`: only regular files whose
/// names this cache writes ([`own_name`]).
fn sweep(dir: &Path, now: std::time::SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let limit = match own_name(e.file_name().as_bytes()) {
            Some(Kind::Session) => SESSION_STALE,
            Some(Kind::Temp) => TEMP_STALE,
            None => continue,
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
        assert_eq!(super::directory(b"/some/dir"), None);
    }

    #[test]
    fn configured_directory_must_be_private_too() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("cache");
        std::fs::create_dir(&dir).unwrap();
        let bytes = dir.as_os_str().as_bytes();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(super::directory(bytes).unwrap(), bytes);
        assert_eq!(super::refusal(bytes), None);
        // a shared directory (/tmp-like, or a web root) is refused, with a reason for the log
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(super::directory(bytes), None);
        assert!(super::refusal(bytes).unwrap().contains("mode 0700"));
        // a link to a private directory is not followed
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert_eq!(super::directory(link.as_os_str().as_bytes()), None);
        assert_eq!(super::refusal(b"auto"), None);
        assert_eq!(super::refusal(b""), None);
        // owned by another user (nobody), even with mode 0700: not ours to write or sweep
        let other = base.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o700)).unwrap();
        if std::os::unix::fs::chown(&other, Some(65534), Some(65534)).is_ok() {
            assert_eq!(super::directory(other.as_os_str().as_bytes()), None);
        } else {
            assert!(std::env::var_os("CI").is_none(), "CI runs as root: chown must work");
            eprintln!("SKIPPED (not root): a directory owned by another user");
        }
    }

    use super::*;

    #[test]
    fn sweep_drops_stale_session_and_temp_files_only() {
        use std::time::{Duration, SystemTime};
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let now = SystemTime::now();
        let day = Duration::from_secs(24 * 3600);
        let files = [
            ("gw_443_0123456789abcdef.tlssession", now - 9 * day, false), // expired scope
            ("gw_443_fedcba9876543210.tlssession", now - day, true),      // in use
            (".paygent-tls-Ab12Cd.tmp", now - Duration::from_secs(7200), false), // crash leftover
            (".paygent-tls-Zz99Yy.tmp", now, true), // being written right now
            ("merchant-notes.txt", now - 30 * day, true), // not ours
            // other people's files in a shared directory, however old (issue 14 item 5)
            ("page.tmpl", now - 30 * day, true),
            ("report.tmp.csv", now - 30 * day, true),
            ("backup.tmp", now - 30 * day, true),
            ("old.tlssession", now - 30 * day, true),
            ("a_b.tlssession", now - 30 * day, true),
            ("gw_443_0123456789ABCDEF.tlssession", now - 30 * day, true),
            ("gw_443_aaaa.tmp4242", now - 30 * day, true),
        ];
        for (name, mtime, _) in files {
            let f = std::fs::File::create(dir.join(name)).unwrap();
            f.set_modified(mtime).unwrap();
        }
        sweep(dir, now);
        for (name, _, kept) in files {
            assert_eq!(dir.join(name).exists(), kept, "{name}");
        }
    }

    #[test]
    fn the_names_it_writes_are_its_own() {
        let t = super::super::url::parse(b"https://module.paygent.co.jp/n/card/request").unwrap();
        let f = file(b"/d", &t, "0123456789abcdef");
        let name = f.file_name().unwrap().as_bytes();
        assert_eq!(own_name(name), Some(Kind::Session));
        let tmp = tempfile::tempdir().unwrap();
        let made = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RANDOM)
            .tempfile_in(tmp.path())
            .unwrap();
        let name = made.path().file_name().unwrap().as_bytes().to_vec();
        assert_eq!(own_name(&name), Some(Kind::Temp));
    }

    #[test]
    fn store_never_writes_through_a_planted_link() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let cache = tmp.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        // the old predictable temp names, and the session path itself, pointed at the victim
        let path = cache.join("gw_443_0123456789abcdef.tlssession");
        for n in 0..4u32 {
            let guess = path.with_extension(format!("tmp{}", std::process::id() + n));
            std::os::unix::fs::symlink(&victim, guess).unwrap();
        }
        let session = test_session();
        store(&path, &session);
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(load(&path).is_some(), "the session was stored as a file of its own");
        // a link at the session path is replaced by the new file, never written through
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        assert!(load(&path).is_none(), "a link is not followed when reading");
        store(&path, &session);
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
    }

    #[test]
    fn load_neither_hangs_on_a_fifo_nor_reads_a_huge_file() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("gw_443_0123456789abcdef.tlssession");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let started = std::time::Instant::now();
        assert!(load(&fifo).is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let big = tmp.path().join("gw_443_fedcba9876543210.tlssession");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(200 * 1024 * 1024).unwrap(); // sparse: no disk used
        assert!(load(&big).is_none());
    }

    /// A real client session: one handshake against an in-process OpenSSL server.
    fn test_session() -> SslSession {
        use openssl::ssl::{SslAcceptor, SslConnector, SslMethod, SslVerifyMode};
        let pki = tempfile::tempdir().unwrap();
        paygent_testpki::generate(pki.path()).unwrap();
        let mut acc = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
        acc.set_certificate_chain_file(pki.path().join("server.pem")).unwrap();
        acc.set_private_key_file(pki.path().join("server.key"), openssl::ssl::SslFiletype::PEM)
            .unwrap();
        acc.set_max_proto_version(Some(openssl::ssl::SslVersion::TLS1_2)).unwrap();
        let acc = acc.build();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            let mut s = acc.accept(s).unwrap();
            let _ = s.write_all(b"x");
        });
        let mut c = SslConnector::builder(SslMethod::tls()).unwrap();
        c.set_verify(SslVerifyMode::NONE);
        let c = c.build();
        let tcp = std::net::TcpStream::connect(addr).unwrap();
        let mut s = c.connect("localhost", tcp).unwrap();
        let mut b = [0u8; 1];
        let _ = std::io::Read::read(&mut s, &mut b);
        server.join().unwrap();
        s.ssl().session().unwrap().to_owned()
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
