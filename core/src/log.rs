//! The module log (protocol.md §7, decisions.md 20): one line a message, appended to
//! `log_output_path`, created with mode 0600; card numbers, passwords and tokens masked.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Warning, WarningLevel};

/// Appends `YYYY/MM/DD HH:MM:SS <class> <message>\n` lines (local time).
#[derive(Debug)]
pub struct Logger {
    path: PathBuf,
    class: &'static str,
    /// The group/world-readable warning was written.
    mode_warned: AtomicBool,
}

impl Clone for Logger {
    fn clone(&self) -> Self {
        Self {
            path: self.path.clone(),
            class: self.class,
            mode_warned: AtomicBool::new(self.mode_warned.load(Ordering::Relaxed)),
        }
    }
}

impl Logger {
    /// `None` when the path is blank: nothing is logged (§10 #3).
    pub fn new(path: &[u8], class: &'static str) -> Option<Self> {
        (!crate::php::is_blank(path)).then(|| Self {
            path: crate::php::bytes_to_path(path),
            class,
            mode_warned: AtomicBool::new(false),
        })
    }

    /// Write one message. A failure does not stop the operation; it comes back as the official
    /// module's warning.
    pub fn log(&self, message: &[u8]) -> Option<Warning> {
        let path = self.path.display();
        // Never through a link: a link planted at the path would make the module append card
        // data and replies to any file the web server's user can write.
        let mut file = match OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&self.path)
        {
            Ok(f) => f,
            Err(_) => return Some(warning(format!("E01901:File doesn't open.({path})."))),
        };
        match file.metadata() {
            Ok(m) if m.is_file() => {
                use std::os::unix::fs::PermissionsExt;
                let mode = m.permissions().mode() & 0o777;
                if mode & 0o077 != 0 && !self.mode_warned.swap(true, Ordering::Relaxed) {
                    // Said once per logger, in the log itself (where the administrator looks).
                    let text = format!(
                        "warning: the log file is readable or writable by other users (mode {mode:04o}): chmod 600 {path}"
                    );
                    let _ = file.write_all(&self.line(text.as_bytes()));
                }
            }
            _ => return Some(warning(format!("E01901:File doesn't open.({path})."))),
        }
        let line = self.line(message);
        // One write call so that concurrent processes do not interleave inside a line.
        match file.write_all(&line) {
            Ok(()) => None,
            Err(_) => Some(warning(format!(
                "E01901:It is not possible to write it in the file({path})."
            ))),
        }
    }
}

impl Logger {
    fn line(&self, message: &[u8]) -> Vec<u8> {
        let mut line = Vec::with_capacity(message.len() + 64);
        line.extend_from_slice(local_timestamp().as_bytes());
        line.push(b' ');
        line.extend_from_slice(self.class.as_bytes());
        line.push(b' ');
        line.extend_from_slice(message);
        line.push(b'\n');
        line
    }
}

fn warning(text: String) -> Warning {
    Warning {
        level: WarningLevel::Warning,
        text: text.into_bytes(),
    }
}

fn local_timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0);
    // SAFETY: localtime_r writes only into `tm`, which we own; a zeroed tm is a valid value.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// What precedes the masked body of a request in the log (`debug_flg`): written by
/// `pipeline::exchange`, looked for by `wire::requests` (`grep request: LOG | paygent decode`).
pub const REQUEST_LINE: &[u8] = b"request: ";

