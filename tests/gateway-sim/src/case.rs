//! Case mode: `/case/<id>` answers with the `reply` of `<cases>/<id>.json`
//! (format: tests/conformance/README.md). The file is read again for every request.

use std::path::Path;

use serde_json::Value;

use crate::http::{Fault, Response};

pub fn respond(cases: Option<&Path>, id: &str) -> Response {
    let Some(cases) = cases else {
        return Response::text(404, "case mode needs --cases DIR\n");
    };
    if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') {
        return Response::text(404, "bad case id\n");
    }
    let path = cases.join(format!("{id}.json"));
    let case: Value = match std::fs::read(&path).map(|b| serde_json::from_slice(&b)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return Response::text(500, &format!("case {id}: bad JSON: {e}\n")),
        Err(_) => return Response::text(404, &format!("no case {id}\n")),
    };
    // `tests/` is the parent of the cases dir's parent (tests/conformance/cases).
    let tests_dir = cases
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    match reply(&case["reply"], tests_dir) {
        Ok(r) => r,
        Err(e) => Response::text(500, &format!("case {id}: {e}\n")),
    }
}

fn reply(reply: &Value, tests_dir: &Path) -> Result<Response, String> {
    if reply.is_null() {
        // The module was expected to send nothing; make the mistake loud.
        return Err("this case has no reply: nothing should have been sent".into());
    }
    let status = match &reply["status"] {
        Value::Null => 200,
        v => v
            .as_u64()
            .filter(|s| (100..1000).contains(s))
            .ok_or("bad status")? as u16,
    };
    let body = match &reply["body"] {
        Value::Null => Vec::new(),
        v => bytes(v, tests_dir)?,
    };
    let mut resp = Response::new(status, body);
    if let Some(headers) = reply["headers"].as_array() {
        resp.headers = headers
            .iter()
            .map(|h| match (h[0].as_str(), h[1].as_str()) {
                (Some(n), Some(v)) => Ok((n.to_string(), v.to_string())),
                _ => Err("headers must be [name, value] pairs".to_string()),
            })
            .collect::<Result<_, _>>()?;
    }
    resp.delay_ms = reply["delay_ms"].as_u64().unwrap_or(0);
    resp.fault = match &reply["fault"] {
        Value::Null => None,
        v => Some(v.as_str().and_then(Fault::parse).ok_or("unknown fault")?),
    };
    Ok(resp)
}

/// The byte-value forms of the case format: string, `{"hex"}`, `{"file"}`, `{"repeat","times"}`.
pub fn bytes(v: &Value, tests_dir: &Path) -> Result<Vec<u8>, String> {
    if let Some(s) = v.as_str() {
        return Ok(s.as_bytes().to_vec());
    }
    if let Some(h) = v["hex"].as_str() {
        return from_hex(h);
    }
    if let Some(f) = v["file"].as_str() {
        let p = tests_dir.join(f);
        return std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()));
    }
    if let (Some(r), Some(n)) = (v["repeat"].as_str(), v["times"].as_u64()) {
        return Ok(r.repeat(n as usize).into_bytes());
    }
    Err(format!("not a byte value: {v}"))
}

fn from_hex(h: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = h.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() & 1 == 1 {
        return Err("odd number of hex digits".into());
    }
    digits
        .chunks(2)
        .map(|p| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("bad hex {}", String::from_utf8_lossy(p)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_values() {
        let d = Path::new(".");
        assert_eq!(
            bytes(&serde_json::json!({"hex": "8a bf 0d0a"}), d).unwrap(),
            b"\x8a\xbf\r\n"
        );
        assert_eq!(
            bytes(&serde_json::json!({"repeat": "ab", "times": 3}), d).unwrap(),
            b"ababab"
        );
        assert!(bytes(&serde_json::json!({"hex": "8"}), d).is_err());
    }
}
