//! Writing the result CSV (§6.6): raw reply lines + CRLF, atomically (temp file + rename).

use std::path::Path;

use super::{ReplyFormat, Reply};
use crate::error::Error;

/// Whether the CSV is written for this parsed reply (§6.4.3 9003 rule, §6.6).
pub fn should_write(format: ReplyFormat, reply: &Reply) -> bool {
    let _ = (format, reply);
    todo!("reply helper")
}

/// Write the CSV; `Err` carries E01004 (CsvOpen / CsvWrite).
pub fn write(path: &Path, format: ReplyFormat, body: &[u8]) -> Result<(), Error> {
    let _ = (path, format, body);
    todo!("reply helper")
}
