//! HTTPS transport: one POST per telegram over mutual TLS (protocol.md §4.9, §5; decisions.md
//! 14–19). Blocking sockets, no threads and no async runtime, so nothing breaks across fork.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::config::{Config, TlsBackend};
use crate::error::{FailurePhase, TransportFailure};

mod coldstart;
mod connect;
mod credentials;
mod http;
mod legacy_pem;
use coldstart::{resume, session_cache};
mod openssl_tls;
mod pool;
pub mod probe;
mod proxy;
mod rustls_tls;
mod stream;
mod tls;
mod url;

pub use pool::{
    IDLE_LIMIT, clear_idle, close_stale, contexts_built, idle_limit, opened as connections_opened,
};
pub use session_cache::{
    CacheDir, directory as session_cache_directory, open as open_session_cache,
    refusal as session_cache_refusal, tls13_resumable as tls13_sessions_cached,
};

/// Everything that decides which connections may be shared: the pool is keyed by it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransportSettings {
    /// Which TLS library carries the connection (`tls_backend`).
    pub backend: TlsBackend,
    /// PEM (kit: key + certificate + intermediate), or `.p12`/`.pfx`; `None` = no client cert.
    pub client_file: Option<Vec<u8>>,
    /// Separate key file; `None` = the key is in `client_file`.
    pub client_key_file: Option<Vec<u8>>,
    /// Passphrase of the client key (`client_key_password`, default `changeit`, §4.9).
    pub client_key_password: Vec<u8>,
    /// `None` = no server verification at all (`not_use_ca_cert=true`).
    pub ca_file: Option<Vec<u8>>,
    /// Check the gateway's host name against its certificate; always false with
    /// `not_use_ca_cert` (decisions.md 15).
    pub verify_host: bool,
    /// HTTP/1.1 keep-alive with the per-process pool; false = HTTP/1.0, one connection a call.
    pub keep_alive: bool,
    /// The CONNECT proxy; `None` = direct (§4.9: a host and a port > 0 are both needed).
    pub proxy: Option<Proxy>,
    /// The cross-process TLS session cache, opened and checked once; `None` = none.
    pub session_cache_dir: Option<CacheDir>,
}

/// An HTTP CONNECT proxy (protocol.md §4.9).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Proxy {
    /// `proxy_server_ip` when set, else `proxy_server_name`.
    pub host: Vec<u8>,
    /// `proxy_server_port`, > 0.
    pub port: u16,
    /// `user:password` for `Proxy-Authorization: Basic`.
    pub credentials: Option<(Vec<u8>, Vec<u8>)>,
}

impl TransportSettings {
    /// The settings a configuration asks for: `not_use_client_cert` / `not_use_ca_cert` drop the
    /// files, the IP wins over the proxy name. The session cache directory is opened here, once
    /// (coldstart/cache_dir.rs); the text says why it is not used, for the log.
    pub fn from_config(c: &Config) -> (Self, Option<String>) {
        let non_empty = |b: &Vec<u8>| (!b.is_empty()).then(|| b.clone());
        let proxy_host = if !c.proxy_server_ip.is_empty() {
            &c.proxy_server_ip
        } else {
            &c.proxy_server_name
        };
        let proxy = (!proxy_host.is_empty() && c.proxy_server_port > 0).then(|| Proxy {
            host: proxy_host.clone(),
            port: c.proxy_server_port,
            credentials: (!c.proxy_user.is_empty())
                .then(|| (c.proxy_user.clone(), c.proxy_password.clone())),
        });
        let (session_cache_dir, refusal) = match session_cache::open(&c.session_cache_dir) {
            Ok(dir) => (dir, None),
            Err(why) => (None, Some(session_cache::refused(&why))),
        };
        let settings = Self {
            backend: c.tls_backend,
            client_file: if c.not_use_client_cert {
                None
            } else {
                non_empty(&c.client_file_path)
            },
            client_key_file: if c.not_use_client_cert {
                None
            } else {
                non_empty(&c.client_key_file_path)
            },
            client_key_password: c.client_key_password.clone(),
            ca_file: if c.not_use_ca_cert {
                None
            } else {
                non_empty(&c.ca_file_path)
            },
            verify_host: c.verify_host && !c.not_use_ca_cert,
            keep_alive: c.keep_alive,
            proxy,
            session_cache_dir,
        };
        (settings, refusal)
    }
}

/// One telegram to send.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    /// Absolute `https://host[:port]/path` URL from the configuration.
    pub url: &'a [u8],
    /// The form-encoded telegram (protocol.md §4.8).
    pub body: &'a [u8],
    /// `curl_php` for PHP, LWP's form for Perl (protocol.md §4.9).
    pub user_agent: &'a str,
    /// Bounds connect and the whole exchange (`CURLOPT_TIMEOUT` = `CONNECTTIMEOUT`, §4.9).
    pub timeout: Duration,
    /// Credentials, verification, proxy and pool key.
    pub settings: &'a TransportSettings,
    /// Most reply body bytes accepted (errno 63, E02005, beyond): `reply_max_size`.
    pub reply_max_size: usize,
}

/// The reply as the transport API gives it (§5.2 R, §6.1 R).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpReply {
    /// The HTTP status of the gateway's (not the proxy's) response.
    pub status: u16,
    /// The response body, without headers, de-chunked.
    pub body: Vec<u8>,
    /// The body was delimited only by the end of the connection (HTTP/1.0 without
    /// Content-Length): a cut connection cannot be told from the end.
    pub until_eof: bool,
}

