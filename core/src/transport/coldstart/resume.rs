//! Optimistic resumption (OpenSSL path, `session_cache_dir`; docs/tls.md "Resume context"): a
//! process with a cached TLS 1.3 session first connects with a context that holds no credentials
//! and no trust store. A resumed handshake carries no certificates, so nothing is parsed. When
//! the server does not resume (its ticket was single-use and another process used it first, or
//! it forgot it), the same connection goes on as a full handshake: the trust anchors are loaded
//! when the server's certificate arrives (verification callback) and the client identity when
//! the server asks for it (certificate callback). One connection per telegram either way.

use std::ffi::c_void;
use std::sync::OnceLock;

use foreign_types::ForeignTypeRef;
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslContext, SslContextRef, SslRef, SslVerifyMode, SslVersion};
use openssl_sys::{SSL, SSL_CTX, X509_STORE_CTX};

use crate::error::TransportFailure;
use crate::transport::stream::TimedTcp;
use crate::transport::url::Target;
use crate::transport::{TransportSettings, openssl_tls, session_cache};

unsafe extern "C" {
    // Not bound by openssl-sys; part of libssl since 1.0.2.
    fn SSL_CTX_set_cert_cb(
        ctx: *mut SSL_CTX,
        cb: Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> libc::c_int>,
        arg: *mut c_void,
    );
    // Not bound by openssl-sys; libssl and libcrypto since 0.9.8 / 1.1.0.
    fn SSL_CTX_set_cert_verify_callback(
        ctx: *mut SSL_CTX,
        cb: Option<unsafe extern "C" fn(*mut X509_STORE_CTX, *mut c_void) -> libc::c_int>,
        arg: *mut c_void,
    );
    fn X509_STORE_CTX_set0_trusted_stack(
        ctx: *mut X509_STORE_CTX,
        sk: *mut openssl_sys::stack_st_X509,
    );
}

pub struct ResumeContext {
    ctx: SslContext,
    scope: String,
    verify_host: bool,
}

/// Why a resume attempt did not give a connection.
pub enum Miss {
    /// Not resumed (or the handshake failed): nothing was sent; go full on a new connection.
    Retry,
    /// A failure the full path would meet as well (the deadline passed): report it.
    Fail(TransportFailure),
}

fn settings_index() -> Option<Index<SslContext, TransportSettings>> {
    static INDEX: OnceLock<Option<Index<SslContext, TransportSettings>>> = OnceLock::new();
    *INDEX.get_or_init(|| SslContext::new_ex_index().ok())
}

impl ResumeContext {
    /// No file is parsed here: `scope` comes from the raw bytes (session_cache::scope).
    pub fn build(s: &TransportSettings, scope: String) -> Result<Self, TransportFailure> {
        let mut b = openssl_tls::base(true)?;
        // Verified as by the full context (PEER, the host name set per connection), with the
        // trust anchors loaded only if a certificate arrives (lazy_trust).
        b.set_verify(SslVerifyMode::PEER);
        let index = settings_index()
            .ok_or_else(|| TransportFailure::new(35, "OpenSSL setup failed: ex_data"))?;
        b.set_ex_data(index, s.clone());
        // SAFETY: live SSL_CTX owned by `b`; the callbacks take their data from the context.
        unsafe {
            SSL_CTX_set_cert_cb(b.as_ptr(), Some(lazy_identity), std::ptr::null_mut());
            SSL_CTX_set_cert_verify_callback(b.as_ptr(), Some(lazy_trust), std::ptr::null_mut());
        }
        Ok(Self {
            ctx: b.build(),
            scope,
            verify_host: s.verify_host,
        })
    }

    /// The cache file and its session, when there is a live TLS 1.3 one. TLS 1.2 sessions go
    /// the full way: a TLS 1.2 server asking for the certificate late renegotiates with a full
    /// handshake, which verifies the server again — impossible with an empty store, and by then
    /// the request has been sent.
    pub fn session(
        &self,
        s: &TransportSettings,
        target: &Target,
    ) -> Option<(session_cache::Loaded, session_cache::Entry)> {
        let dir = s.session_cache_dir.as_ref()?;
        let name = session_cache::name(target, &self.scope);
        let loaded = session_cache::load(dir, &name, s, target)?;
        let entry = session_cache::Entry {
            dir: dir.clone(),
            name,
        };
        (loaded.session.protocol_version() == SslVersion::TLS1_3).then_some((loaded, entry))
    }

    pub fn connect(
        &self,
        tcp: TimedTcp,
        target: &Target,
        loaded: session_cache::Loaded,
        entry: session_cache::Entry,
    ) -> Result<openssl::ssl::SslStream<TimedTcp>, Miss> {
        let mut ssl =
            openssl_tls::new_ssl(&self.ctx, target, self.verify_host).map_err(|_| Miss::Retry)?;
        session_cache::prepare(&mut ssl, entry, Some(loaded));
        match openssl_tls::handshake(ssl, tcp, target) {
            // Resumed, or a full handshake verified by lazy_trust.
            Ok(stream) => Ok(stream),
            Err(e) if e.errno == 28 => Err(Miss::Fail(e)),
            // Nothing was sent: the full path tries again and reports its own error (a CA file
            // that cannot be read is errno 77 there, not a verification failure).
            Err(_) => Err(Miss::Retry),
        }
    }
}

