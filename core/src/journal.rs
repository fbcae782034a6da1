//! The journal of `maybe_sent` telegrams (issue 20 item 4). Every telegram that may have reached
//! the gateway without its answer being read is recorded here by [`crate::Module::post`] (so PHP
//! and Perl get it alike), and `paygent confirm --pending` resolves each one through the 094
//! inquiry ([`crate::confirm::confirm_pending`]): no `maybe_sent` order is forgotten because a process died, a
//! script ignored the failure phase, or nobody ran `confirm()`.
//!
//! **Where**: `journal_dir` ([`directory`]): by default the TLS session cache directory
//! (`session_cache_dir`, itself by default `<temp>/paygent-tls-<euid>`), or that default
//! directory when the cache is off; `off` disables the journal. The directory obeys the session
//! cache's rule (transport/coldstart/cache_dir.rs): private to this user, every component
//! checked, opened once and used only through its descriptor.
//!
//! **Files**, each a private regular file of this user (mode 0600, created with
//! `O_CREAT|O_EXCL|O_NOFOLLOW` relative to the directory descriptor, checked with `fstat`):
//!
//! - [`JOURNAL`]: one JSON object a line per telegram ([`Entry`]): telegram kind, merchant_id,
//!   trading_id, payment_id, time, pid and the failure, never card data or passwords (only those
//!   three parameters are read from the telegram). Appended with `O_APPEND` and one `write(2)` of
//!   the whole line (at most [`RECORD_MAX`] bytes), so lines of concurrent or forked processes
//!   never interleave.
//! - [`RESOLVED`]: one line per resolution ([`Resolution`]), appended the same way by
//!   `paygent confirm --pending`. Nothing rewrites a line another process may be appending to.
//! - [`LOCK`]: `flock`: appenders and readers hold it shared, [`compact`] exclusive, so a
//!   compaction never replaces a file under an append.
//!
//! **Bound**: when a record would take the journal past [`COMPACT_AT`] and resolutions exist, the
//! journal is compacted first: resolved records are dropped (unresolved ones never are), the
//! files are rewritten (temporary file + rename) under the exclusive lock. Past [`HARD_MAX`] a
//! record is refused and the module log says so with the telegram's ids; above `COMPACT_AT` each
//! record logs a warning to run `paygent confirm --pending`.
//!
//! No process-global state: every record opens the directory and its files anew (`O_CLOEXEC`),
//! so fork needs nothing.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::fs::{AtFlags, FlockOperation, Mode, OFlags};

use crate::config::{Config, JOURNAL_AUTO, SESSION_CACHE_AUTO};
use crate::transport::CacheDir;

/// The records, one line per `maybe_sent` telegram.
pub const JOURNAL: &str = "paygent-journal.jsonl";
/// The resolutions, one line per resolved record.
pub const RESOLVED: &str = "paygent-journal-resolved.jsonl";
/// Locked shared by appenders and readers, exclusive by [`compact`].
pub const LOCK: &str = "paygent-journal.lock";
/// Most bytes of one line: one `write(2)` with `O_APPEND`, well under a page.
pub const RECORD_MAX: usize = 4000;
/// A record that would take the journal past this compacts it first (when resolutions exist).
pub const COMPACT_AT: u64 = 1024 * 1024;
/// Past this, records are refused (and logged in the module log instead).
pub const HARD_MAX: u64 = 16 * 1024 * 1024;
/// `paygent confirm --pending --settle` default: 10 minutes after the failure, a telegram the
/// gateway does not have is taken as never processed.
pub const SETTLE_DEFAULT: Duration = Duration::from_secs(600);

/// Longest kept kind or id value (the gateway's ids are far shorter); a longer one is cut and
/// the record marked. Four of them escaped (6 bytes a byte at worst) take 2400 bytes.
const ID_MAX: usize = 100;
/// Most bytes of the escaped failure text.
const FAILURE_MAX: usize = 1000;

