//! FilePaymentResponseDataImpl: kind 201, result-only, no quote character (§6.5).

use super::csv::tokenize;
use super::{Parsed, Reply, split_crlf};
use crate::error::{Error, ErrorKind};
use crate::php::is_blank;

/// Header columns of the file-payment result (§6.5).
const RESULT_COL: usize = 6;

/// Always result-only: the header's status, code and detail; never records (§6.5).
pub fn parse(body: &[u8]) -> Parsed {
    let mut reply = Reply::default();
    let header = split_crlf(body)
        .into_iter()
        .map(|line| tokenize(line, None))
        .find(|cols| cols[0] == b"1");
    if let Some(cols) = header {
        let fields = [
            &mut reply.result_status,
            &mut reply.response_code,
            &mut reply.response_detail,
        ];
        for (field, col) in fields.into_iter().zip(cols.iter().skip(RESULT_COL)) {
            field.clone_from(col);
        }
    }
    // no header, fewer than 7 columns, or a blank result
    let error = is_blank(&reply.result_status).then(|| Error::new(ErrorKind::ResultMissing));
    Parsed { reply, error }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_columns_six_to_eight() {
        let p = parse(b"1,024,111111,999,20100401,20100401,0,,\r\n3,,c,1,0,0,0\r\n4,1\r\n");
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"");
        assert_eq!(p.reply.response_detail, b"");
        assert!(p.reply.records.is_empty());
    }

    #[test]
    fn quotes_are_literal() {
        let p = parse(b"1,,,,,,1,9103,\"busy, retry\"\r\n");
        assert_eq!(p.reply.result_status, b"1");
        assert_eq!(p.reply.response_code, b"9103");
        // no envelope: the comma splits and the quotes stay
        assert_eq!(p.reply.response_detail, b"\"busy");
    }

    #[test]
    fn first_header_wins_and_scanning_stops() {
        let p = parse(b"3,x\r\n1,,,,,,0,A,B\r\n1,,,,,,1,C,D\r\n");
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"A");
        assert_eq!(p.reply.response_detail, b"B");
    }

    #[test]
    fn seven_columns_give_status_only() {
        let p = parse(b"1,,,,,,0\r\n");
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"");
    }

    #[test]
    fn fewer_than_seven_columns_is_result_missing() {
        // §10 #70
        let p = parse(b"1,,,,,\r\n4,0\r\n");
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply, Reply::default());
    }

    #[test]
    fn short_first_header_is_not_skipped_for_a_later_one() {
        let p = parse(b"1,,\r\n1,,,,,,0\r\n");
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
    }

    #[test]
    fn no_header_is_result_missing() {
        assert_eq!(
            parse(b"3,1\r\n4,0\r\n").error.unwrap().kind,
            ErrorKind::ResultMissing
        );
        assert_eq!(parse(b"").error.unwrap().kind, ErrorKind::ResultMissing);
        // record type compared exactly: a quoted "1" is not a header here
        assert_eq!(
            parse(b"\"1\",,,,,,0\r\n").error.unwrap().kind,
            ErrorKind::ResultMissing
        );
    }
}
