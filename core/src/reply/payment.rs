//! PaymentResponseDataImpl: `key=value` CRLF lines with the `_html` rule (§6.3).

use super::{Deadline, Parsed, Reply, split_crlf};
use crate::error::{Error, ErrorKind};
use crate::params::{Params, Record};
use crate::php::is_blank;

const HTML_SUFFIX: &[u8] = b"_html";
const CRLF: &[u8] = b"\r\n";

/// `full` = build the record; result-only stops at the first `_html` key (§6.2).
pub fn parse(body: &[u8], full: bool) -> Parsed {
    let mut none = Deadline::NONE;
    parse_until(body, full, &mut none).unwrap_or_else(|e| Parsed {
        reply: Reply::default(),
        error: Some(e),
    })
}

/// [`parse`], failing once `deadline` has passed. Linear in the reply: the record is an indexed
/// map, so `N` distinct keys cost O(N).
pub fn parse_until(body: &[u8], full: bool, deadline: &mut Deadline) -> Result<Parsed, Error> {
    let mut reply = Reply::default();
    let mut record = Params::new();
    // (key name, buffer) once an `_html` key has been met
    let mut html: Option<(Vec<u8>, Vec<u8>)> = None;

    for line in split_crlf(body) {
        deadline.check()?;
        let pair = split_pair(line);
        let html_key = pair
            .filter(|(k, _)| k.ends_with(HTML_SUFFIX))
            .map(|(k, _)| k);
        if let Some((name, buffer)) = html.as_mut() {
            match html_key {
                // a later html key renames the entry; its line is not kept
                Some(k) => *name = k.to_vec(),
                None => {
                    buffer.extend_from_slice(line);
                    buffer.extend_from_slice(CRLF);
                }
            }
            continue;
        }
        if let Some(k) = html_key {
            if !full {
                break;
            }
            // the value on the key line itself is discarded [RUN]
            html = Some((k.to_vec(), Vec::new()));
            continue;
        }
        let Some((key, value)) = pair else { continue };
        match key {
            b"result" => reply.result_status = value.to_vec(),
            b"response_code" => reply.response_code = value.to_vec(),
            b"response_detail" => reply.response_detail = value.to_vec(),
            _ if full => record.put(key, value),
            _ => {}
        }
    }

    if let Some((name, mut buffer)) = html {
        if buffer.ends_with(CRLF) {
            buffer.truncate(buffer.len() - CRLF.len());
        }
        record.put(&name, &buffer);
    }
    if !record.is_empty() {
        reply
            .records
            .push(Record::from_params(&record).ok_or_else(too_large)?);
    }
    let error = is_blank(&reply.result_status).then(|| Error::new(ErrorKind::ResultMissing));
    Ok(Parsed { reply, error })
}

/// A record of 4 GiB or more (only with a reply limit raised that far).
pub(super) fn too_large() -> Error {
    Error::new(ErrorKind::Internal("reply record of 4 GiB or more".into()))
}

