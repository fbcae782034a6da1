//! PHP-compatible value helpers shared by configuration, request checks, reply parsing and the
//! log: what the official module's PHP built-ins (`trim`, `is_numeric`) decide about bytes.
//! A leaf: it uses no other module of the crate.

use std::path::{Path, PathBuf};

/// PHP 8 `is_numeric()` then `(float)` (§3.3): `"1e1"` → 10, `" 35"` → 35, `"35 "` → 35,
/// `"35s"`, `"0x10"`, `"."`, `"1e"` → None.
pub fn php_numeric(b: &[u8]) -> Option<f64> {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = b.iter().position(|c| !ws(c))?;
    let end = b.iter().rposition(|c| !ws(c))? + 1;
    let s = &b[start..end];
    let mut i = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let mut mantissa = digits(&mut i);
    if s.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) == 0 {
            return None;
        }
        i = j;
    }
    if i != s.len() {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// PHP `trim()` blankness: empty after removing space, tab, CR, LF, NUL, VT.
pub fn is_blank(b: &[u8]) -> bool {
    b.iter()
        .all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0b))
}

/// Bytes → path (Unix: any bytes).
pub fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(b)).to_path_buf()
}
