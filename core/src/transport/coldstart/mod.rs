//! Cold-start tuning for processes that live for one telegram (CGI, cron): the TLS session
//! cache shared by processes through files in a private directory (`session_cache`), and the
//! resume context that tries a cached TLS 1.3 session with a context holding no credentials and
//! no trust store, loading them only if the server does not resume (`resume`). The common path
//! (`pool`, `openssl_tls`, `http`) works without either; they only save handshake work
//! (docs/tls.md "Session cache", docs/performance.md "CGI cold start").

mod cache_dir;
pub(super) mod resume;
pub(super) mod session_cache;