/// POST a telegram. Never sends it twice once any byte may have reached the server
/// (decisions.md 18).
pub fn post(req: &HttpRequest<'_>) -> Result<HttpReply, TransportFailure> {
    let started = Instant::now();
    let deadline = started + req.timeout;
    let target = url::parse(req.url)?;
    let s = req.settings;
    let request = http::request(&target, req.body, req.user_agent, s.keep_alive);
    let pooled = if s.keep_alive {
        pool::take_idle(s, &target)
    } else {
        None
    };
    let (mut conn, was_pooled) = match pooled {
        Some(mut c) => {
            c.tcp_mut().deadline = deadline;
            (c, true)
        }
        None => (fresh(&target, s, deadline, started)?, false),
    };
    // Point of no return (decision 18): once the first request byte is handed to the socket, a
    // failure is reported (maybe sent), never retried on another connection.
    let mut written = write_request(&mut conn, &request, started);
    if was_pooled && matches!(written, Err(ref f) if f.phase == FailurePhase::NotSent) {
        // A kept-alive connection found dead before anything was written: a new one.
        conn = fresh(&target, s, deadline, started)?;
        written = write_request(&mut conn, &request, started);
    }
    written?;
    let reply =
        http::response(&mut conn, started, req.reply_max_size).map_err(|f| f.maybe_sent())?;
    if s.keep_alive && reply.reusable {
        if let Some(limit) = pool::idle_limit(reply.server_idle) {
            pool::put_idle(s, &target, conn, limit);
        }
    }
    Ok(HttpReply {
        status: reply.status,
        body: reply.body,
        until_eof: reply.until_eof,
    })
}

/// Write the whole request. A failure on the first write call, before the socket took any byte,
/// is [`FailurePhase::NotSent`]; after that it may have reached the server.
fn write_request(
    conn: &mut tls::TlsConn,
    request: &[u8],
    started: Instant,
) -> Result<(), TransportFailure> {
    let mut done = 0;
    let result = loop {
        if done == request.len() {
            break conn.flush();
        }
        match conn.write(&request[done..]) {
            Ok(0) => break Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    result.map_err(|e| {
        let f = match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                http::timed_out(started, 0)
            }
            _ => TransportFailure::new(
                55,
                format!("Failed sending data to the peer: {}", reason(&e)),
            ),
        };
        if done == 0 { f } else { f.maybe_sent() }
    })
}

/// A new TLS connection. A direct TCP connect starts first, so that this process's TLS set-up
/// (contexts, credentials, the cached session: a millisecond or more in a fresh CGI process)
/// runs while the SYN and SYN-ACK travel. Everything here happens before the request is
/// written, so trying another address or a second handshake is safe (decision 18).
fn fresh(
    target: &url::Target,
    s: &TransportSettings,
    deadline: Instant,
    started: Instant,
) -> Result<tls::TlsConn, TransportFailure> {
    // Through a proxy the tunnel needs the proxy's reply first: connected when needed.
    let early = s
        .proxy
        .is_none()
        .then(|| connect::start(&target.host, target.port, false));
    // Optimistic resumption (coldstart/resume.rs): the full context, and with it the credentials, only
    // when there is no cached session or it does not resume. A context error is reported
    // before the connect completes, as when contexts were built first; the socket is closed
    // unused.
    let cached = pool::resume_context(s).and_then(|l| {
        let found = l.session(s, target)?;
        Some((l, found))
    });
    let plan = match cached {
        Some((l, (loaded, entry))) => Plan::Light(l, loaded, entry),
        None => Plan::Full(pool::context(s)?),
    };
    let tcp = match early {
        Some(c) => {
            let tcp = c?.finish(deadline, started)?;
            pool::note_opened();
            stream::TimedTcp::new(tcp, deadline)
        }
        None => self::tcp(target, s, deadline, started)?,
    };
    match plan {
        Plan::Full(ctx) => ctx.connect(tcp, target, s),
        Plan::Light(l, loaded, entry) => match l.connect(tcp, target, loaded, entry) {
            Ok(stream) => Ok(tls::TlsConn::OpenSsl(stream)),
            Err(resume::Miss::Fail(e)) => Err(e),
            // Not resumed: nothing was sent; a new connection with the full context.
            Err(resume::Miss::Retry) => open(&*pool::context(s)?, target, s, deadline, started),
        },
    }
}

/// How a new connection does its handshake.
enum Plan {
    /// Resume the cached session with the resume context.
    Light(
        std::sync::Arc<resume::ResumeContext>,
        session_cache::Loaded,
        session_cache::Entry,
    ),
    Full(std::sync::Arc<tls::TlsContext>),
}

/// A new TLS connection on a new TCP connection (through the proxy tunnel when one is
/// configured).
fn open(
    ctx: &tls::TlsContext,
    target: &url::Target,
    s: &TransportSettings,
    deadline: Instant,
    started: Instant,
) -> Result<tls::TlsConn, TransportFailure> {
    let tcp = tcp(target, s, deadline, started)?;
    ctx.connect(tcp, target, s)
}

fn tcp(
    target: &url::Target,
    s: &TransportSettings,
    deadline: Instant,
    started: Instant,
) -> Result<stream::TimedTcp, TransportFailure> {
    let tcp = match &s.proxy {
        Some(p) => proxy::tunnel(p, target, deadline, started)?,
        None => connect::tcp_connect(&target.host, target.port, deadline, started, false)?,
    };
    pool::note_opened();
    Ok(stream::TimedTcp::new(tcp, deadline))
}

/// An OS error's text without Rust's ` (os error N)` suffix, as curl prints it.
fn reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The TLS library the OpenSSL path runs with (`OpenSSL 3.0.x  …`), for `--version` and info
/// pages.
pub fn tls_library_version() -> &'static str {
    openssl::version::version()
}
