//! Cross-process TLS session cache for the OpenSSL path (`session_cache_dir`): CGI-style
//! merchants start a process per payment, so an in-memory cache never helps them. One file per
//! (host, port, scope), mode 0600 (it holds the session secret), written atomically.
//! rustls offers no session serialisation, so the rustls path does not use it.

use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::transport::TransportSettings;
pub use crate::transport::coldstart::cache_dir::CacheDir;
use crate::transport::coldstart::cache_dir::{euid, mode};
use crate::transport::url::Target;
use openssl::ex_data::Index;
use openssl::hash::MessageDigest;
use openssl::ssl::{Ssl, SslContextBuilder, SslRef, SslSession, SslSessionCacheMode};
use openssl::x509::X509;
use rustix::fs::{AtFlags, Mode, OFlags};

/// Where the session of one connection goes when the server issues it, the server certificate
/// chain it is stored with, whether it went, and whether the connection's first handshake is over.
struct Slot {
    dir: CacheDir,
    name: String,
    /// The chain verified when a cached session was loaded: a resumed connection gets no
    /// certificates from the server, so its new tickets are stored with this one.
    chain: Option<Vec<Vec<u8>>>,
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
            if (tls13 && !tls13_resumable())
                || renegotiated
                || slot.stored.swap(true, Ordering::Relaxed)
            {
                return;
            }
            // The chain this connection's handshake verified, else the one verified at load.
            let sent: Vec<Vec<u8>> = ssl
                .peer_cert_chain()
                .map(|c| c.iter().filter_map(|x| x.to_der().ok()).collect())
                .unwrap_or_default();
            let chain = if sent.is_empty() {
                slot.chain.as_deref()
            } else {
                Some(&sent[..])
            };
            if let Some(chain) = chain.filter(|c| !c.is_empty()) {
                store(&slot.dir, &slot.name, &session, chain);
            }
        }
    });
}

/// Whether a TLS 1.3 session may be resumed with this OpenSSL. OpenSSL 1.1.1 (Debian 11) answers a
/// post-handshake certificate request on a resumed TLS 1.3 connection with an empty certificate:
/// it does not read the request's signature_algorithms when resuming (openssl/openssl#10370,
/// fixed in the 3.x branches), so a server asking late (Apache's per-location SSLVerifyClient)
/// would refuse a telegram already sent. There TLS 1.3 sessions are neither stored nor offered:
/// each process makes a full handshake with a TLS 1.3 gateway; TLS 1.2 sessions still resume.
pub fn tls13_resumable() -> bool {
    openssl::version::number() >= 0x3000_0000
}

/// The connection's first handshake is over: a later TLS 1.2 session comes from a renegotiation.
pub fn established(ssl: &SslRef) {
    if let Some(slot) = slot_index().and_then(|i| ssl.ex_data(i)) {
        slot.established.store(true, Ordering::Relaxed);
    }
}

/// What a stored session vouches for: the client identity it authenticated (a resumed session
/// keeps it) and how the server was verified. Sessions made under other settings must not be
/// offered. Taken from the raw bytes of the credential files, not the parsed certificates, so
/// that the file is found without parsing anything; a changed file (renewed certificate,
/// replaced key) never resumes a session of the old one. `None` when a file cannot be read (the
/// full path reports it). The name is no secret (it can be computed from the kit): what keeps a
/// planted session out is the directory rule (cache_dir.rs) and the check of the server chain
/// stored with the session ([`load`]).
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

/// The directory for `session_cache_dir` (config value): `Ok(None)` for no cache, `Err` with the
/// reason when a configured or default directory is refused (cache_dir.rs has the rule). The
/// default (`auto`) is `<temp dir>/paygent-tls-<euid>`, created with mode 0700.
pub fn open(configured: &[u8]) -> Result<Option<CacheDir>, String> {
    if configured.is_empty() {
        return Ok(None);
    }
    if configured != crate::config::SESSION_CACHE_AUTO {
        return CacheDir::open(configured).map(Some);
    }
    CacheDir::open_or_create(&std::env::temp_dir(), &format!("paygent-tls-{}", euid())).map(Some)
}

/// [`open`], the directory only.
pub fn directory(configured: &[u8]) -> Option<CacheDir> {
    open(configured).ok().flatten()
}

