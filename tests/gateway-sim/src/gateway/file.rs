//! File payment: 200 takes a `data` file and returns `file_receipt_id`; 201 polls it. The
//! first `file_ready_after` polls (default 2) answer 9103 "not finished", later ones the result
//! CSV (fixture 07 layout: header `1` with the result in column 6, data `3`, trailer `4`).

use super::state::State;
use super::{error, require};
use crate::reply::{Form, KeyValue, date_after};

pub fn telegram(st: &mut State, kind: &str, f: &Form) -> Vec<u8> {
    let r = if kind == "200" {
        request(st, f)
    } else {
        result(st, f)
    };
    r.unwrap_or_else(|e| e)
}

fn request(st: &mut State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let file_type = require("200", f, "file_type")?;
    let data = require("200", f, "data")?;
    let id = st.next_file_id();
    let result = result_csv(file_type, f.val("merchant_id"), &id, data);
    let id = st.add_file(result);
    let mut kv = KeyValue::ok();
    kv.item("file_receipt_id", id.as_bytes());
    Ok(kv.into_bytes())
}

/// Every data line of the request (type `3`, or any line not of type 1/2/4) comes back as a
/// `3` row with a result column `0` (processed).
fn result_csv(file_type: &[u8], merchant_id: &[u8], id: &str, data: &[u8]) -> Vec<u8> {
    let today = date_after(0);
    let mut out = b"1,".to_vec();
    out.extend_from_slice(file_type);
    out.push(b',');
    out.extend_from_slice(merchant_id);
    out.extend_from_slice(format!(",{id},{today},{today},0,,\r\n").as_bytes());
    let mut rows = 0;
    for line in data.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let col0 = line.split(|&b| b == b',').next().unwrap_or(b"");
        if line.is_empty() || matches!(col0, b"1" | b"2" | b"4") {
            continue;
        }
        if col0 != b"3" {
            out.extend_from_slice(b"3,");
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b",0\r\n");
        rows += 1;
    }
    out.extend_from_slice(format!("4,{rows},{rows},0\r\n").as_bytes());
    out
}

fn result(st: &mut State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let id = String::from_utf8_lossy(require("201", f, "file_receipt_id")?)
        .trim()
        .to_string();
    let ready_after = st.file_ready_after;
    let Some(job) = st.files.get_mut(&id) else {
        return Err(error(
            "201",
            f,
            "9102",
            "指定された受付番号のファイル決済は存在しません。",
        ));
    };
    job.polls += 1;
    if job.polls <= ready_after {
        return Err(error(
            "201",
            f,
            "9103",
            "指定された受付番号のファイル決済は処理中です。",
        ));
    }
    Ok(job.result.clone())
}