/// Split at the first `=`; no trimming. A line without `=` is no pair.
fn split_pair(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = line.iter().position(|&b| b == b'=')?;
    Some((&line[..eq], &line[eq + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::reply::test_support::{entries, kv};

    fn one_record(p: &Parsed) -> Vec<(String, String)> {
        assert_eq!(p.reply.records.len(), 1, "{p:?}");
        entries(&p.reply.records[0])
    }

    #[test]
    fn getters_are_not_in_the_record() {
        let p = parse(
            b"result=0\r\nresponse_code=\r\nresponse_detail=x\r\na=1\r\n",
            true,
        );
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"");
        assert_eq!(p.reply.response_detail, b"x");
        assert_eq!(one_record(&p), kv(&[("a", "1")]));
    }

    #[test]
    fn value_split_at_first_equals() {
        // §10 #51
        let p = parse(b"result=0\r\nk=a=b=c\r\n", true);
        assert_eq!(one_record(&p), kv(&[("k", "a=b=c")]));
    }

    #[test]
    fn duplicates_last_wins_for_getters_and_record() {
        // §10 #52
        let p = parse(b"result=0\r\nk=1\r\nk=2\r\nresult=1\r\n", true);
        assert_eq!(p.reply.result_status, b"1");
        assert_eq!(one_record(&p), kv(&[("k", "2")]));
        assert_eq!(p.error, None);
    }

    #[test]
    fn duplicate_keeps_first_position() {
        let p = parse(b"result=0\r\na=1\r\nb=2\r\na=3\r\n", true);
        assert_eq!(one_record(&p), kv(&[("a", "3"), ("b", "2")]));
    }

    #[test]
    fn no_trimming_and_empty_key() {
        let p = parse(b"result=0\r\n k = v \r\n=v\r\nnoequals\r\n", true);
        assert_eq!(one_record(&p), kv(&[(" k ", " v "), ("", "v")]));
    }

    #[test]
    fn missing_result_is_e02005_with_record_kept() {
        // §10 #53
        let p = parse(b"a=1\r\n", true);
        let e = p.error.clone().unwrap();
        assert_eq!(e.kind, ErrorKind::ResultMissing);
        assert_eq!(e.code, ErrorCode::KsConnect);
        assert_eq!(
            e.warning_text(crate::Dialect::Php),
            b"E02005: resultStatus is Nothing."
        );
        assert_eq!(one_record(&p), kv(&[("a", "1")]));
    }

    #[test]
    fn whitespace_result_is_missing() {
        let p = parse(b"result= \t\r\n", true);
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply.result_status, b" \t");
        assert!(p.reply.records.is_empty());
    }

    #[test]
    fn empty_body_is_missing_without_record() {
        let p = parse(b"", true);
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply, Reply::default());
    }

    #[test]
    fn html_swallows_the_rest_including_result() {
        // §10 #54
        let p = parse(b"x_html=\r\nresult=0\r\n", true);
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
        assert_eq!(p.reply.result_status, b"");
        assert_eq!(one_record(&p), kv(&[("x_html", "result=0\r\n")]));
    }

    #[test]
    fn html_same_line_value_is_discarded() {
        let p = parse(b"result=0\r\nout_acs_html=<p>lost\r\n<a>\r\n<b>", true);
        assert_eq!(one_record(&p), kv(&[("out_acs_html", "<a>\r\n<b>")]));
    }

    #[test]
    fn html_keeps_one_trailing_crlf_of_the_body() {
        let p = parse(b"result=0\r\nredirect_html=\r\n<a>\r\n\r\n", true);
        assert_eq!(one_record(&p), kv(&[("redirect_html", "<a>\r\n\r\n")]));
        let p = parse(b"result=0\r\nredirect_html=\r\n<a>\r\n", true);
        assert_eq!(one_record(&p), kv(&[("redirect_html", "<a>\r\n")]));
        let p = parse(b"result=0\r\nredirect_html=", true);
        assert_eq!(one_record(&p), kv(&[("redirect_html", "")]));
    }

    #[test]
    fn bare_html_suffix_counts() {
        let p = parse(b"result=0\r\n_html=\r\nk=v\r\n", true);
        assert_eq!(one_record(&p), kv(&[("_html", "k=v\r\n")]));
    }

    #[test]
    fn later_html_key_replaces_the_name() {
        // §10 #55
        let p = parse(
            b"result=0\r\na=1\r\na_html=\r\n<x>\r\nb_html=y\r\n<z>\r\n",
            true,
        );
        assert_eq!(
            one_record(&p),
            kv(&[("a", "1"), ("b_html", "<x>\r\n<z>\r\n")])
        );
    }

    #[test]
    fn html_suffix_is_case_sensitive() {
        // §10 #56
        let p = parse(b"result=0\r\nx_HTML=\r\n<p>\r\n</p>\r\n", true);
        assert_eq!(one_record(&p), kv(&[("x_HTML", "")]));
    }

    #[test]
    fn lf_only_body_is_one_line() {
        // §10 #57
        let p = parse(b"result=0\nk=v\n", true);
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0\nk=v\n");
        assert!(p.reply.records.is_empty());
    }

    #[test]
    fn result_only_builds_no_record_and_stops_at_html() {
        let p = parse(
            b"result=0\r\nk=v\r\nx_html=\r\nresult=1\r\nresponse_code=P\r\n",
            false,
        );
        assert_eq!(p.error, None);
        assert_eq!(p.reply.result_status, b"0");
        assert_eq!(p.reply.response_code, b"");
        assert!(p.reply.records.is_empty());
        let p = parse(b"x_html=\r\nresult=0\r\n", false);
        assert_eq!(p.error.clone().unwrap().kind, ErrorKind::ResultMissing);
    }

    #[test]
    fn no_url_decoding() {
        let p = parse(b"result=0\r\nk=a%20b+c\r\n", true);
        assert_eq!(one_record(&p), kv(&[("k", "a%20b+c")]));
    }
}
