//! ReferenceResponseDataImpl: the 4-record-type CSV (§6.4).

use std::collections::HashMap;
use std::sync::Arc;

use super::csv::{split_records, tokenize_mode_into};
use super::{Deadline, Parsed, Reply};
use crate::config::CsvMode;
use crate::error::{Error, ErrorKind};
use crate::params::Record;
use crate::php::is_blank;

/// Record types in column 0, compared as exact strings (decisions.md 7).
const HEADER: &[u8] = b"1";
const DATA_HEADER: &[u8] = b"2";
const DATA: &[u8] = b"3";

/// `full` = build records; result-only reads only header lines (§6.2, §6.4.1).
pub fn parse(body: &[u8], full: bool, mode: CsvMode) -> Parsed {
    let mut none = Deadline::NONE;
    parse_until(body, full, mode, &mut none).unwrap_or_else(|e| Parsed {
        reply: Reply::default(),
        error: Some(e),
    })
}

/// [`parse`], failing once `deadline` has passed.
pub fn parse_until(
    body: &[u8],
    full: bool,
    mode: CsvMode,
    deadline: &mut Deadline,
) -> Result<Parsed, Error> {
    let mut reply = Reply::default();
    let mut data_header = DataHeader::default();
    let mut cols = Vec::new();

    for line in split_records(body, mode) {
        deadline.check()?;
        tokenize_mode_into(line, mode, &mut cols);
        match &*cols[0] {
            HEADER => {
                let fields = [
                    &mut reply.result_status,
                    &mut reply.response_code,
                    &mut reply.response_detail,
                ];
                for (field, col) in fields.into_iter().zip(cols.iter().skip(1)) {
                    field.clear();
                    field.extend_from_slice(col);
                }
            }
            DATA_HEADER if full => data_header = DataHeader::new(&cols[1..]),
            DATA if full => {
                let items = &cols[1..];
                if items.len() != data_header.columns() {
                    let kind = ErrorKind::ColumnMismatch {
                        header: data_header.columns(),
                        items: items.len(),
                    };
                    return Ok(Parsed {
                        reply,
                        error: Some(Error::new(kind)),
                    });
                }
                let record = data_header
                    .record(items)
                    .ok_or_else(super::payment::too_large)?;
                if !record.is_empty() {
                    reply.records.push(record);
                }
            }
            // trailer (`4`, its count is not checked), unknown types, empty lines
            _ => {}
        }
    }

    let error = is_blank(&reply.result_status).then(|| Error::new(ErrorKind::ResultMissing));
    Ok(Parsed { reply, error })
}

/// The names of the current data header, shared by its records. A repeated name (rare) is found
/// once here, not per field: its records keep the first position and the last value.
#[derive(Default)]
struct DataHeader {
    /// Distinct names in first-seen order.
    names: Arc<[Arc<[u8]>]>,
    /// Per column, its index in `names`; `None` when every name is distinct.
    slots: Option<Vec<usize>>,
}

impl DataHeader {
    fn new(cols: &[impl AsRef<[u8]>]) -> Self {
        let mut names: Vec<Arc<[u8]>> = Vec::with_capacity(cols.len());
        let mut seen: HashMap<&[u8], usize> = HashMap::with_capacity(cols.len());
        let mut slots = Vec::with_capacity(cols.len());
        for col in cols {
            let col = col.as_ref();
            let slot = *seen.entry(col).or_insert_with(|| {
                names.push(Arc::from(col));
                names.len() - 1
            });
            slots.push(slot);
        }
        let distinct = names.len() == cols.len();
        Self {
            names: names.into(),
            slots: (!distinct).then_some(slots),
        }
    }

    fn columns(&self) -> usize {
        self.slots.as_ref().map_or(self.names.len(), Vec::len)
    }

    /// One record from a data line of `columns()` items.
    fn record(&self, items: &[impl AsRef<[u8]>]) -> Option<Record> {
        match &self.slots {
            None => Record::from_distinct(&self.names, items.iter().map(AsRef::as_ref)),
            Some(slots) => {
                let mut values: Vec<&[u8]> = vec![&[]; self.names.len()];
                for (&slot, item) in slots.iter().zip(items) {
                    values[slot] = item.as_ref();
                }
                Record::from_distinct(&self.names, values.iter().copied())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::reply::test_support::{entries, kv};

    fn compat(body: &[u8]) -> Parsed {
        parse(body, true, CsvMode::Compat)
    }

    #[test]
    fn header_data_header_and_rows() {
        let p = compat(b"\"1\",\"0\",\"\",\"\"\r\n\"2\",\"a\",\"b\"\r\n\"3\",\"x\",\"y\"\r\n\"3\",\"z\",\"\"\r\n\"4\",\"2\"\r\n");
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.records.len(), 2);
        assert_eq!(entries(&p.reply.records[0]), kv(&[("a", "x"), ("b", "y")]));
        assert_eq!(entries(&p.reply.records[1]), kv(&[("a", "z"), ("b", "")]));
    }

    #[test]
    fn header_columns_set_only_if_present_and_last_header_wins() {
        let p = compat(b"1,1,P026,first\r\n1,0\r\n");
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"P026");
        assert_eq!(p.reply.response_detail, b"first");
        assert_eq!(p.error, None);
    }

    #[test]
    fn header_with_only_type_is_result_missing() {
        let p = compat(b"\"1\"\r\n");
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
    }

    #[test]
    fn record_type_compared_exactly() {
        // " 1" and "01" are not headers (decisions.md 7); the loose original matched them
        let p = compat(b" 1,0\r\n01,0\r\n");
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply.result_status, b"");
        let p = compat(b"1,0\r\n2,a\r\n03,x\r\n3.0,y\r\n");
        assert!(p.reply.records.is_empty());
    }

