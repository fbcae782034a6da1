//! What the installation reports about itself (`php --ri paygent`, `Paygent::B2B->info`): the TLS
//! library in use and whether the TLS session cache directory can be used. The bindings add what
//! only they know (which properties file they found).

use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::config::{Config, SESSION_CACHE_AUTO, TlsBackend};

/// One reported fact: a key (Perl `info` hash), a label (`phpinfo()`), the value in words.
pub struct Row {
    /// Key of the Perl `info` hash (`tls_backend`).
    pub key: &'static str,
    /// Label of the `phpinfo()` row (`default TLS backend`).
    pub label: &'static str,
    /// The fact in words.
    pub value: String,
}

/// Everything but the properties file, which each binding finds its own way: version, TLS
/// backend and library, and the session cache, log and debug settings of `config` (`None`:
/// no properties file loaded).
pub fn report(config: Option<&Config>) -> Vec<Row> {
    let none = || "(no properties file loaded)".to_string();
    let cache_dir = config.map_or(SESSION_CACHE_AUTO, |c| &c.session_cache_dir);
    let row = |key, label, value| Row { key, label, value };
    vec![
        row("version", "version", crate::VERSION.to_string()),
        row("module_file", "loaded from", loaded_from()),
        row(
            "tls_backend",
            "default TLS backend",
            default_tls_backend().to_string(),
        ),
        row("openssl", "OpenSSL in use", openssl_version().to_string()),
        row(
            "session_cache",
            "TLS session cache",
            session_cache(cache_dir),
        ),
        row(
            "journal",
            "maybe_sent journal (journal_dir)",
            config.map_or_else(none, journal),
        ),
        row("log_file", "log file", config.map_or_else(none, log_path)),
        row(
            "debug",
            "debug (debug_flg)",
            config.map_or_else(none, |c| if c.debug_flg { "on" } else { "off" }.into()),
        ),
    ]
}

/// The file this code was loaded from (`paygent.so`, `B2B.so`, the `paygent` binary): core is
/// linked into each of them, so the shared object holding this function is the module in use.
/// A second installation elsewhere (`/usr/local`) shadowing the package shows here.
pub fn loaded_from() -> String {
    // SAFETY: an all-zero Dl_info is a valid value for dladdr to fill.
    let mut dl: libc::Dl_info = unsafe { std::mem::zeroed() };
    let here = loaded_from as fn() -> String as *const libc::c_void;
    // SAFETY: dladdr only reads the address and fills `dl`; dli_fname, when set, points at a
    // NUL-terminated name owned by the dynamic linker for the object's lifetime.
    unsafe {
        if libc::dladdr(here, &mut dl) == 0 || dl.dli_fname.is_null() {
            return "(unknown)".into();
        }
        std::ffi::CStr::from_ptr(dl.dli_fname)
            .to_string_lossy()
            .into_owned()
    }
}

/// The TLS backend used when the configuration names none.
pub fn default_tls_backend() -> &'static str {
    match TlsBackend::default() {
        TlsBackend::OpenSsl => "OpenSSL (system libssl)",
        TlsBackend::Rustls => "rustls",
    }
}

/// The OpenSSL library loaded at run time (not the headers built against), e.g.
/// `OpenSSL 3.0.19 27 Jan 2026`.
pub fn openssl_version() -> &'static str {
    openssl::version::version()
}

/// The session cache directory of `session_cache_dir` (a config value) and whether it is
/// usable, in words, with the cause when it is not (a component's owner or mode, a link, a
/// missing directory: transport/coldstart/cache_dir.rs). Resolving the default directory
/// creates it (mode 0700), as the first telegram would.
pub fn session_cache(configured: &[u8]) -> String {
    match crate::transport::open_session_cache(configured) {
        Ok(None) => "off".into(),
        Ok(Some(dir)) => usable(&dir),
        Err(why) => format!("not usable: {why} (cache off)"),
    }
}

/// The journal directory of `journal_dir` (journal.rs) and whether it is usable, in words.
/// Resolving the default directory creates it, as the first journaled telegram would.
pub fn journal(c: &Config) -> String {
    match crate::journal::directory(c, true) {
        Ok(None) => "off".into(),
        Ok(Some(dir)) => usable(&dir),
        Err(why) => format!("not usable: {why} (maybe_sent telegrams are only logged)"),
    }
}

/// An opened directory (session cache, journal) in words: usable, or not writable by this user.
fn usable(dir: &crate::transport::CacheDir) -> String {
    let path = Path::new(OsStr::from_bytes(dir.path()));
    if writable(path) {
        format!("{} (usable)", path.display())
    } else {
        format!("{} (not usable: not writable by this user)", path.display())
    }
}

fn writable(path: &Path) -> bool {
    let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a NUL-terminated path alive for the call; access() only reads it.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

/// The log file setting in words.
pub fn log_path(config: &Config) -> String {
    if config.log_output_path.is_empty() {
        "(none: log_output_path is empty)".into()
    } else {
        String::from_utf8_lossy(&config.log_output_path).into_owned()
    }
}

/// Why a properties file that exists did not load as E01001 (the official warning says "doesn't
/// exist" either way): `None` when it is missing or readable. Opened as the module would open
/// it, by this process's user.
pub fn unreadable(path: &Path) -> Option<String> {
    let err = std::fs::File::open(path).err()?;
    if !path.exists() && err.kind() == std::io::ErrorKind::NotFound {
        return None;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    Some(format!(
        "it exists, but this process (uid {uid}) cannot read it: {err}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// Missing or readable: nothing to add to E01001; otherwise the reason (EACCES needs a user
    /// other than root: tests/packages/install-test.sh runs that case as www-data).
    #[test]
    fn unreadable_says_why_only_for_a_file_that_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("modenv_properties.php");
        assert_eq!(unreadable(&file), None, "missing");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(unreadable(&file), None, "readable");
        let under_a_file = file.join("x");
        let why = unreadable(&under_a_file).unwrap_or_default();
        assert!(
            why.contains("cannot read it") && why.contains("uid"),
            "{why}"
        );
    }

    #[test]
    fn openssl_version_names_the_library() {
        assert!(
            openssl_version().starts_with("OpenSSL "),
            "{}",
            openssl_version()
        );
    }

    #[test]
    fn session_cache_off_usable_and_not() {
        assert_eq!(session_cache(b""), "off");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().as_os_str().as_bytes();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(
            session_cache(p).contains("mode 0755;")
                && session_cache(p).ends_with("mode 0700 (cache off)"),
            "{}",
            session_cache(p)
        );
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(
            session_cache(p).ends_with("(usable)"),
            "{}",
            session_cache(p)
        );
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        let f = file.as_os_str().as_bytes();
        assert!(session_cache(f).ends_with("f: not a directory (cache off)"));
    }

    #[test]
    fn journal_follows_the_cache_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let p = dir.path().as_os_str().as_bytes().to_vec();
        let c = |cache: &[u8], journal_dir: &[u8]| Config {
            session_cache_dir: cache.to_vec(),
            journal_dir: journal_dir.to_vec(),
            ..Config::default()
        };
        assert_eq!(journal(&c(&p, b"")), "off");
        let shown = dir.path().display().to_string();
        assert_eq!(journal(&c(&p, b"auto")), format!("{shown} (usable)"));
        assert_eq!(journal(&c(b"", &p)), format!("{shown} (usable)"));
        // the cache off: the per-user default directory
        assert!(journal(&c(b"", b"auto")).contains("paygent-tls-"));
        assert!(journal(&c(b"", b"/no/such")).starts_with("not usable: /no: missing"));
    }
}
