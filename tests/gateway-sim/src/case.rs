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

/// The byte-value forms of the case format, read as every suite reads them (tests/cases).
pub use paygent_cases::bytes;