/// Why a configured `session_cache_dir` is not used, for the log at `init()`; `None` when it is
/// used (or none is configured).
pub fn refusal(configured: &[u8]) -> Option<String> {
    open(configured).err().map(|why| refused(&why))
}

/// The log line for a refused directory.
pub fn refused(why: &str) -> String {
    format!("warning: session_cache_dir is not used ({why}): running without the TLS session cache")
}

/// The cache file name for this target under this scope.
pub fn name(target: &Target, scope: &str) -> String {
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
    format!("{host}_{}_{scope}.tlssession", target.port)
}

/// A stored session and the server certificate chain it was made with.
pub struct Loaded {
    pub session: SslSession,
    chain: Vec<Vec<u8>>,
}

/// The stored session in `dir/name`, if the file is ours, parses, has not expired, and the
/// server chain stored with it verifies now against the configured CA and host name (a resumed
/// session skips the server's certificate, so a session from any other server must never be
/// offered; on any doubt the caller makes a full handshake). The file is opened relative to the
/// directory's descriptor, without following a link and without blocking (a FIFO must not hang
/// the payment), and read only when `fstat` on it shows a regular file of this user, mode 0600
/// or stricter, of at most [`SESSION_FILE_MAX`] bytes.
pub fn load(dir: &CacheDir, name: &str, s: &TransportSettings, target: &Target) -> Option<Loaded> {
    let der = read_own(dir, name)?;
    let (chain, session) = decode(&der)?;
    if !verified(&chain, s, target) {
        return None;
    }
    let session = SslSession::from_der(session).ok()?;
    if session.protocol_version() == openssl::ssl::SslVersion::TLS1_3 && !tls13_resumable() {
        return None;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    #[allow(
        clippy::useless_conversion,
        reason = "SSL_SESSION_get_time's type differs between OpenSSL versions"
    )]
    let born = i64::from(session.time());
    (born + session.timeout() > now).then_some(Loaded { session, chain })
}

fn read_own(dir: &CacheDir, name: &str) -> Option<Vec<u8>> {
    use std::io::Read;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd: OwnedFd = rustix::fs::openat(dir.fd(), name, flags, Mode::empty()).ok()?;
    let st = rustix::fs::fstat(&fd).ok()?;
    let regular =
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::RegularFile;
    if !regular
        || st.st_uid != euid()
        || mode(&st) & 0o077 != 0
        || st.st_size as u64 > SESSION_FILE_MAX
    {
        return None;
    }
    let mut der = Vec::with_capacity(st.st_size as usize);
    std::fs::File::from(fd)
        .take(SESSION_FILE_MAX + 1)
        .read_to_end(&mut der)
        .ok()?;
    (der.len() as u64 <= SESSION_FILE_MAX).then_some(der)
}

/// A stored session is a few hundred bytes plus the server's certificate chain (a few KiB).
const SESSION_FILE_MAX: u64 = 64 * 1024;

/// The file: [`MAGIC`], the number of certificates, each as a 2-byte big-endian length and its
/// DER (the server's first), then the session's DER (without the certificate, [`without_peer`]).
const MAGIC: &[u8] = b"paygent-tls-session 2\n";
const CHAIN_MAX: usize = 10;

