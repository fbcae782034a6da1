//! ReferenceResponseDataImpl: the 4-record-type CSV (§6.4).

use super::Parsed;
use crate::config::CsvMode;

pub fn parse(body: &[u8], full: bool, mode: CsvMode) -> Parsed {
    let _ = (body, full, mode);
    todo!("reply helper")
}