/// The value to log for `key` (decisions.md 20 as changed in CHANGELOG 0.2): `card_number`
/// keeps its last byte when it has more than one (§7), a 1-byte one becomes `X`; the security
/// code `card_conf_number`, `connect_password` and every key containing `token`,
/// `security_code` or `password` are replaced whole by `XXXX`, whatever their length (a kept
/// digit of a 3-digit security code is a third of it). Keys are compared as [`rule_key`] reads
/// them, so `CARD_NUMBER`, `card-number` or `card_number` with a NUL or a space after it are
/// masked too. Blank values are logged as they are. `None` = log as is.
pub fn mask_value(key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    if crate::php::is_blank(value) {
        return None;
    }
    let key = rule_key(key);
    let has = |word: &[u8]| key.windows(word.len()).any(|w| w == word);
    if [
        &b"cardconfnumber"[..],
        b"token",
        b"securitycode",
        b"password",
    ]
    .iter()
    .any(|w| has(w))
    {
        return Some(b"XXXX".to_vec());
    }
    has(b"cardnumber").then(|| keep_last(value))
}

/// A key as the mask rules read it: ASCII letters lower-cased, every byte that is not an ASCII
/// letter or digit dropped (`_`, `-`, spaces, NUL…): `Card_Number\0` reads `cardnumber`.
pub fn rule_key(key: &[u8]) -> Vec<u8> {
    key.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
        .collect()
}

/// `card_number`'s mask: every byte `X` but the last (a 1-byte value: `X`).
fn keep_last(value: &[u8]) -> Vec<u8> {
    let mut v = vec![b'X'; value.len().max(2) - 1];
    if value.len() > 1 {
        v.push(value[value.len() - 1]);
    }
    v
}

/// What a tool that shows wire data to a person masks (`paygent decode`): [`mask_value`], and
/// in any other value every card number — a run of 13 to 19 digits that passes the Luhn check,
/// single spaces or hyphens allowed between groups — with each digit but its last replaced by
/// `X`, as `card_number` is. Not the log's rule: an 18-digit `payment_id` passes the Luhn check
/// one time in ten, and the log must keep it readable.
pub fn mask_shown(key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    mask_value(key, value).or_else(|| mask_card_numbers(value))
}

