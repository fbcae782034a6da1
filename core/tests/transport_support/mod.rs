//! Test servers for the transport tests: an OpenSSL mTLS server (optionally asking for the client
//! certificate late), a silent TCP server, and a CONNECT proxy. Test-only; all on 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]
#![allow(
    dead_code,
    reason = "each test binary uses a part of the shared helpers"
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use foreign_types::ForeignTypeRef;
use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslStream, SslVerifyMode, SslVersion};
use paygent_core::config::TlsBackend;
use paygent_core::transport::{HttpReply, HttpRequest, Proxy, TransportSettings};

pub const BACKENDS: [TlsBackend; 2] = [TlsBackend::OpenSsl, TlsBackend::Rustls];

/// The test PKI, generated once and shared by the test binaries.
pub fn pki() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        paygent_testpki::shared(Path::new(env!("CARGO_TARGET_TMPDIR")), "transport-pki")
            .expect("test PKI")
    })
}

/// Under CI (`CI=true`, or `PAYGENT_REQUIRE_ALL=1`) every test must run its real parts.
pub fn require_all() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("PAYGENT_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

/// A real part a test needs (Apache httpd, the openssl CLI) is missing: a failure under CI,
/// a loud skip elsewhere. The caller returns after it.
pub fn missing_real_part(test: &str, why: &str) {
    assert!(!require_all(), "{test}: {why} (CI must not skip)");
    eprintln!("SKIPPED {test}: {why}");
}

pub fn file(name: &str) -> Vec<u8> {
    pki().join(name).into_os_string().into_encoded_bytes()
}

/// `dir` as the session cache: made private (mode 0700) and opened as `init()` opens it.
pub fn cache_dir(dir: &std::path::Path) -> paygent_core::transport::CacheDir {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    paygent_core::transport::CacheDir::open(dir.as_os_str().as_encoded_bytes())
        .unwrap_or_else(|why| panic!("session cache directory: {why}"))
}

/// Settings with the kit PEM, the test CA, host verification and keep-alive on.
/// The session file the transport wrote for `localhost:port` in the cache directory `dir`.
pub fn session_file(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("localhost_{port}_")))
        })
        .unwrap_or_else(|| panic!("no session file for port {port} in {}", dir.display()))
}

pub fn settings(backend: TlsBackend) -> TransportSettings {
    TransportSettings {
        backend,
        client_file: Some(file("client-kit.pem")),
        client_key_file: None,
        client_key_password: b"changeit".to_vec(),
        ca_file: Some(file("ca.pem")),
        verify_host: true,
        keep_alive: true,
        proxy: None,
        session_cache_dir: None,
    }
}

pub fn post(
    url: &str,
    s: &TransportSettings,
) -> Result<HttpReply, paygent_core::error::TransportFailure> {
    post_body(
        url,
        s,
        b"merchant_id=1&telegram_kind=020",
        Duration::from_secs(10),
    )
}

pub fn post_body(
    url: &str,
    s: &TransportSettings,
    body: &[u8],
    timeout: Duration,
) -> Result<HttpReply, paygent_core::error::TransportFailure> {
    post_limited(url, s, body, timeout, 4 << 20)
}

/// [`post_body`] with a reply size limit.
pub fn post_limited(
    url: &str,
    s: &TransportSettings,
    body: &[u8],
    timeout: Duration,
    reply_max_size: usize,
) -> Result<HttpReply, paygent_core::error::TransportFailure> {
    paygent_core::transport::post(&HttpRequest {
        url: url.as_bytes(),
        body,
        user_agent: "curl_php",
        timeout,
        settings: s,
        reply_max_size,
    })
}

/// How the server asks for the client certificate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClientAuth {
    /// In the initial handshake (required).
    Initial,
    /// Not at all.
    None,
    /// Initial handshake without; then TLS 1.2 renegotiation after reading the request.
    Renegotiate,
    /// TLS 1.3 post-handshake authentication after reading the request.
    PostHandshake,
}

#[derive(Clone)]
pub struct ServerOpts {
    pub cert: &'static str,
    pub key: &'static str,
    pub auth: ClientAuth,
    pub max_version: Option<SslVersion>,
}

