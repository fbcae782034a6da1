//! The two TLS paths behind one face (decision 14, docs/tls.md): a built context per settings and
//! a connected stream.

use std::io::{self, Read, Write};
use std::sync::Arc;

use openssl::ssl::{SslContext, SslStream};

use super::credentials;
use super::stream::TimedTcp;
use super::url::Target;
use super::{TransportSettings, openssl_tls, rustls_tls, session_cache};
use crate::config::TlsBackend;
use crate::error::TransportFailure;

/// Credentials parsed and verification set up, once per settings per process.
pub enum TlsContext {
    /// The context, and the session-cache scope when `session_cache_dir` is set.
    OpenSsl(SslContext, Option<String>),
    Rustls(Arc<rustls::ClientConfig>),
}

impl TlsContext {
    pub fn build(s: &TransportSettings) -> Result<Self, TransportFailure> {
        let creds = credentials::load(s)?;
        Ok(match s.backend {
            TlsBackend::OpenSsl => {
                let scope = s
                    .session_cache_dir
                    .as_ref()
                    .and_then(|_| session_cache::scope(s));
                let ctx = openssl_tls::context(creds, scope.is_some())?;
                Self::OpenSsl(ctx, scope)
            }
            TlsBackend::Rustls => Self::Rustls(rustls_tls::config(creds, s.verify_host)?),
        })
    }

    pub fn connect(
        &self,
        tcp: TimedTcp,
        target: &Target,
        s: &TransportSettings,
    ) -> Result<TlsConn, TransportFailure> {
        // `verify_host` only means something when the server is verified at all.
        let verify_host = s.verify_host && s.ca_file.is_some();
        match self {
            Self::OpenSsl(ctx, scope) => {
                let cached = match (&s.session_cache_dir, scope) {
                    (Some(dir), Some(scope)) => {
                        let name = session_cache::name(target, scope);
                        let loaded = session_cache::load(dir, &name, s, target);
                        let entry = session_cache::Entry {
                            dir: dir.clone(),
                            name,
                        };
                        Some((loaded, entry))
                    }
                    _ => None,
                };
                openssl_tls::connect(ctx, tcp, target, verify_host, cached).map(TlsConn::OpenSsl)
            }
            Self::Rustls(cfg) => {
                rustls_tls::connect(cfg, tcp, target).map(|s| TlsConn::Rustls(Box::new(s)))
            }
        }
    }
}

/// One TLS connection to the gateway (or through a proxy tunnel to it).
pub enum TlsConn {
    OpenSsl(SslStream<TimedTcp>),
    Rustls(Box<rustls_tls::Stream>),
}

impl TlsConn {
    pub fn tcp(&self) -> &TimedTcp {
        match self {
            Self::OpenSsl(s) => s.get_ref(),
            Self::Rustls(s) => &s.sock,
        }
    }

    pub fn tcp_mut(&mut self) -> &mut TimedTcp {
        match self {
            Self::OpenSsl(s) => s.get_mut(),
            Self::Rustls(s) => &mut s.sock,
        }
    }
}

impl Read for TlsConn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ok(0) only for a close_notify; an end without it is `UnexpectedEof`, which the reply
        // reader takes as the end of a framed body but refuses for a body framed by the end
        // alone (http.rs): a cut connection must not pass for a whole reply.
        match self {
            Self::OpenSsl(s) => openssl_read(s, buf),
            Self::Rustls(s) => s.read(buf),
        }
    }
}

/// `SSL_read` with the end of the connection told apart: close_notify (`Ok(0)`) or not
/// (`UnexpectedEof`: OpenSSL 3 reports `SSL_R_UNEXPECTED_EOF_WHILE_READING`, 1.1.1 a syscall
/// error without errno).
fn openssl_read(s: &mut SslStream<TimedTcp>, buf: &mut [u8]) -> io::Result<usize> {
    use openssl::ssl::ErrorCode;
    const SSL_R_UNEXPECTED_EOF_WHILE_READING: std::ffi::c_int = 294;
    loop {
        let e = match s.ssl_read(buf) {
            Ok(n) => return Ok(n),
            Err(e) => e,
        };
        let unexpected_eof = || {
            e.ssl_error().is_some_and(|stack| {
                stack
                    .errors()
                    .iter()
                    .any(|x| x.reason_code() == SSL_R_UNEXPECTED_EOF_WHILE_READING)
            })
        };
        match e.code() {
            ErrorCode::ZERO_RETURN => return Ok(0),
            // A renegotiation or post-handshake message was processed: read on.
            ErrorCode::WANT_READ if e.io_error().is_none() => continue,
            ErrorCode::SYSCALL if e.io_error().is_none() => {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            ErrorCode::SSL if unexpected_eof() => return Err(io::ErrorKind::UnexpectedEof.into()),
            _ => return Err(e.into_io_error().unwrap_or_else(io::Error::other)),
        }
    }
}

impl Write for TlsConn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::OpenSsl(s) => s.write(buf),
            Self::Rustls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::OpenSsl(s) => s.flush(),
            Self::Rustls(s) => s.flush(),
        }
    }
}