/// One journaled telegram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// 16 hex digits, random: what a resolution names.
    pub id: String,
    /// Seconds since the Unix epoch when the telegram failed.
    pub time: u64,
    /// The process that sent it.
    pub pid: u32,
    /// `telegram_kind`.
    pub telegram_kind: Vec<u8>,
    /// `merchant_id` as sent (empty when none).
    pub merchant_id: Vec<u8>,
    /// `trading_id` as sent (empty when none).
    pub trading_id: Vec<u8>,
    /// `payment_id` as sent (empty when none).
    pub payment_id: Vec<u8>,
    /// The module's message, e.g. `E02005: 56: Connection reset by peer`.
    pub failure: Vec<u8>,
    /// An id was longer than this journal keeps: the inquiry cannot be trusted with it.
    pub cut: bool,
}

impl Entry {
    /// A record of a telegram failing now. Only the telegram's kind and three ids are taken.
    pub fn new(
        telegram_kind: &[u8],
        merchant_id: &[u8],
        trading_id: &[u8],
        payment_id: &[u8],
        failure: &[u8],
    ) -> Self {
        let cut = [telegram_kind, merchant_id, trading_id, payment_id]
            .iter()
            .any(|v| v.len() > ID_MAX);
        let keep = |v: &[u8], n: usize| v[..v.len().min(n)].to_vec();
        Self {
            id: random_id(),
            time: now_secs(),
            pid: std::process::id(),
            telegram_kind: keep(telegram_kind, ID_MAX),
            merchant_id: keep(merchant_id, ID_MAX),
            trading_id: keep(trading_id, ID_MAX),
            payment_id: keep(payment_id, ID_MAX),
            failure: keep(failure, FAILURE_MAX),
            cut,
        }
    }

    /// The journal line (JSON, newline-terminated, at most [`RECORD_MAX`] bytes: every value is
    /// bounded, 6 bytes per escaped byte at most).
    pub fn line(&self) -> Vec<u8> {
        let mut out = format!(
            "{{\"v\":1,\"id\":\"{}\",\"time\":{},\"pid\":{}",
            self.id, self.time, self.pid
        )
        .into_bytes();
        for (k, v) in [
            ("telegram_kind", &self.telegram_kind),
            ("merchant_id", &self.merchant_id),
            ("trading_id", &self.trading_id),
            ("payment_id", &self.payment_id),
        ] {
            field(&mut out, k, v, usize::MAX);
        }
        field(&mut out, "failure", &self.failure, FAILURE_MAX);
        if self.cut {
            out.extend_from_slice(b",\"cut\":1");
        }
        out.extend_from_slice(b"}\n");
        out
    }

    fn parse(line: &[u8]) -> Option<Self> {
        let o = Object::parse(line)?;
        Some(Self {
            id: o.id()?,
            time: o.num("time")?,
            pid: u32::try_from(o.num("pid").unwrap_or(0)).unwrap_or(0),
            telegram_kind: o.bytes("telegram_kind")?,
            merchant_id: o.bytes("merchant_id").unwrap_or_default(),
            trading_id: o.bytes("trading_id").unwrap_or_default(),
            payment_id: o.bytes("payment_id").unwrap_or_default(),
            failure: o.bytes("failure").unwrap_or_default(),
            cut: o.num("cut").is_some_and(|n| n != 0),
        })
    }
}

/// How a record was closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The [`Entry::id`] it closes.
    pub id: String,
    /// Seconds since the Unix epoch.
    pub time: u64,
    /// `processed`, `not_processed` (by the inquiry) or `manual` (`paygent confirm --resolve`).
    pub outcome: String,
    /// The gateway's payment_id when the inquiry found one.
    pub payment_id: Vec<u8>,
}

