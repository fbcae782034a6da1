//! Output in the locale's character set. A Japanese terminal may still run in Shift_JIS
//! (`LANG=ja_JP.SJIS`) or EUC-JP (`ja_JP.eucJP`); the CLI writes UTF-8 everywhere, so for those
//! locales standard output and standard error are put behind a pipe each, and a thread per
//! stream re-encodes what comes through before it reaches the real descriptor. Every
//! `println!` of every command is converted without any of them knowing.
//!
//! Bytes that are not UTF-8 (a child's output already in the locale's charset) pass through
//! unchanged; a character the charset lacks becomes a close one (✓ ○, ✗ ×) or `?`.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use encoding_rs::{EUC_JP, Encoding, SHIFT_JIS};

/// The character set the locale asks for (LC_ALL, else LC_CTYPE, else LANG: the codeset after
/// the dot). `None`: UTF-8 or anything else, written as it is.
pub fn locale_charset() -> Option<&'static Encoding> {
    let value = ["LC_ALL", "LC_CTYPE", "LANG"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|v| !v.is_empty()))?;
    charset_of(&value)
}

/// The charset of a locale name such as `ja_JP.SJIS`, `ja_JP.eucJP`, `ja_JP.UTF-8`.
fn charset_of(locale: &str) -> Option<&'static Encoding> {
    let codeset = locale.split_once('.')?.1;
    let codeset = codeset.split('@').next().unwrap_or_default();
    let norm: String = codeset
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match norm.as_str() {
        "sjis" | "shiftjis" | "cp932" | "windows31j" | "mskanji" | "pck" => Some(SHIFT_JIS),
        "eucjp" | "ujis" | "eucjpms" => Some(EUC_JP),
        _ => None,
    }
}

/// The converters of standard output and standard error, until [`Recoder::finish`].
pub struct Recoder {
    streams: Vec<(RawFd, RawFd, JoinHandle<()>, Receiver<()>)>,
}

/// Put standard output and standard error behind converters to `encoding`. `None` (output left
/// as it is) when a descriptor cannot be duplicated or a pipe made.
pub fn install(encoding: &'static Encoding) -> Option<Recoder> {
    let mut streams = Vec::new();
    for fd in [1, 2] {
        // SAFETY: fcntl and pipe2 on descriptors this process owns, with valid out-pointers.
        let original = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
        if original < 0 {
            break;
        }
        let mut p = [0 as RawFd; 2];
        // SAFETY: `p` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            // SAFETY: `original` was just opened by this function.
            unsafe { libc::close(original) };
            break;
        }
        // SAFETY: dup2 onto the standard descriptor (its close is atomic with the dup); the
        // pipe's write end is then held by `fd` alone.
        unsafe {
            libc::dup2(p[1], fd);
            libc::close(p[1]);
        }
        // SAFETY: p[0] is this function's and is handed to the thread, which closes it.
        let reader = unsafe { File::from_raw_fd(p[0]) };
        let stdout = fd == 1;
        let (done, finished) = channel();
        let handle = std::thread::spawn(move || {
            pump(reader, original, encoding, stdout);
            let _ = done.send(());
        });
        streams.push((fd, original, handle, finished));
    }
    if streams.is_empty() {
        return None;
    }
    Some(Recoder { streams })
}

impl Recoder {
    /// Flush, put the real descriptors back (which ends the pipes) and wait until everything
    /// written has been converted. A process started by `--exec` that left something running
    /// with the pipe as its output keeps the pipe open: after a few seconds, paygent ends
    /// without waiting for it.
    pub fn finish(self) {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        let until = Instant::now() + Duration::from_secs(3);
        for (fd, original, handle, finished) in self.streams {
            // SAFETY: restores the standard descriptor; closes this process's write end.
            unsafe {
                libc::dup2(original, fd);
            }
            let left = until.saturating_duration_since(Instant::now());
            if finished.recv_timeout(left).is_ok() {
                let _ = handle.join();
                // SAFETY: `original` is this module's duplicate, used by the ended thread only.
                unsafe { libc::close(original) };
            }
        }
    }
}

