//! The per-process state (decisions 17 and 19): built TLS contexts (credentials parsed once per
//! settings) and idle keep-alive connections. Nothing exists until the first post; after a fork
//! the child abandons what it inherited and builds its own.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::TransportSettings;
use super::resume::ResumeContext;
use super::tls::{TlsConn, TlsContext};
use super::url::Target;
use crate::config::TlsBackend;
use crate::error::TransportFailure;

/// Idle connections older than this are dropped: below the 5 s keep-alive timeout of a default
/// Apache httpd, so we do not race the server closing it.
pub const IDLE_LIMIT: Duration = Duration::from_secs(4);

static STATE: Mutex<Option<State>> = Mutex::new(None);

type Key = (TransportSettings, String, u16);

struct State {
    pid: u32,
    contexts: HashMap<TransportSettings, Built>,
    /// Resume contexts (coldstart/resume.rs), with the stamp their scope was computed under.
    resume_contexts: HashMap<TransportSettings, (Arc<ResumeContext>, Stamp)>,
    idle: HashMap<Key, Vec<Idle>>,
    /// Connections opened by this process (tests count reuse with it).
    opened: u64,
    /// Full contexts built by this process (credentials parsed).
    built: u64,
}

struct Built {
    ctx: Arc<TlsContext>,
    stamp: Stamp,
}

struct Idle {
    conn: TlsConn,
    since: Instant,
    /// Kept at most this long: [`IDLE_LIMIT`], or less when the server said it closes sooner.
    limit: Duration,
}

/// How long an idle connection is kept: [`IDLE_LIMIT`], and a second less than a server's own
/// `Keep-Alive: timeout=N` when that is shorter, so that we never write into a connection the
/// server is closing (decision 18 makes that a failure, not a retry). `None`: not kept.
pub fn idle_limit(server_idle: Option<Duration>) -> Option<Duration> {
    let margin = Duration::from_secs(1);
    match server_idle {
        None => Some(IDLE_LIMIT),
        Some(t) if t <= margin => None,
        Some(t) => Some(IDLE_LIMIT.min(t - margin)),
    }
}

/// Identity of the credential files: a renewed certificate at the same path is picked up.
#[derive(PartialEq, Eq)]
struct Stamp(Vec<Option<(i64, i64, u64, u64)>>);

impl Stamp {
    fn of(s: &TransportSettings) -> Self {
        let files = [&s.client_file, &s.client_key_file, &s.ca_file];
        Self(
            files
                .iter()
                .map(|f| {
                    let m = std::fs::metadata(OsStr::from_bytes(f.as_deref()?)).ok()?;
                    Some((m.mtime(), m.mtime_nsec(), m.size(), m.ino()))
                })
                .collect(),
        )
    }
}

fn with<T>(f: impl FnOnce(&mut State) -> T) -> T {
    let mut guard = STATE.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if guard.as_ref().is_some_and(|s| s.pid != pid) {
        if let Some(inherited) = guard.take() {
            // Forked: the parent's TLS connections must never be written or shut down from here
            // (that would corrupt the parent's sessions), so leak them instead of dropping.
            std::mem::forget(inherited);
        }
    }
    let state = guard.get_or_insert_with(|| State {
        pid,
        contexts: HashMap::new(),
        resume_contexts: HashMap::new(),
        idle: HashMap::new(),
        opened: 0,
        built: 0,
    });
    f(state)
}

/// The TLS context for these settings, built (outside the lock) on first use or when a
/// credential file changed.
pub fn context(s: &TransportSettings) -> Result<Arc<TlsContext>, TransportFailure> {
    let stamp = Stamp::of(s);
    let cached = with(|st| {
        st.contexts
            .get(s)
            .filter(|b| b.stamp == stamp)
            .map(|b| b.ctx.clone())
    });
    if let Some(ctx) = cached {
        return Ok(ctx);
    }
    // Failures are not cached: a fixed file works on the next post.
    let ctx = Arc::new(TlsContext::build(s)?);
    with(|st| {
        st.built += 1;
        st.contexts.insert(
            s.clone(),
            Built {
                ctx: ctx.clone(),
                stamp,
            },
        )
    });
    Ok(ctx)
}

/// The resume context for these settings, when it applies: OpenSSL path, session cache on, and
/// no full context built yet in this process (once built, the full one resumes as well, and
/// can follow a renegotiation). `None` also when a credential file cannot be read: the full
/// path reports that.
pub fn resume_context(s: &TransportSettings) -> Option<Arc<ResumeContext>> {
    if s.backend != TlsBackend::OpenSsl || s.session_cache_dir.is_none() {
        return None;
    }
    let stamp = Stamp::of(s);
    let cached = with(|st| {
        if st.contexts.get(s).is_some_and(|b| b.stamp == stamp) {
            return Err(());
        }
        Ok(st
            .resume_contexts
            .get(s)
            .filter(|(_, st)| *st == stamp)
            .map(|(l, _)| l.clone()))
    });
    match cached {
        Err(()) => None,
        Ok(Some(l)) => Some(l),
        Ok(None) => {
            let ctx = Arc::new(ResumeContext::build(s, super::session_cache::scope(s)?).ok()?);
            with(|st| st.resume_contexts.insert(s.clone(), (ctx.clone(), stamp)));
            Some(ctx)
        }
    }
}

/// Full TLS contexts this process has built (tests check that a resumed session built none).
pub fn contexts_built() -> u64 {
    with(|st| st.built)
}

fn key(s: &TransportSettings, t: &Target) -> Key {
    (s.clone(), t.host.clone(), t.port)
}

/// Close every idle connection (of any target) past its idle limit or closed by its server (FIN
/// or close_notify seen): a socket the server closed sits in CLOSE-WAIT, holding a descriptor
/// and a kernel socket, until we close ours.
fn prune(st: &mut State) {
    for list in st.idle.values_mut() {
        list.retain(|i| i.since.elapsed() < i.limit && i.conn.tcp().looks_alive());
    }
    st.idle.retain(|_, l| !l.is_empty());
}

/// An idle connection that still looks alive, most recently used first. Dead ones (the server
/// closed them, or sent something unsolicited) are dropped by `prune`, before any request byte.
pub fn take_idle(s: &TransportSettings, t: &Target) -> Option<TlsConn> {
    with(|st| {
        prune(st);
        st.idle.get_mut(&key(s, t))?.pop().map(|i| i.conn)
    })
}

pub fn put_idle(s: &TransportSettings, t: &Target, conn: TlsConn, limit: Duration) {
    with(|st| {
        prune(st);
        st.idle.entry(key(s, t)).or_default().push(Idle {
            conn,
            since: Instant::now(),
            limit,
        });
    })
}

pub fn note_opened() {
    with(|st| st.opened += 1);
}

/// Connections this process has opened so far (for tests and diagnostics).
pub fn opened() -> u64 {
    with(|st| st.opened)
}

/// Close the idle connections that are past their idle limit or that the server closed (the
/// next opportunity after the pool's own calls: the PHP extension calls it at request end).
pub fn close_stale() {
    with(prune);
}

/// Drop every idle connection of this process (never the parent's: the pid check runs first).
pub fn clear_idle() {
    with(|st| st.idle.clear());
}
