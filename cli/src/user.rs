//! Who runs `paygent`. As root, the files a command creates — the module log, TLS session cache
//! files, a SQLite notice database — belong to root, and the web server's user, which runs
//! the PHP and Perl modules on the same files, can no longer write them: the next payment
//! fails to log or to cache. So every command that reads the configuration warns once, and
//! names the user to run as: the configuration file's owner when that is not root, else the
//! web server's user of this system.

use std::ffi::{CStr, CString};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::i18n::Messages;

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    euid() == 0
}

/// The user to run as instead of root: the owner of `config` unless that is root, else the
/// first web server user this system has (`www-data`, `apache`, `nginx`, `http`, `wwwrun`).
/// `None` when neither is known.
pub fn suggested(config: Option<&Path>) -> Option<String> {
    let owner = config
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.uid())
        .filter(|uid| *uid != 0);
    if let Some(uid) = owner {
        return Some(name_of(uid).unwrap_or_else(|| uid.to_string()));
    }
    ["www-data", "apache", "nginx", "http", "wwwrun"]
        .into_iter()
        .find(|n| exists(n))
        .map(str::to_string)
}

/// The warning for root (`None` when not root), in the operator's language.
pub fn root_warning(config: Option<&Path>, msg: &Messages) -> Option<String> {
    if !is_root() {
        return None;
    }
    Some(match suggested(config) {
        Some(user) => msg.get("root.warning", &[("user", &user)]),
        None => msg.get("root.warning_unknown", &[]),
    })
}

fn name_of(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: passwd is plain data; an all-zero value is valid (null pointers, zero ids).
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call and `buf` is as long as said; on success
    // `out` points at `pw`, whose strings live in `buf`.
    let rc =
        unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if rc != 0 || out.is_null() || pw.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded: pw_name is a NUL-terminated string inside `buf`.
    let name = unsafe { CStr::from_ptr(pw.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

fn exists(name: &str) -> bool {
    let Ok(c) = CString::new(name) else {
        return false;
    };
    let mut buf = vec![0u8; 4096];
    // SAFETY: as in `name_of`.
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: a NUL-terminated name; every pointer valid, `buf` as long as said.
    let rc = unsafe {
        libc::getpwnam_r(
            c.as_ptr(),
            &mut pw,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut out,
        )
    };
    rc == 0 && !out.is_null()
}