fn encode(chain: &[Vec<u8>], session: &[u8]) -> Option<Vec<u8>> {
    if chain.len() > CHAIN_MAX {
        return None;
    }
    let mut out = MAGIC.to_vec();
    out.push(chain.len() as u8);
    for c in chain {
        out.extend_from_slice(&u16::try_from(c.len()).ok()?.to_be_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(session);
    Some(out)
}

fn decode(file: &[u8]) -> Option<(Vec<Vec<u8>>, &[u8])> {
    let (&count, mut rest) = file.strip_prefix(MAGIC)?.split_first()?;
    if count == 0 || count as usize > CHAIN_MAX {
        return None;
    }
    let mut chain = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let len = u16::from_be_bytes([*rest.first()?, *rest.get(1)?]) as usize;
        let cert = rest.get(2..2 + len)?;
        chain.push(cert.to_vec());
        rest = &rest[2 + len..];
    }
    Some((chain, rest))
}

/// Does the stored chain verify now as the handshake would verify it: the configured CA
/// certificates as trust anchors, a server certificate, the host name when `verify_host`.
/// Without `ca_file` (`not_use_ca_cert`) a full handshake verifies nothing either.
fn verified(chain: &[Vec<u8>], s: &TransportSettings, target: &Target) -> bool {
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::verify::X509VerifyParam;
    use openssl::x509::{X509PurposeId, X509StoreContext};
    let Some(ca) = &s.ca_file else {
        return true;
    };
    let check = || -> Result<bool, openssl::error::ErrorStack> {
        let Ok(anchors) = crate::transport::credentials::trust(ca) else {
            return Ok(false);
        };
        let mut certs = chain.iter().map(|d| X509::from_der(d));
        let Some(leaf) = certs.next().transpose()? else {
            return Ok(false);
        };
        let mut untrusted = openssl::stack::Stack::new()?;
        for c in certs {
            untrusted.push(c?)?;
        }
        let mut store = X509StoreBuilder::new()?;
        for a in anchors {
            store.add_cert(a)?;
        }
        store.set_purpose(X509PurposeId::SSL_SERVER)?;
        if s.verify_host {
            let mut param = X509VerifyParam::new()?;
            match target.ip() {
                Some(ip) => param.set_ip(ip)?,
                None => param.set_host(&target.host)?,
            }
            store.set_param(&param)?;
        }
        let store = store.build();
        let mut ctx = X509StoreContext::new()?;
        ctx.init(&store, &leaf, &untrusted, |c| c.verify_cert())
    };
    check().unwrap_or(false)
}

/// A session file not for this process: what [`prepare`] needs to offer it and to store the
/// next one.
pub struct Entry {
    pub dir: CacheDir,
    pub name: String,
}

/// Offer the cached session, when there is one that [`load`] accepted, and remember where to
/// save the next one.
pub fn prepare(ssl: &mut SslRef, entry: Entry, loaded: Option<Loaded>) {
    let chain = loaded.map(|l| {
        // SAFETY: the session was produced by this module's OpenSSL client for this same
        // host, port and scope (the file name says so), read from our own private file, and its
        // server chain verified now.
        let _ = unsafe { ssl.set_session(&l.session) };
        l.chain
    });
    if let Some(i) = slot_index() {
        ssl.set_ex_data(
            i,
            Slot {
                dir: entry.dir,
                name: entry.name,
                chain,
                stored: AtomicBool::new(false),
                established: AtomicBool::new(false),
            },
        );
    }
}

fn store(dir: &CacheDir, name: &str, session: &SslSession, chain: &[Vec<u8>]) {
    let Ok(der) = session.to_der() else { return };
    let der = without_peer(&der).unwrap_or(der);
    let Some(file) = encode(chain, &der) else {
        return;
    };
    let fd = dir.fd();
    // A random name created with O_EXCL (never through a planted link), mode 0600, in the cache
    // directory itself so that the rename stays on one file system.
    let Some((tmp, written)) = create_temp(dir) else {
        return;
    };
    if written_all(written, &file).is_err() {
        let _ = rustix::fs::unlinkat(fd, &tmp, AtFlags::empty());
        return;
    }
    // Unlink first: ext4 (auto_da_alloc) forces the new file's data to disk when a rename
    // replaces an existing file, 0.3-0.5 ms per process. A reader that finds no file in between
    // just makes a full handshake. A cache: failures only cost a full handshake next time.
    let new_file =
        rustix::fs::unlinkat(fd, name, AtFlags::empty()) == Err(rustix::io::Errno::NOENT);
    if rustix::fs::renameat(fd, &tmp, fd, name).is_err() {
        let _ = rustix::fs::unlinkat(fd, &tmp, AtFlags::empty());
        return;
    }
    // A file under a new name (first use, renewed credentials, another gateway): the time to
    // drop the files nobody can use any more.
    if new_file {
        sweep(dir, std::time::SystemTime::now());
    }
}

fn written_all(fd: OwnedFd, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::File::from(fd).write_all(data)
}

/// A new temporary file `.paygent-tls-<6 random>.tmp` in the directory, created with
/// `O_CREAT|O_EXCL|O_NOFOLLOW`, mode 0600.
fn create_temp(dir: &CacheDir) -> Option<(String, OwnedFd)> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    for _ in 0..4 {
        let mut random = [0u8; TEMP_RANDOM];
        openssl::rand::rand_bytes(&mut random).ok()?;
        let r: String = random
            .iter()
            .map(|b| ALNUM[*b as usize % ALNUM.len()] as char)
            .collect();
        let tmp = format!("{TEMP_PREFIX}{r}{TEMP_SUFFIX}");
        match rustix::fs::openat(dir.fd(), tmp.as_str(), flags, Mode::from_raw_mode(0o600)) {
            Ok(fd) => return Some((tmp, fd)),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(_) => return None,
        }
    }
    None
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
/// names this cache writes ([`own_name`]), looked at and removed relative to the descriptor.
fn sweep(dir: &CacheDir, now: std::time::SystemTime) {
    let Ok(entries) = rustix::fs::Dir::read_from(dir.fd()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let limit = match own_name(name.to_bytes()) {
            Some(Kind::Session) => SESSION_STALE,
            Some(Kind::Temp) => TEMP_STALE,
            None => continue,
        };
        let Ok(st) = rustix::fs::statat(dir.fd(), name, AtFlags::SYMLINK_NOFOLLOW) else {
            continue;
        };
        let regular =
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::RegularFile;
        let modified = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(u64::try_from(st.st_mtime).unwrap_or(0));
        let age = now.duration_since(modified).ok();
        if regular && age.is_some_and(|a| a > limit) {
            let _ = rustix::fs::unlinkat(dir.fd(), name, AtFlags::empty());
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
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn private(p: &Path) -> CacheDir {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o700)).unwrap();
        CacheDir::open(p.as_os_str().as_bytes()).unwrap()
    }

    fn target() -> Target {
        crate::transport::url::parse(b"https://localhost:8443/n/card/request").unwrap()
    }

    /// Settings that verify against `ca` (a file of the test PKI) and the host name.
    fn settings(pki: &Path, ca: &str) -> TransportSettings {
        TransportSettings {
            backend: crate::config::TlsBackend::OpenSsl,
            client_file: None,
            client_key_file: None,
            client_key_password: Vec::new(),
            ca_file: Some(pki.join(ca).into_os_string().into_encoded_bytes()),
            verify_host: true,
            keep_alive: false,
            proxy: None,
            session_cache_dir: None,
        }
    }

    #[test]
    fn configured_and_default_directories() {
        assert_eq!(open(b"").unwrap(), None);
        assert!(refusal(b"").is_none());
        assert!(directory(b"/no/such/dir").is_none());
        let why = refusal(b"/no/such/dir").unwrap();
        assert!(why.contains("/no: missing"), "{why}");
        let auto = directory(b"auto").expect("the default directory is usable");
        assert!(
            auto.path()
                .ends_with(format!("paygent-tls-{}", euid()).as_bytes())
        );
    }

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
            (
                ".paygent-tls-Ab12Cd.tmp",
                now - Duration::from_secs(7200),
                false,
            ), // crash leftover
            (".paygent-tls-Zz99Yy.tmp", now, true),                       // being written right now
            ("merchant-notes.txt", now - 30 * day, true),                 // not ours
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
        sweep(&private(dir), now);
        for (name, _, kept) in files {
            assert_eq!(dir.join(name).exists(), kept, "{name}");
        }
    }

    #[test]
    fn the_names_it_writes_are_its_own() {
        let t =
            crate::transport::url::parse(b"https://module.paygent.co.jp/n/card/request").unwrap();
        assert_eq!(
            own_name(name(&t, "0123456789abcdef").as_bytes()),
            Some(Kind::Session)
        );
        let tmp = tempfile::tempdir().unwrap();
        let (made, _) = create_temp(&private(tmp.path())).unwrap();
        assert_eq!(own_name(made.as_bytes()), Some(Kind::Temp));
    }

    #[test]
    fn store_never_writes_through_a_planted_link() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, b"precious").unwrap();
        let cache = tmp.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        let dir = private(&cache);
        let (session, chain, pki) = test_session();
        let s = settings(pki.path(), "ca.pem");
        let name = "localhost_8443_0123456789abcdef.tlssession";
        // a link at the session path is replaced by the new file, never written through
        std::os::unix::fs::symlink(&victim, cache.join(name)).unwrap();
        assert!(
            load(&dir, name, &s, &target()).is_none(),
            "a link is not followed"
        );
        store(&dir, name, &session, &chain);
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(
            !std::fs::symlink_metadata(cache.join(name))
                .unwrap()
                .is_symlink()
        );
        let mode = std::fs::metadata(cache.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(
            load(&dir, name, &s, &target()).is_some(),
            "stored as a file of its own"
        );
    }

    #[test]
    fn only_a_session_whose_server_chain_verifies_now_is_loaded() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = private(tmp.path());
        let (session, chain, pki) = test_session();
        let name = "localhost_8443_0123456789abcdef.tlssession";
        store(&dir, name, &session, &chain);
        let good = settings(pki.path(), "ca.pem");
        assert!(load(&dir, name, &good, &target()).is_some());
        // another trust anchor: the server of this session is not one we trust
        assert!(load(&dir, name, &settings(pki.path(), "rogue-ca.pem"), &target()).is_none());
        // another host name than the certificate's
        let other = crate::transport::url::parse(b"https://wrong.example:8443/x").unwrap();
        assert!(load(&dir, name, &good, &other).is_none());
        let mut no_host = good.clone();
        no_host.verify_host = false;
        assert!(
            load(&dir, name, &no_host, &other).is_some(),
            "verify_host=false"
        );
        // a session stored with no chain, or a chain that is not the server's: never offered
        let der = without_peer(&session.to_der().unwrap()).unwrap();
        let write = |bytes: &[u8]| {
            let _ = std::fs::remove_file(tmp.path().join(name));
            std::fs::write(tmp.path().join(name), bytes).unwrap();
            std::fs::set_permissions(
                tmp.path().join(name),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        };
        write(&der);
        assert!(
            load(&dir, name, &good, &target()).is_none(),
            "old format, no chain"
        );
        let ca = X509::from_pem(&std::fs::read(pki.path().join("ca.pem")).unwrap()).unwrap();
        write(&encode(&[ca.to_der().unwrap()], &der).unwrap());
        assert!(
            load(&dir, name, &good, &target()).is_none(),
            "a CA is no server"
        );
        // the stored file itself: group-readable or not ours is not read
        write(&encode(&chain, &der).unwrap());
        assert!(load(&dir, name, &good, &target()).is_some());
        std::fs::set_permissions(
            tmp.path().join(name),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        assert!(load(&dir, name, &good, &target()).is_none(), "mode 0640");
    }

    #[test]
    fn load_neither_hangs_on_a_fifo_nor_reads_a_huge_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = private(tmp.path());
        let (_, _, pki) = test_session();
        let s = settings(pki.path(), "ca.pem");
        let fifo = tmp.path().join("gw_443_0123456789abcdef.tlssession");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let started = std::time::Instant::now();
        assert!(load(&dir, "gw_443_0123456789abcdef.tlssession", &s, &target()).is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        let big = tmp.path().join("gw_443_fedcba9876543210.tlssession");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(200 * 1024 * 1024).unwrap(); // sparse: no disk used
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .unwrap();
        assert!(load(&dir, "gw_443_fedcba9876543210.tlssession", &s, &target()).is_none());
    }

    /// A real client session, the chain the server sent and the PKI: one handshake against an
    /// in-process OpenSSL server.
    fn test_session() -> (SslSession, Vec<Vec<u8>>, tempfile::TempDir) {
        use openssl::ssl::{SslAcceptor, SslConnector, SslMethod, SslVerifyMode};
        use std::io::Write;
        let pki = tempfile::tempdir().unwrap();
        paygent_testpki::generate(pki.path()).unwrap();
        let mut acc = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
        acc.set_certificate_chain_file(pki.path().join("server.pem"))
            .unwrap();
        acc.set_private_key_file(
            pki.path().join("server.key"),
            openssl::ssl::SslFiletype::PEM,
        )
        .unwrap();
        acc.set_max_proto_version(Some(openssl::ssl::SslVersion::TLS1_2))
            .unwrap();
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
        let chain = s.ssl().peer_cert_chain().unwrap();
        let chain = chain.iter().map(|c| c.to_der().unwrap()).collect();
        (s.ssl().session().unwrap().to_owned(), chain, pki)
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