/// Verification callback of a handshake that was not resumed: the configured CA certificates
/// become the trusted stack of this one verification, which OpenSSL then runs as usual (the
/// connection's host name, purpose, chain). 1 = verified, 0 = not (the handshake fails with
/// the verification error). Without `ca_file` (`not_use_ca_cert`) nothing is verified, as in
/// the full context.
unsafe extern "C" fn lazy_trust(store: *mut X509_STORE_CTX, _arg: *mut c_void) -> libc::c_int {
    // No panic may cross into OpenSSL.
    std::panic::catch_unwind(|| {
        // SAFETY: OpenSSL hands the live X509_STORE_CTX of this SSL's verification; the SSL is
        // attached to it under SSL_get_ex_data_X509_STORE_CTX_idx.
        unsafe {
            let ssl = openssl_sys::X509_STORE_CTX_get_ex_data(
                store,
                openssl_sys::SSL_get_ex_data_X509_STORE_CTX_idx(),
            ) as *mut SSL;
            if ssl.is_null() {
                return 0;
            }
            let ctx: &SslContextRef = SslRef::from_ptr(ssl).ssl_context();
            let Some(s) = settings_index().and_then(|i| ctx.ex_data(i)) else {
                return 0;
            };
            let Some(path) = &s.ca_file else {
                return 1;
            };
            let Ok(certs) = crate::transport::credentials::trust(path) else {
                openssl_sys::X509_STORE_CTX_set_error(store, openssl_sys::X509_V_ERR_UNSPECIFIED);
                return 0;
            };
            let Ok(mut stack) = openssl::stack::Stack::new() else {
                return 0;
            };
            if certs.into_iter().try_for_each(|c| stack.push(c)).is_err() {
                return 0;
            }
            // set0: the store context borrows the stack, which lives until we return.
            X509_STORE_CTX_set0_trusted_stack(store, stack.as_ptr());
            openssl_sys::X509_verify_cert(store).max(0)
        }
    })
    .unwrap_or(0)
}

/// Certificate callback: a server asking for the client certificate on a resumed connection
/// (TLS 1.3 post-handshake auth, after our request) gets it, loaded now. Returns 1 to go on
/// (with the identity, or none when none is configured), 0 to abort when it cannot be loaded.
unsafe extern "C" fn lazy_identity(ssl: *mut SSL, _arg: *mut c_void) -> libc::c_int {
    // No panic may cross into OpenSSL.
    std::panic::catch_unwind(|| {
        // SAFETY: OpenSSL hands the live SSL it is driving.
        let ssl = unsafe { SslRef::from_ptr_mut(ssl) };
        load_identity(ssl)
    })
    .unwrap_or(0)
}

/// When a server asked for the client certificate on a connection the doctor's probe watches:
/// `asked` is 1 during the first handshake, 2 after it (renegotiation or post-handshake auth).
#[derive(Default)]
pub struct AskWatch {
    pub handshake_done: std::sync::atomic::AtomicBool,
    pub asked: std::sync::atomic::AtomicU8,
}

pub fn ask_watch_index() -> Option<Index<Ssl, AskWatch>> {
    static INDEX: OnceLock<Option<Index<Ssl, AskWatch>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

impl ResumeContext {
    /// The OpenSSL context (the doctor's probe opens a watched connection on it).
    pub fn context(&self) -> &SslContext {
        &self.ctx
    }
}

fn load_identity(ssl: &mut SslRef) -> libc::c_int {
    if let Some(w) = ask_watch_index().and_then(|i| ssl.ex_data(i)) {
        use std::sync::atomic::Ordering::Relaxed;
        let when = if w.handshake_done.load(Relaxed) { 2 } else { 1 };
        let _ = w.asked.compare_exchange(0, when, Relaxed, Relaxed);
    }
    let ctx: &SslContextRef = ssl.ssl_context();
    let Some(s) = settings_index().and_then(|i| ctx.ex_data(i)) else {
        return 0;
    };
    if ssl.certificate().is_some() {
        return 1; // already loaded (a second request on the same connection)
    }
    let id = match crate::transport::credentials::client_identity(s) {
        Ok(Some(id)) => id,
        Ok(None) => return 1,
        Err(_) => return 0,
    };
    let set = ssl
        .set_certificate(&id.cert)
        .and_then(|_| ssl.set_private_key(&id.key))
        .and_then(|_| id.chain.into_iter().try_for_each(|c| ssl.add_chain_cert(c)));
    if set.is_ok() { 1 } else { 0 }
}