    #[test]
    fn new_data_header_replaces_the_old_one() {
        let p = compat(b"1,0\r\n2,a,b\r\n3,1,2\r\n2,c\r\n3,3\r\n");
        assert_eq!(p.error, None);
        assert_eq!(entries(&p.reply.records[0]), kv(&[("a", "1"), ("b", "2")]));
        assert_eq!(entries(&p.reply.records[1]), kv(&[("c", "3")]));
    }

    #[test]
    fn duplicate_column_names_last_wins() {
        let p = compat(b"1,0\r\n2,a,b,a\r\n3,1,2,3\r\n");
        assert_eq!(entries(&p.reply.records[0]), kv(&[("a", "3"), ("b", "2")]));
    }

    #[test]
    fn fewer_columns_is_e01901_keeping_the_header() {
        // §10 #60
        let p =
            compat(b"\"1\",\"0\",\"\",\"\"\r\n\"2\",\"a\",\"b\"\r\n\"3\",\"x\"\r\n\"4\",\"1\"\r\n");
        let e = p.error.clone().unwrap();
        assert_eq!(
            e.kind,
            ErrorKind::ColumnMismatch {
                header: 2,
                items: 1
            }
        );
        assert_eq!(e.code, ErrorCode::Other);
        assert_eq!(
            e.warning_text(crate::Dialect::Php),
            b"E01901: Not Mutch DataHeaderCount=2 DataItemCount:1"
        );
        assert_eq!(p.reply.result_status, b"0");
        assert!(p.reply.records.is_empty());
    }

    #[test]
    fn mismatch_returns_at_once() {
        // a later header line is not read after the mismatch
        let p = compat(b"1,0\r\n2,a\r\n3,1\r\n3,1,2\r\n1,1,X\r\n");
        assert_eq!(
            p.error.clone().unwrap().kind,
            ErrorKind::ColumnMismatch {
                header: 1,
                items: 2
            }
        );
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"");
        assert_eq!(p.reply.records.len(), 1);
    }

    #[test]
    fn more_columns_is_e01901_too() {
        let p = compat(b"1,0\r\n2,a\r\n3,1,2\r\n");
        assert_eq!(
            p.error.clone().unwrap().kind,
            ErrorKind::ColumnMismatch {
                header: 1,
                items: 2
            }
        );
    }

    #[test]
    fn data_before_data_header() {
        // §10 #61
        let p = compat(b"\"1\",\"0\"\r\n\"3\",\"x\"\r\n");
        assert_eq!(
            p.error.clone().unwrap().kind,
            ErrorKind::ColumnMismatch {
                header: 0,
                items: 1
            }
        );
        let p = compat(b"\"1\",\"0\"\r\n\"3\"\r\n");
        assert_eq!(p.error, None);
        assert!(p.reply.records.is_empty());
    }

    #[test]
    fn trailer_count_not_checked_and_unknown_types_ignored() {
        let p = compat(b"1,0\r\n2,a\r\n3,1\r\n4,99\r\n5,x,y,z\r\n\r\n\r\n");
        assert_eq!(p.error, None);
        assert_eq!(p.reply.records.len(), 1);
    }

    #[test]
    fn no_header_is_result_missing() {
        // §10 #63
        let p = compat(b"\"2\",\"a\"\r\n\"3\",\"x\"\r\n\"4\",\"1\"\r\n");
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply.records.len(), 1);
        assert_eq!(compat(b"").error.unwrap().kind, ErrorKind::ResultMissing);
    }

    #[test]
    fn result_only_reads_only_headers_and_never_mismatches() {
        let p = parse(b"1,0,C,D\r\n2,a,b\r\n3,x\r\n", false, CsvMode::Compat);
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"C");
        assert_eq!(p.reply.response_detail, b"D");
        assert!(p.reply.records.is_empty());
        let p = parse(b"3,x\r\n", false, CsvMode::Compat);
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
    }

    #[test]
    fn result_blank_after_trim_is_missing() {
        let p = compat(b"1,\" \",P\r\n");
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply.response_code, b"P");
    }

    #[test]
    fn compat_cuts_quoted_crlf_rfc4180_keeps_it() {
        let body = b"\"1\",\"0\"\r\n\"2\",\"id\",\"note\"\r\n\"3\",\"A\",\"first\r\nsecond\"\r\n";
        let p = compat(body);
        assert_eq!(
            entries(&p.reply.records[0]),
            kv(&[("id", "A"), ("note", "first")])
        );
        let p = parse(body, true, CsvMode::Rfc4180);
        assert_eq!(p.error, None);
        assert_eq!(
            entries(&p.reply.records[0]),
            kv(&[("id", "A"), ("note", "first\r\nsecond")])
        );
    }
}