/// Whether this OpenSSL resumes TLS 1.3 sessions from the cache (not 1.1.1: the module's
/// `session_cache::tls13_resumable`, openssl/openssl#10370).
#[allow(dead_code, reason = "not every test binary uses it")]
pub fn tls13_resumable() -> bool {
    openssl::version::number() >= 0x3000_0000
}

/// The highest protocol whose sessions the cache keeps with this OpenSSL: TLS 1.3, or TLS 1.2 on
/// OpenSSL 1.1.1.
#[allow(dead_code, reason = "not every test binary uses it")]
pub fn cached_max_version() -> Option<SslVersion> {
    (!tls13_resumable()).then_some(SslVersion::TLS1_2)
}

impl Default for ServerOpts {
    fn default() -> Self {
        Self {
            cert: "server.pem",
            key: "server.key",
            auth: ClientAuth::Initial,
            max_version: None,
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Which accepted connection (0-based) carried it.
    pub conn: usize,
    pub head: String,
    pub body: Vec<u8>,
    /// Common names of the client certificate and the chain it sent.
    pub peer: Vec<String>,
    /// The TLS session was resumed (abbreviated handshake).
    pub resumed: bool,
    /// The SNI name the client sent.
    pub sni: Option<String>,
}

#[derive(Default, Debug)]
pub struct Log {
    pub accepts: usize,
    pub handshake_errors: Vec<String>,
    pub requests: Vec<Seen>,
    /// Late certificate requests made (renegotiation or post-handshake auth).
    pub late_asks: usize,
}

/// What the server does with a request.
pub enum Action {
    /// Send these bytes; keep the connection unless the request was HTTP/1.0.
    Reply(Vec<u8>),
    /// Send these bytes, then close.
    ReplyClose(Vec<u8>),
    /// Send these bytes, then close the TCP connection without TLS close_notify (a connection
    /// cut on the way, or a server that does not say it is done).
    ReplyCut(Vec<u8>),
    /// Close without a reply.
    Drop,
    /// Say nothing for this long, then close.
    Stall(Duration),
    /// Let the function write the reply (e.g. an endless one: it stops when a write fails),
    /// then close.
    Stream(Writer),
}

pub type Handler = Arc<dyn Fn(usize, &Seen) -> Action + Send + Sync>;
/// Writes a reply of its own making.
pub type Writer = Arc<dyn Fn(&mut dyn Write) + Send + Sync>;

pub fn ok(body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

pub fn always(reply: Vec<u8>) -> Handler {
    Arc::new(move |_, _| Action::Reply(reply.clone()))
}

pub struct Server {
    pub port: u16,
    pub log: Arc<Mutex<Log>>,
}

impl Server {
    pub fn url(&self, host: &str) -> String {
        format!("https://{host}:{}/n/card/request", self.port)
    }

    pub fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap()
    }
}

unsafe extern "C" {
    fn SSL_renegotiate(s: *mut openssl_sys::SSL) -> libc::c_int;
    fn SSL_verify_client_post_handshake(s: *mut openssl_sys::SSL) -> libc::c_int;
}

pub fn tls_server(opts: ServerOpts, handler: Handler) -> Server {
    let dir = pki();
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    b.set_private_key_file(dir.join(opts.key), SslFiletype::PEM)
        .unwrap();
    b.set_certificate_chain_file(dir.join(opts.cert)).unwrap();
    b.set_ca_file(dir.join("ca.pem")).unwrap();
    // Needed whenever a client certificate may be verified (else "internal error" alerts).
    b.set_session_id_context(b"paygent-test").unwrap();
    // As mod_ssl: a renegotiation must be a full handshake, so the certificate is asked for.
    b.set_options(openssl::ssl::SslOptions::NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    let require = SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT;
    match opts.auth {
        ClientAuth::Initial => b.set_verify(require),
        _ => b.set_verify(SslVerifyMode::NONE),
    }
    let max = match opts.auth {
        ClientAuth::Renegotiate => Some(SslVersion::TLS1_2),
        ClientAuth::PostHandshake => Some(SslVersion::TLS1_3),
        _ => opts.max_version,
    };
    b.set_max_proto_version(max).unwrap();
    if opts.auth == ClientAuth::PostHandshake {
        b.set_min_proto_version(Some(SslVersion::TLS1_3)).unwrap();
    }
    let acceptor = Arc::new(b.build());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Log::default()));
    let log2 = log.clone();
    let counter = Arc::new(Mutex::new(0usize));
    thread::spawn(move || {
        for (conn, tcp) in listener.incoming().enumerate() {
            let Ok(tcp) = tcp else { continue };
            log2.lock().unwrap().accepts += 1;
            let (acceptor, log, handler, counter) = (
                acceptor.clone(),
                log2.clone(),
                handler.clone(),
                counter.clone(),
            );
            let auth = opts.auth;
            thread::spawn(move || {
                tcp.set_read_timeout(Some(Duration::from_secs(15))).ok();
                let mut s = match acceptor.accept(tcp) {
                    Ok(s) => s,
                    Err(e) => {
                        log.lock().unwrap().handshake_errors.push(e.to_string());
                        return;
                    }
                };
                serve(&mut s, conn, auth, &log, &handler, &counter);
            });
        }
    });
    Server { port, log }
}

fn cn(c: &openssl::x509::X509Ref) -> String {
    c.subject_name()
        .entries_by_nid(openssl::nid::Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn peer(s: &SslStream<TcpStream>) -> Vec<String> {
    let mut v: Vec<String> = s.ssl().peer_certificate().iter().map(|c| cn(c)).collect();
    if let Some(chain) = s.ssl().peer_cert_chain() {
        for c in chain {
            let name = cn(c);
            if v.first() != Some(&name) {
                v.push(name);
            }
        }
    }
    v
}

/// Read one request (head up to CRLFCRLF, body by Content-Length); `None` at EOF.
pub fn read_request<S: Read>(s: &mut S) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut b = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => buf.push(b[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn serve(
    s: &mut SslStream<TcpStream>,
    conn: usize,
    auth: ClientAuth,
    log: &Mutex<Log>,
    handler: &Handler,
    counter: &Mutex<usize>,
) {
    loop {
        let Some((head, body)) = read_request(s) else {
            return;
        };
        if matches!(auth, ClientAuth::Renegotiate | ClientAuth::PostHandshake)
            && s.ssl().peer_certificate().is_none()
        {
            let ptr = s.ssl().as_ptr();
            let mode = openssl_sys::SSL_VERIFY_PEER | openssl_sys::SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
            // SAFETY: `ptr` is this live SSL; blocking socket, as mod_ssl drives it.
            unsafe {
                openssl_sys::SSL_set_verify(ptr, mode, None);
                let asked = if auth == ClientAuth::Renegotiate {
                    SSL_renegotiate(ptr)
                } else {
                    // Fails when the client did not offer post-handshake auth (rustls).
                    SSL_verify_client_post_handshake(ptr)
                };
                log.lock().unwrap().late_asks += 1;
                if asked != 1 {
                    log.lock()
                        .unwrap()
                        .handshake_errors
                        .push("late certificate request refused".into());
                    return;
                }
                openssl_sys::SSL_do_handshake(ptr);
            }
            // The client answers from inside its read of the reply; drive the handshake by
            // peeking without blocking until its certificate is in (a blocking peek would wait
            // for application data that never comes).
            s.get_ref().set_nonblocking(true).unwrap();
            let until = std::time::Instant::now() + Duration::from_secs(5);
            while s.ssl().peer_certificate().is_none() && std::time::Instant::now() < until {
                let mut peek = [0u8; 1];
                // SAFETY: as above.
                let n = unsafe { openssl_sys::SSL_peek(ptr, peek.as_mut_ptr().cast(), 1) };
                if n <= 0 {
                    // SAFETY: the same live SSL, right after the call whose result it reads.
                    let err = unsafe { openssl_sys::SSL_get_error(ptr, n) };
                    if err != openssl_sys::SSL_ERROR_WANT_READ
                        && err != openssl_sys::SSL_ERROR_WANT_WRITE
                    {
                        break;
                    }
                }
                thread::sleep(Duration::from_millis(5));
            }
            s.get_ref().set_nonblocking(false).unwrap();
            if s.ssl().peer_certificate().is_none() {
                log.lock()
                    .unwrap()
                    .handshake_errors
                    .push("no client certificate after late request".into());
                return;
            }
        }
        let seen = Seen {
            conn,
            head: head.clone(),
            body,
            peer: peer(s),
            resumed: s.ssl().session_reused(),
            sni: s
                .ssl()
                .servername(openssl::ssl::NameType::HOST_NAME)
                .map(str::to_string),
        };
        let n = {
            let mut c = counter.lock().unwrap();
            *c += 1;
            *c - 1
        };
        log.lock().unwrap().requests.push(seen.clone());
        match handler(n, &seen) {
            Action::Reply(bytes) => {
                if s.write_all(&bytes).is_err() {
                    return;
                }
                if head.starts_with("POST")
                    && head.lines().next().is_some_and(|l| l.ends_with("HTTP/1.0"))
                {
                    let _ = s.shutdown();
                    return;
                }
            }
            Action::ReplyClose(bytes) => {
                let _ = s.write_all(&bytes);
                let _ = s.shutdown();
                return;
            }
            Action::ReplyCut(bytes) => {
                let _ = s.write_all(&bytes);
                let _ = s.flush();
                let _ = s.get_ref().shutdown(std::net::Shutdown::Both);
                return;
            }
            Action::Drop => return,
            Action::Stall(d) => {
                thread::sleep(d);
                return;
            }
            Action::Stream(write) => {
                write(s);
                let _ = s.shutdown();
                return;
            }
        }
    }
}

/// A TCP server that accepts and never says anything (handshake timeout).
pub fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    port
}

/// A port nobody listens on.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A CONNECT proxy; records each CONNECT head. With `auth`, demands that Basic credential.
pub fn connect_proxy(auth: Option<&'static str>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let h2 = heads.clone();
    thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut client) = s else { continue };
            let heads = h2.clone();
            thread::spawn(move || {
                let Some((head, _)) = read_request(&mut client) else {
                    return;
                };
                heads.lock().unwrap().push(head.clone());
                if let Some(cred) = auth {
                    if !head.contains(&format!("Proxy-Authorization: Basic {cred}\r\n")) {
                        let _ = client.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
                        return;
                    }
                }
                let target = head.split(' ').nth(1).unwrap_or_default().to_string();
                let Ok(addrs) = target.to_socket_addrs() else {
                    return;
                };
                // Every address of the name, as a real proxy does: `localhost` is ::1 first
                // where /etc/hosts says so (Debian's default), and the test servers listen on
                // 127.0.0.1.
                let Some(upstream) = addrs.into_iter().find_map(|a| TcpStream::connect(a).ok())
                else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                pipe(client, upstream);
            });
        }
    });
    (port, heads)
}

fn pipe(a: TcpStream, b: TcpStream) {
    let (mut a2, mut b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let (mut a, mut b) = (a, b);
    let t = thread::spawn(move || {
        let _ = std::io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut b, &mut a);
    let _ = a.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
}

pub fn proxy_settings(s: &mut TransportSettings, port: u16, cred: Option<(&str, &str)>) {
    s.proxy = Some(Proxy {
        host: b"127.0.0.1".to_vec(),
        port,
        credentials: cred.map(|(u, p)| (u.as_bytes().to_vec(), p.as_bytes().to_vec())),
    });
}

/// Run `f` in a forked child; panics here when it fails there.
pub fn in_child(what: &str, f: impl FnOnce() -> Result<(), String>) {
    // SAFETY: the child only posts and leaves with _exit; the server threads are idle in
    // accept/read and hold no lock the child needs.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match f() {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("child ({what}): {e}");
                1
            }
        };
        // SAFETY: the forked child ends without running the parent's destructors or atexit.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: our own child's pid and a live status slot.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{what}: child failed ({status})"
    );
}