impl Resolution {
    fn line(&self) -> Vec<u8> {
        let mut out =
            format!("{{\"v\":1,\"id\":\"{}\",\"time\":{}", self.id, self.time).into_bytes();
        field(&mut out, "outcome", self.outcome.as_bytes(), 100);
        field(&mut out, "payment_id", &self.payment_id, 600);
        out.extend_from_slice(b"}\n");
        out
    }

    fn parse(line: &[u8]) -> Option<Self> {
        let o = Object::parse(line)?;
        Some(Self {
            id: o.id()?,
            time: o.num("time").unwrap_or(0),
            outcome: String::from_utf8(o.bytes("outcome")?).ok()?,
            payment_id: o.bytes("payment_id").unwrap_or_default(),
        })
    }
}

/// The directory `journal_dir` names: `None` when it is `off`. `create` makes the default
/// directory when it is missing (the module does; `paygent confirm --pending` does not, so that
/// it never reads a fresh, empty journal of the wrong user as "nothing pending").
pub fn directory(c: &Config, create: bool) -> Result<Option<CacheDir>, String> {
    let configured: &[u8] = match c.journal_dir.as_slice() {
        b"" => return Ok(None),
        JOURNAL_AUTO if c.session_cache_dir.is_empty() => SESSION_CACHE_AUTO,
        JOURNAL_AUTO => &c.session_cache_dir,
        path => path,
    };
    if configured != SESSION_CACHE_AUTO {
        return CacheDir::open(configured).map(Some);
    }
    let name = format!("paygent-tls-{}", rustix::process::geteuid().as_raw());
    let base = std::env::temp_dir();
    if create {
        CacheDir::open_or_create(&base, &name).map(Some)
    } else {
        CacheDir::open(base.join(name).as_os_str().as_bytes()).map(Some)
    }
}

/// Where the journal of a configuration is, for a reader (never created).
#[derive(Debug)]
pub enum Location {
    /// `journal_dir=off`.
    Off,
    /// The default directory does not exist: this user never journaled anything.
    Absent(String),
    /// The directory, open and checked.
    Dir(CacheDir),
}

/// [`directory`] for a reader: the default directory is not created; an `Err` says why a
/// directory is refused (or why a configured one cannot be opened).
pub fn locate(c: &Config) -> Result<Location, String> {
    let auto = c.journal_dir == JOURNAL_AUTO
        && (c.session_cache_dir.is_empty() || c.session_cache_dir == SESSION_CACHE_AUTO);
    if auto {
        let path = std::env::temp_dir().join(format!(
            "paygent-tls-{}",
            rustix::process::geteuid().as_raw()
        ));
        if std::fs::symlink_metadata(&path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            return Ok(Location::Absent(path.display().to_string()));
        }
    }
    Ok(match directory(c, false)? {
        None => Location::Off,
        Some(d) => Location::Dir(d),
    })
}

/// Close the pending record `id` by hand (`paygent confirm --resolve ID`, after the operator
/// checked the payment on the gateway's merchant screen). `Err` when no pending record has it.
pub fn resolve_by_hand(dir: &CacheDir, id: &str, now: u64) -> Result<Entry, String> {
    let j = read(dir)?;
    let entry = j
        .pending()
        .find_map(|l| match l {
            Line::Entry(e) if e.id == id => Some(e.clone()),
            _ => None,
        })
        .ok_or_else(|| format!("no pending journal record has the id {id}"))?;
    resolve(
        dir,
        &Resolution {
            id: entry.id.clone(),
            time: now,
            outcome: "manual".into(),
            payment_id: Vec::new(),
        },
    )?;
    Ok(entry)
}

/// What [`record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Appended.
    Appended,
    /// Appended, and the journal holds this many bytes, above [`COMPACT_AT`] after compaction:
    /// records are piling up unresolved.
    Large(u64),
}