/// [`mask_shown`]'s card numbers in `value` masked; `None` when there is none.
pub fn mask_card_numbers(value: &[u8]) -> Option<Vec<u8>> {
    let mut out = value.to_vec();
    let mut found = false;
    let mut i = 0;
    while i < value.len() {
        if !value[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run: digit groups joined by one space or hyphen each; (start, end) of every group.
        let mut groups = Vec::new();
        let mut start = i;
        let mut j = i;
        loop {
            while j < value.len() && value[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((start, j));
            let joined = j + 1 < value.len()
                && matches!(value[j], b' ' | b'-')
                && value[j + 1].is_ascii_digit();
            if !joined {
                break;
            }
            start = j + 1;
            j = start;
        }
        // The longest groups-aligned stretch that is a card number, from each group on.
        let mut g = 0;
        while g < groups.len() {
            let card = (g + 1..=groups.len()).rev().find(|&end| {
                let digits: Vec<u8> = groups[g..end]
                    .iter()
                    .flat_map(|&(a, b)| value[a..b].iter().copied())
                    .collect();
                (13..=19).contains(&digits.len()) && luhn(&digits)
            });
            match card {
                Some(end) => {
                    let last = groups[end - 1].1 - 1;
                    for &(a, b) in &groups[g..end] {
                        out[a..b.min(last)].fill(b'X');
                    }
                    found = true;
                    g = end;
                }
                None => g += 1,
            }
        }
        i = j;
    }
    found.then_some(out)
}

/// The Luhn check of ASCII digits.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_number_keeps_only_its_last_byte_security_code_nothing() {
        assert_eq!(
            mask_value(b"card_number", b"4111111111111111").unwrap(),
            b"XXXXXXXXXXXXXXX1"
        );
        assert_eq!(mask_value(b"card_number", b"7").unwrap(), b"X");
        assert_eq!(mask_value(b"card_conf_number", b"1236").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"card_conf_number", b"123").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"card_conf_number", b"1").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"connect_password", b"p").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"card_number", b""), None);
    }

    #[test]
    fn log_file_is_never_written_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let path = dir.path().join("m.log");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let l = Logger::new(path.to_str().unwrap().as_bytes(), "C").unwrap();
        let w = l.log(b"card data").expect("a warning, not a write");
        assert!(w.text.starts_with(b"E01901:File doesn't open."));
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn a_log_file_others_can_read_is_reported_once() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.log");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let l = Logger::new(path.to_str().unwrap().as_bytes(), "C").unwrap();
        assert!(l.log(b"one").is_none());
        assert!(l.log(b"two").is_none());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("mode 0644").count(), 1, "{text}");
        assert!(text.contains("chmod 600"));
        assert!(text.ends_with(" C two\n"));
    }

    #[test]
    fn keys_are_read_normalised() {
        for key in [
            &b"card_number+"[..],
            b"CARD_NUMBER",
            b"card_number\0",
            b"Card-Number",
            b"card number",
            b"customer_card_number",
        ] {
            assert_eq!(
                mask_value(key, b"4111111111111111").unwrap(),
                b"XXXXXXXXXXXXXXX1",
                "{key:?}"
            );
        }
        assert_eq!(mask_value(b"CARD_CONF_NUMBER", b"123").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"connect-password\0", b"pw").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"SecurityCode", b"999").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"payment_id", b"4111111111111111"), None);
    }

    #[test]
    fn card_numbers_in_any_value_are_masked_when_shown() {
        let m = |v: &[u8]| mask_card_numbers(v).map(|m| String::from_utf8(m).unwrap());
        assert_eq!(m(b"4111111111111111").unwrap(), "XXXXXXXXXXXXXXX1");
        assert_eq!(
            m(b"memo: card 4111 1111 1111 1111, thanks").unwrap(),
            "memo: card XXXX XXXX XXXX XXX1, thanks"
        );
        assert_eq!(m(b"5555-5555-5555-4444").unwrap(), "XXXX-XXXX-XXXX-XXX4");
        // 13 (Visa) and 19 digits; an order number before the card is left alone.
        assert_eq!(m(b"4222222222222").unwrap(), "XXXXXXXXXXXX2");
        assert_eq!(
            m(b"order 12 4111 1111 1111 1111").unwrap(),
            "order 12 XXXX XXXX XXXX XXX1"
        );
        assert_eq!(m(b"6011000990139424").unwrap(), "XXXXXXXXXXXXXXX4");
        // Not a card number: fails Luhn, too short, too long, no digits.
        assert_eq!(m(b"4111111111111112"), None);
        assert_eq!(m(b"411111111111"), None);
        assert_eq!(m(b"41111111111111111111"), None);
        assert_eq!(m("山田 太郎".as_bytes()), None);
        // Through mask_shown: a key rule first, then any value.
        assert_eq!(mask_shown(b"card_conf_number", b"123").unwrap(), b"XXXX");
        assert_eq!(
            mask_shown(b"free_memo", b"4111111111111111").unwrap(),
            b"XXXXXXXXXXXXXXX1"
        );
        assert_eq!(mask_shown(b"trading_id", b"T1"), None);
    }

    #[test]
    fn secrets_are_masked_whole() {
        assert_eq!(mask_value(b"connect_password", b"pw").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"card_token", b"tok_123").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"Security_Code", b"999").unwrap(), b"XXXX");
        assert_eq!(mask_value(b"trading_id", b"T1"), None);
    }

    #[test]
    fn log_file_is_private_and_line_shaped() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("paygent-log-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("m.log");
        let l = Logger::new(path.to_str().unwrap().as_bytes(), "C").unwrap();
        assert!(l.log(b"hello").is_none());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with(" C hello\n"), "{text}");
        assert_eq!(text.len(), "YYYY/MM/DD HH:MM:SS C hello\n".len());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(Logger::new(b"", "C").is_none());
        let bad = Logger::new(b"/nonexistent-dir/x.log", "C").unwrap();
        assert!(
            bad.log(b"x")
                .unwrap()
                .text
                .starts_with(b"E01901:File doesn't open.")
        );
    }
}