/// Copy `reader` to `target`, converting UTF-8 to `encoding`. A closed standard output ends the
/// process as a closed pipe does (141, quietly; see main.rs).
fn pump(mut reader: File, target: RawFd, encoding: &'static Encoding, stdout: bool) {
    // SAFETY: `target` stays open until `finish` has joined this thread; ManuallyDrop keeps
    // the File from closing it.
    let mut out = std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(target) });
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        let end = n == 0;
        pending.extend_from_slice(&buf[..n]);
        let (bytes, rest) = convert(&pending, encoding, end);
        pending = rest;
        if !bytes.is_empty() {
            if let Err(e) = out.write_all(&bytes) {
                if stdout && e.kind() == std::io::ErrorKind::BrokenPipe {
                    std::process::exit(141);
                }
            }
        }
        if end {
            return;
        }
    }
}

/// `input` converted; the tail of an incomplete UTF-8 character is kept for the next read
/// unless `end`.
fn convert(input: &[u8], encoding: &'static Encoding, end: bool) -> (Vec<u8>, Vec<u8>) {
    let mut out = Vec::with_capacity(input.len() + 16);
    let mut rest = input;
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                encode(text, encoding, &mut out);
                return (out, Vec::new());
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                encode(
                    std::str::from_utf8(good).unwrap_or_default(),
                    encoding,
                    &mut out,
                );
                match e.error_len() {
                    Some(len) => {
                        out.extend_from_slice(&bad[..len]);
                        rest = &bad[len..];
                    }
                    None if end => {
                        out.extend_from_slice(bad);
                        return (out, Vec::new());
                    }
                    None => return (out, bad.to_vec()),
                }
            }
        }
    }
}

fn encode(text: &str, encoding: &'static Encoding, out: &mut Vec<u8>) {
    let mut encoder = encoding.new_encoder();
    let mut src = text;
    let mut chunk = [0u8; 1024];
    loop {
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(src, &mut chunk, true);
        out.extend_from_slice(&chunk[..written]);
        src = &src[read..];
        match result {
            encoding_rs::EncoderResult::InputEmpty => return,
            encoding_rs::EncoderResult::OutputFull => {}
            encoding_rs::EncoderResult::Unmappable(c) => {
                let stand_in = match c {
                    '✓' | '✔' => "○",
                    '✗' | '✘' => "×",
                    '—' => "―",
                    '〜' => "～",
                    '−' => "－",
                    '‖' => "∥",
                    _ => "?",
                };
                let (bytes, _, _) = encoding.encode(stand_in);
                out.extend_from_slice(&bytes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_name_their_charset() {
        assert_eq!(charset_of("ja_JP.SJIS"), Some(SHIFT_JIS));
        assert_eq!(charset_of("ja_JP.Shift_JIS"), Some(SHIFT_JIS));
        assert_eq!(charset_of("ja_JP.eucJP"), Some(EUC_JP));
        assert_eq!(charset_of("ja_JP.EUC-JP@x"), Some(EUC_JP));
        assert_eq!(charset_of("ja_JP.UTF-8"), None);
        assert_eq!(charset_of("C"), None);
    }

    #[test]
    fn text_is_converted_and_other_bytes_kept() {
        let (out, rest) = convert("✓ 設定ファイル — ok\n".as_bytes(), SHIFT_JIS, false);
        assert!(rest.is_empty());
        assert_eq!(SHIFT_JIS.decode(&out).0, "○ 設定ファイル ― ok\n");
        // An incomplete character waits for the next read; a stray byte passes.
        let bytes = "設".as_bytes();
        let (out, rest) = convert(&bytes[..2], EUC_JP, false);
        assert!(out.is_empty() && rest == bytes[..2]);
        let (out, _) = convert(b"a\x82\xa0b", SHIFT_JIS, true);
        assert_eq!(out, b"a\x82\xa0b");
    }
}