/// Append `entry` to the journal in `dir` (module doc: lock shared, one write, `fdatasync`).
pub fn record(dir: &CacheDir, entry: &Entry) -> Result<Recorded, String> {
    let line = entry.line();
    if line.len() > RECORD_MAX {
        return Err(format!("a record of {} bytes is too long", line.len()));
    }
    let mut compacted = false;
    loop {
        let lock = lock(dir, FlockOperation::LockShared)?;
        let fd = open_private(dir, JOURNAL, OFlags::WRONLY | OFlags::APPEND)?;
        let size = size_of(&fd, JOURNAL)?;
        let after = size + line.len() as u64;
        if after > COMPACT_AT && !compacted && has_resolutions(dir) {
            drop((fd, lock));
            compact(dir)?;
            compacted = true;
            continue;
        }
        if after > HARD_MAX {
            return Err(format!(
                "the journal is full ({size} bytes of records nobody resolved; at most {HARD_MAX}): \
                 run `paygent confirm --pending`"
            ));
        }
        write_line(&fd, &line, JOURNAL)?;
        drop(lock);
        return Ok(if after > COMPACT_AT {
            Recorded::Large(after)
        } else {
            Recorded::Appended
        });
    }
}

/// Close the record `resolution.id` (appended to [`RESOLVED`]).
pub fn resolve(dir: &CacheDir, resolution: &Resolution) -> Result<(), String> {
    let line = resolution.line();
    let _lock = lock(dir, FlockOperation::LockShared)?;
    let fd = open_private(dir, RESOLVED, OFlags::WRONLY | OFlags::APPEND)?;
    write_line(&fd, &line, RESOLVED)
}

/// One line of the journal: a record, or a line this version cannot read (kept as it is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// A record.
    Entry(Entry),
    /// Not a record this version reads: never dropped, reported as pending.
    Unreadable(Vec<u8>),
}

/// The journal as read: every line in order and the resolutions by record id.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    /// The journal's lines, oldest first.
    pub lines: Vec<Line>,
    /// The resolutions, by [`Entry::id`] (the first one wins).
    pub resolved: HashMap<String, Resolution>,
    /// The journal file's size in bytes.
    pub size: u64,
}

impl Journal {
    /// The records without a resolution, and the unreadable lines, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| match l {
            Line::Entry(e) => !self.resolved.contains_key(&e.id),
            Line::Unreadable(_) => true,
        })
    }
}

/// Read the journal and its resolutions (under the shared lock: a compaction is not half seen).
pub fn read(dir: &CacheDir) -> Result<Journal, String> {
    let _lock = lock(dir, FlockOperation::LockShared)?;
    read_locked(dir)
}

fn read_locked(dir: &CacheDir) -> Result<Journal, String> {
    let (journal, size) = read_file(dir, JOURNAL)?;
    let (resolutions, _) = read_file(dir, RESOLVED)?;
    let lines = split_lines(&journal)
        .map(|l| Entry::parse(l).map_or_else(|| Line::Unreadable(l.to_vec()), Line::Entry))
        .collect();
    let mut resolved = HashMap::new();
    for r in split_lines(&resolutions).filter_map(Resolution::parse) {
        resolved.entry(r.id.clone()).or_insert(r);
    }
    Ok(Journal {
        lines,
        resolved,
        size,
    })
}

/// What [`compact`] did: records kept and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compacted {
    /// Unresolved records (and unreadable lines) kept.
    pub kept: usize,
    /// Resolved records dropped.
    pub dropped: usize,
}

/// Drop the resolved records: the journal is rewritten with the other lines (temporary file,
/// `fsync`, rename), then the resolutions file is removed, all under the exclusive lock.
pub fn compact(dir: &CacheDir) -> Result<Compacted, String> {
    let _lock = lock(dir, FlockOperation::LockExclusive)?;
    let (text, _) = read_file(dir, JOURNAL)?;
    let j = read_locked(dir)?;
    let mut kept = Vec::with_capacity(text.len());
    let (mut n_kept, mut dropped) = (0, 0);
    for (raw, line) in split_lines(&text).zip(&j.lines) {
        if matches!(line, Line::Entry(e) if j.resolved.contains_key(&e.id)) {
            dropped += 1;
        } else {
            kept.extend_from_slice(raw);
            kept.push(b'\n');
            n_kept += 1;
        }
    }
    if dropped > 0 {
        let (tmp, fd) = create_temp(dir)?;
        let written = write_all(&fd, &kept).and_then(|()| {
            rustix::fs::fsync(&fd).map_err(|e| format!("{tmp}: {e}"))?;
            rustix::fs::renameat(dir.fd(), tmp.as_str(), dir.fd(), JOURNAL)
                .map_err(|e| format!("{JOURNAL}: {e}"))
        });
        if let Err(e) = written {
            let _ = rustix::fs::unlinkat(dir.fd(), tmp.as_str(), AtFlags::empty());
            return Err(e);
        }
    }
    match rustix::fs::unlinkat(dir.fd(), RESOLVED, AtFlags::empty()) {
        Ok(()) | Err(rustix::io::Errno::NOENT) => {}
        Err(e) => return Err(format!("{RESOLVED}: {e}")),
    }
    Ok(Compacted {
        kept: n_kept,
        dropped,
    })
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// ---- files ---------------------------------------------------------------------------------

fn lock(dir: &CacheDir, op: FlockOperation) -> Result<OwnedFd, String> {
    let fd = open_private(dir, LOCK, OFlags::RDWR)?;
    rustix::fs::flock(&fd, op).map_err(|e| format!("{LOCK}: {e}"))?;
    Ok(fd)
}

/// `name` in `dir`, opened with `access` (never through a link, never blocking on a FIFO),
/// created with `O_EXCL` mode 0600 when missing, and accepted only as a private regular file of
/// this user.
fn open_private(dir: &CacheDir, name: &str, access: OFlags) -> Result<OwnedFd, String> {
    let base = access | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    for _ in 0..4 {
        let fd = match rustix::fs::openat(dir.fd(), name, base, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => {
                let create = base | OFlags::CREATE | OFlags::EXCL;
                match rustix::fs::openat(dir.fd(), name, create, Mode::from_raw_mode(0o600)) {
                    Ok(fd) => fd,
                    // Another process created it first: open that one.
                    Err(rustix::io::Errno::EXIST) => continue,
                    Err(e) => return Err(format!("{name}: {e}")),
                }
            }
            Err(rustix::io::Errno::LOOP) => return Err(format!("{name}: a symbolic link")),
            Err(e) => return Err(format!("{name}: {e}")),
        };
        check_private(&fd, name)?;
        return Ok(fd);
    }
    Err(format!("{name}: created and removed again and again"))
}

fn check_private(fd: &OwnedFd, name: &str) -> Result<(), String> {
    let st = rustix::fs::fstat(fd).map_err(|e| format!("{name}: {e}"))?;
    let regular =
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::RegularFile;
    let mode = st.st_mode & 0o7777;
    let euid = rustix::process::geteuid().as_raw();
    if !regular || st.st_uid != euid || mode & 0o077 != 0 {
        return Err(format!(
            "{name}: not a private regular file of this user (owner uid {}, mode {mode:04o}; \
             it must be a file of uid {euid}, mode 0600)",
            st.st_uid
        ));
    }
    Ok(())
}

fn size_of(fd: &OwnedFd, name: &str) -> Result<u64, String> {
    let st = rustix::fs::fstat(fd).map_err(|e| format!("{name}: {e}"))?;
    Ok(u64::try_from(st.st_size).unwrap_or(0))
}

fn has_resolutions(dir: &CacheDir) -> bool {
    rustix::fs::statat(dir.fd(), RESOLVED, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|st| st.st_size > 0)
}

/// One `write(2)` of the whole line (O_APPEND places it at the end atomically), then
/// `fdatasync`: a journaled telegram survives a crash of the machine.
fn write_line(fd: &OwnedFd, line: &[u8], name: &str) -> Result<(), String> {
    match rustix::io::write(fd, line) {
        Ok(n) if n == line.len() => {}
        Ok(n) => return Err(format!("{name}: only {n} of {} bytes written", line.len())),
        Err(e) => return Err(format!("{name}: {e}")),
    }
    rustix::fs::fdatasync(fd).map_err(|e| format!("{name}: {e}"))
}

fn write_all(fd: &OwnedFd, mut data: &[u8]) -> Result<(), String> {
    while !data.is_empty() {
        match rustix::io::write(fd, data) {
            Ok(0) => return Err("write returned 0".into()),
            Ok(n) => data = &data[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(())
}

/// The whole file (empty when missing), at most [`HARD_MAX`] plus a margin for appends racing
/// the size check.
fn read_file(dir: &CacheDir, name: &str) -> Result<(Vec<u8>, u64), String> {
    use std::io::Read;
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = match rustix::fs::openat(dir.fd(), name, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => return Ok((Vec::new(), 0)),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    check_private(&fd, name)?;
    let size = size_of(&fd, name)?;
    let limit = HARD_MAX + 1024 * 1024;
    let mut data = Vec::new();
    std::fs::File::from(fd)
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("{name}: {e}"))?;
    if data.len() as u64 > limit {
        return Err(format!("{name}: larger than {limit} bytes"));
    }
    Ok((data, size))
}

fn split_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

/// A new temporary file `.paygent-journal-<16 hex>.tmp` in the directory (O_EXCL, 0600).
fn create_temp(dir: &CacheDir) -> Result<(String, OwnedFd), String> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    for _ in 0..4 {
        let name = format!(".paygent-journal-{}.tmp", random_id());
        match rustix::fs::openat(dir.fd(), name.as_str(), flags, Mode::from_raw_mode(0o600)) {
            Ok(fd) => return Ok((name, fd)),
            Err(rustix::io::Errno::EXIST) => continue,
            Err(e) => return Err(format!("{name}: {e}")),
        }
    }
    Err("no temporary file name left".into())
}

fn random_id() -> String {
    let mut b = [0u8; 8];
    if openssl::rand::rand_bytes(&mut b).is_err() {
        // Unique enough without a random source: time and pid.
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        b = (t ^ (u64::from(std::process::id()) << 40)).to_be_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ---- the line format: a flat JSON object of strings and numbers ----------------------------

/// `,"key":"value"`: printable ASCII as it is (`"` and `\` escaped), every other byte as
/// `\u00XX`, so any bytes (Windows-31J ids) survive and the line stays valid JSON. The escaped
/// value stops before `max` bytes (never inside an escape).
fn field(out: &mut Vec<u8>, key: &str, v: &[u8], max: usize) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":\"");
    let start = out.len();
    for &b in v {
        let escaped = match b {
            b'"' | b'\\' => vec![b'\\', b],
            0x20..=0x7e => vec![b],
            _ => format!("\\u{b:04x}").into_bytes(),
        };
        if out.len() - start + escaped.len() > max {
            break;
        }
        out.extend_from_slice(&escaped);
    }
    out.push(b'"');
}

enum Value {
    Str(Vec<u8>),
    Num(u64),
}

struct Object(Vec<(Vec<u8>, Value)>);

impl Object {
    /// The lines [`field`] and the `line` functions write; anything else is `None`.
    fn parse(line: &[u8]) -> Option<Self> {
        let mut s = line.strip_prefix(b"{")?.strip_suffix(b"}")?;
        let mut out = Vec::new();
        while !s.is_empty() {
            let (key, rest) = string(s)?;
            let rest = rest.strip_prefix(b":")?;
            let (value, rest) = if rest.first() == Some(&b'"') {
                let (v, r) = string(rest)?;
                (Value::Str(v), r)
            } else {
                let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                let num = std::str::from_utf8(&rest[..n]).ok()?.parse().ok()?;
                (Value::Num(num), &rest[n..])
            };
            out.push((key, value));
            s = match rest.strip_prefix(b",") {
                Some(r) if !r.is_empty() => r,
                Some(_) => return None,
                None if rest.is_empty() => rest,
                None => return None,
            };
        }
        Some(Self(out))
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v)
    }

    fn bytes(&self, key: &str) -> Option<Vec<u8>> {
        match self.get(key)? {
            Value::Str(v) => Some(v.clone()),
            Value::Num(_) => None,
        }
    }

    fn num(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::Num(n) => Some(*n),
            Value::Str(_) => None,
        }
    }

    /// `id`: 16 lowercase hex digits.
    fn id(&self) -> Option<String> {
        let id = String::from_utf8(self.bytes("id")?).ok()?;
        (id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(id)
    }
}

/// A JSON string as [`field`] writes it: its bytes and what follows.
fn string(s: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut s = s.strip_prefix(b"\"")?;
    let mut out = Vec::new();
    loop {
        let (&b, rest) = s.split_first()?;
        s = rest;
        match b {
            b'"' => return Some((out, s)),
            b'\\' => {
                let (&e, rest) = s.split_first()?;
                s = rest;
                match e {
                    b'"' | b'\\' | b'/' => out.push(e),
                    b'u' => {
                        let hex = std::str::from_utf8(s.get(..4)?).ok()?;
                        out.push(u8::try_from(u16::from_str_radix(hex, 16).ok()?).ok()?);
                        s = &s[4..];
                    }
                    _ => return None,
                }
            }
            _ => out.push(b),
        }
    }
}

/// The journal directory's path, for messages.
pub fn path_of(dir: &CacheDir) -> String {
    String::from_utf8_lossy(dir.path()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn private_dir() -> (tempfile::TempDir, CacheDir) {
        let t = tempfile::tempdir().unwrap();
        std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let d = CacheDir::open(t.path().as_os_str().as_bytes()).unwrap();
        (t, d)
    }

    fn entry(trading_id: &str) -> Entry {
        Entry::new(
            b"020",
            b"10000",
            trading_id.as_bytes(),
            b"",
            b"E02005: 56: reset",
        )
    }

    #[test]
    fn lines_round_trip_any_bytes() {
        let mut e = Entry::new(
            b"020",
            b"m\"1\\",
            b"\x82\xa0\x00\n\xff",
            b"123",
            b"E02005: x",
        );
        e.time = 1_764_170_000;
        let line = e.line();
        assert!(line.ends_with(b"}\n") && !line[..line.len() - 1].contains(&b'\n'));
        let text = std::str::from_utf8(&line).unwrap();
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(json["telegram_kind"], "020");
        assert_eq!(Entry::parse(&line[..line.len() - 1]), Some(e));
        // the longest record still fits one write
        let big = vec![0xffu8; 10_000];
        let e = Entry::new(&big, &big, &big, &big, &big);
        assert!(e.cut && e.line().len() <= RECORD_MAX, "{}", e.line().len());
        assert_eq!(Entry::parse(b"{\"v\":1,\"id\":\"zz\"}"), None);
        assert_eq!(Entry::parse(b"{\"v\":1,"), None);
    }

    #[test]
    fn record_resolve_compact() {
        let (t, dir) = private_dir();
        let (a, b, c) = (entry("a"), entry("b"), entry("c"));
        for e in [&a, &b, &c] {
            assert_eq!(record(&dir, e), Ok(Recorded::Appended));
        }
        let mode = std::fs::metadata(t.path().join(JOURNAL))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let j = read(&dir).unwrap();
        assert_eq!(j.pending().count(), 3);
        resolve(
            &dir,
            &Resolution {
                id: b.id.clone(),
                time: 1,
                outcome: "processed".into(),
                payment_id: b"9".to_vec(),
            },
        )
        .unwrap();
        let j = read(&dir).unwrap();
        let pending: Vec<_> = j.pending().cloned().collect();
        assert_eq!(
            pending,
            vec![Line::Entry(a.clone()), Line::Entry(c.clone())]
        );
        // a line written by something else is kept, never dropped
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(t.path().join(JOURNAL))
            .unwrap();
        std::io::Write::write_all(&mut f, b"{\"v\":2,\"future\":true}\n").unwrap();
        assert_eq!(
            compact(&dir).unwrap(),
            Compacted {
                kept: 3,
                dropped: 1
            }
        );
        let j = read(&dir).unwrap();
        assert_eq!(j.lines.len(), 3);
        assert!(j.resolved.is_empty());
        assert!(matches!(&j.lines[2], Line::Unreadable(l) if l.starts_with(b"{\"v\":2")));
    }

    #[test]
    fn planted_links_and_shared_files_are_refused() {
        let (t, dir) = private_dir();
        let victim = t.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, t.path().join(JOURNAL)).unwrap();
        let why = record(&dir, &entry("x")).unwrap_err();
        assert!(why.contains("symbolic link"), "{why}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        std::fs::remove_file(t.path().join(JOURNAL)).unwrap();
        std::fs::write(t.path().join(JOURNAL), b"").unwrap();
        std::fs::set_permissions(
            t.path().join(JOURNAL),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let why = record(&dir, &entry("x")).unwrap_err();
        assert!(why.contains("mode 0644"), "{why}");
    }

    #[test]
    fn forked_writers_never_interleave() {
        let (_t, dir) = private_dir();
        let mut children = Vec::new();
        for p in 0..8 {
            // SAFETY: the child only records and exits (no locks held by other threads matter:
            // the test thread is the only one touching this directory).
            match unsafe { libc::fork() } {
                0 => {
                    let mut ok = true;
                    for i in 0..50 {
                        ok &= record(&dir, &entry(&format!("p{p}-{i}"))).is_ok();
                    }
                    // SAFETY: ends the child without running the parent's test harness.
                    unsafe { libc::_exit(i32::from(!ok)) };
                }
                pid if pid > 0 => children.push(pid),
                _ => panic!("fork failed"),
            }
        }
        for pid in children {
            let mut status = 0;
            // SAFETY: a child of this process.
            unsafe { libc::waitpid(pid, &mut status, 0) };
            assert_eq!(status, 0);
        }
        let j = read(&dir).unwrap();
        assert_eq!(j.lines.len(), 400);
        assert!(j.lines.iter().all(|l| matches!(l, Line::Entry(_))));
    }

    #[test]
    fn the_bound_compacts_resolved_records_and_refuses_past_the_maximum() {
        let (t, dir) = private_dir();
        // a journal just under the compaction size, all of it resolved
        let mut text = Vec::new();
        let mut resolved = Vec::new();
        while (text.len() as u64) < COMPACT_AT - 100 {
            let e = entry("old");
            text.extend(e.line());
            resolved.extend(
                Resolution {
                    id: e.id,
                    time: 1,
                    outcome: "processed".into(),
                    payment_id: Vec::new(),
                }
                .line(),
            );
        }
        for (name, data) in [(JOURNAL, &text), (RESOLVED, &resolved)] {
            std::fs::write(t.path().join(name), data).unwrap();
            std::fs::set_permissions(t.path().join(name), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
        let new = entry("new");
        assert_eq!(record(&dir, &new), Ok(Recorded::Appended));
        let j = read(&dir).unwrap();
        assert_eq!(j.lines, vec![Line::Entry(new)]);
        // unresolved records are never dropped: past the maximum a record is refused
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(t.path().join(JOURNAL))
            .unwrap();
        f.set_len(HARD_MAX).unwrap();
        let why = record(&dir, &entry("late")).unwrap_err();
        assert!(why.contains("journal is full"), "{why}");
    }
}
