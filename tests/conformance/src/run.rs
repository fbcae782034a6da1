//! Run one case through `paygent_core::Module` and compare with its expectations.

use std::path::{Path, PathBuf};

use paygent_core::config::ConfigSource;
use paygent_core::{Dialect, Module};
use serde_json::Value;

use crate::case::{bytes, hex, properties, show};
use crate::sim::Sim;

pub struct Case {
    pub id: String,
    pub json: Value,
}

impl Case {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        Ok(Self { id, json })
    }

    pub fn all(dir: &Path) -> Result<Vec<Self>, String> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|p| Self::load(p)).collect()
    }
}

/// Everything a case needs around it.
pub struct Env<'a> {
    pub sim: &'a Sim,
    pub work: &'a Path,
    pub base_properties: &'a str,
}

/// Run a case; `Err` lists every mismatch.
pub fn run(case: &Case, env: &Env<'_>) -> Result<(), Vec<String>> {
    let tests = crate::tests_dir();
    let tmp = env.work.join(&case.id);
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| vec![e.to_string()])?;
    let tmp_s = tmp.display().to_string();
    let pki_s = env.sim.pki.display().to_string();
    let sim_url = format!("https://127.0.0.1:{}/case/{}", env.sim.port, case.id);
    let port = env.sim.port.to_string();
    let fill = |s: &str| {
        s.replace("{tmp}", &tmp_s)
            .replace("{pki}", &pki_s)
            .replace("{sim}", &sim_url)
            .replace("{port}", &port)
    };
    let j = &case.json;
    let mut errs = Vec::new();
    let b = |v: &Value| bytes(v, &tests).map(|x| fill_bytes(&x, &fill));

    if let Some(Value::Object(files)) = j.get("files") {
        for (name, v) in files {
            let data = bytes(v, &tests).map_err(|e| vec![e])?;
            std::fs::write(tmp.join(name), data).map_err(|e| vec![e.to_string()])?;
        }
    }
    let props_path = tmp.join("modenv_properties.php");
    if j.get("properties") != Some(&Value::Null) {
        let props = properties(env.base_properties, j.get("properties"), &fill);
        std::fs::write(&props_path, props).map_err(|e| vec![e.to_string()])?;
    }

    let mut m = Module::new(Dialect::Php, ConfigSource::PhpProperties(props_path));
    let init = outcome(m.init().map_err(|e| e.code.as_str().to_string()));
    let expect = j.get("expect").cloned().unwrap_or(Value::Null);
    let want_init = expect.get("init").cloned().unwrap_or(Value::Bool(true));
    if init != want_init {
        errs.push(format!("init: got {init}, want {want_init}"));
    }
    if want_init != Value::Bool(true) {
        return if errs.is_empty() { Ok(()) } else { Err(errs) };
    }
    for call in j
        .get("calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let c = call.as_array().cloned().unwrap_or_default();
        let name = c.first().and_then(Value::as_str).unwrap_or_default();
        let arg = |i: usize| c.get(i).map(&b).transpose();
        let r = (|| -> Result<(), String> {
            match name {
                "reqPut" => m.req_put(&arg(1)?.unwrap_or_default(), &arg(2)?.unwrap_or_default()),
                "setResultCsv" => m.set_result_csv(&arg(1)?.unwrap_or_default()),
                "setSendFilePath" => m.set_send_file_path(&arg(1)?.unwrap_or_default()),
                "setTimeout" => m.set_timeout(&arg(1)?.unwrap_or_default()),
                "setSelectMaxCnt" => m.set_select_max_cnt(&arg(1)?.unwrap_or_default()),
                "setDefaultId" => m.set_default_id(&arg(1)?.unwrap_or_default()),
                "setDefaultPassword" => m.set_default_password(&arg(1)?.unwrap_or_default()),
                "setEncoding" => {
                    let _ = m.set_encoding(&arg(1)?.unwrap_or_default());
                }
                "post" => {
                    let _ = m.post();
                }
                "init" => {
                    let _ = m.init();
                }
                other => return Err(format!("unknown call {other}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            errs.push(e);
        }
    }
    let _ = m.take_warnings();
    let posted = outcome(m.post().map_err(|e| e.code.as_str().to_string()));
    let warnings = m.take_warnings();
    if let Some(want) = expect.get("post")
        && &posted != want
    {
        errs.push(format!(
            "post: got {posted}, want {want} (message {})",
            show(m.result_message())
        ));
    }
    let getters: [(&str, Option<&[u8]>); 3] = [
        ("result_status", m.result_status()),
        ("response_code", m.response_code()),
        ("response_detail", m.response_detail()),
    ];
    for (name, got) in getters {
        if let Some(want) = expect.get(name) {
            check_opt_bytes(name, got, want, &tests, &mut errs);
        }
    }
    if let Some(want) = expect.get("result_message") {
        let got = m.result_message();
        let contains: Vec<String> = want
            .get("contains")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(&fill))
            .collect();
        for c in &contains {
            if !got.windows(c.len().max(1)).any(|w| w == c.as_bytes()) {
                errs.push(format!("result_message: {} lacks {c:?}", show(got)));
            }
        }
        match want.get("prefix").and_then(Value::as_str) {
            Some(p) => {
                if !got.starts_with(fill(p).as_bytes()) {
                    errs.push(format!("result_message: {} lacks prefix {p:?}", show(got)));
                }
            }
            None if want.is_object() => {}
            _ => match b(want) {
                Ok(w) if w == got => {}
                Ok(w) => errs.push(format!(
                    "result_message: got {}, want {}",
                    show(got),
                    show(&w)
                )),
                Err(e) => errs.push(e),
            },
        }
    }
    if let Some(want) = expect.get("warnings").and_then(Value::as_array) {
        let got: Vec<String> = warnings
            .iter()
            .map(|w| String::from_utf8_lossy(&w.text).into_owned())
            .collect();
        let want: Vec<String> = want.iter().filter_map(|w| w.as_str().map(&fill)).collect();
        if got != want {
            errs.push(format!("warnings: got {got:?}, want {want:?}"));
        }
    }
    if let Some(want) = expect.get("records") {
        check_records(&mut m, want, &tests, &mut errs);
    }
    if let Some(want) = expect.get("sent") {
        check_sent(env.sim, &case.id, want, &b, &mut errs);
    }
    if let Some(want) = expect.get("csv") {
        let path = tmp.join("result.csv");
        match (want, std::fs::read(&path)) {
            (Value::Null, Ok(_)) => errs.push("csv: file exists, want none".into()),
            (Value::Null, Err(_)) => {}
            (w, Ok(got)) => match b(w) {
                Ok(w) if w == got => {}
                Ok(w) => errs.push(format!("csv: got {} bytes, want {}", got.len(), w.len())),
                Err(e) => errs.push(e),
            },
            (_, Err(e)) => errs.push(format!("csv: {e}")),
        }
    }
    let log = std::fs::read(tmp.join("paygent.log")).unwrap_or_default();
    let log = String::from_utf8_lossy(&log);
    for s in expect
        .get("log_contains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = fill(s.as_str().unwrap_or_default());
        if !log.contains(&s) {
            errs.push(format!("log lacks {s:?}: {log:?}"));
        }
    }
    for s in expect
        .get("log_lacks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = fill(s.as_str().unwrap_or_default());
        if log.contains(&s) {
            errs.push(format!("log contains {s:?}"));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

fn outcome(r: Result<(), String>) -> Value {
    match r {
        Ok(()) => Value::Bool(true),
        Err(code) => Value::String(code),
    }
}

fn fill_bytes(b: &[u8], fill: &dyn Fn(&str) -> String) -> Vec<u8> {
    match std::str::from_utf8(b) {
        Ok(s) if s.contains('{') => fill(s).into_bytes(),
        _ => b.to_vec(),
    }
}

fn check_opt_bytes(
    name: &str,
    got: Option<&[u8]>,
    want: &Value,
    tests: &Path,
    errs: &mut Vec<String>,
) {
    match (got, want) {
        (None, Value::Null) => {}
        (Some(g), Value::Null) => errs.push(format!("{name}: got {}, want null", show(g))),
        (None, w) => errs.push(format!("{name}: got null, want {w}")),
        (Some(g), w) => match bytes(w, tests) {
            Ok(w) if w == g => {}
            Ok(w) => errs.push(format!("{name}: got {}, want {}", show(g), show(&w))),
            Err(e) => errs.push(e),
        },
    }
}

fn check_records(m: &mut Module, want: &Value, tests: &Path, errs: &mut Vec<String>) {
    let want = want.as_array().cloned().unwrap_or_default();
    let mut got = Vec::new();
    while m.has_res_next() {
        match m.res_next() {
            Some(r) => got.push(r.clone()),
            None => break,
        }
    }
    if m.res_next().is_some() {
        errs.push("resNext past the end is not null".into());
    }
    if got.len() != want.len() {
        errs.push(format!("records: got {}, want {}", got.len(), want.len()));
        return;
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let Some(w) = w.as_object() else { continue };
        let gk: Vec<&[u8]> = g.iter().map(|(k, _)| k).collect();
        let wk: Vec<&[u8]> = w.keys().map(|k| k.as_bytes()).collect();
        if gk != wk {
            let gk: Vec<String> = gk.iter().map(|k| show(k)).collect();
            errs.push(format!("record {i} keys: got {gk:?}, want {wk:?}"));
        }
        for (k, v) in w {
            check_opt_bytes(
                &format!("record {i}.{k}"),
                g.get(k.as_bytes()),
                v,
                tests,
                errs,
            );
        }
    }
}

fn check_sent(
    sim: &Sim,
    id: &str,
    want: &Value,
    b: &dyn Fn(&Value) -> Result<Vec<u8>, String>,
    errs: &mut Vec<String>,
) {
    let reqs = sim.requests_for(&format!("/case/{id}"));
    let Some(last) = reqs.last() else {
        if !want.is_null() {
            errs.push("sent: nothing reached the simulator".into());
        }
        return;
    };
    if want.is_null() {
        errs.push(format!(
            "sent: {} request(s) reached the simulator, want none",
            reqs.len()
        ));
        return;
    }
    let body = last
        .get("body_hex")
        .and_then(Value::as_str)
        .map(hex)
        .transpose();
    let body = match body {
        Ok(Some(b)) => b,
        Ok(None) => Vec::new(),
        Err(e) => return errs.push(e),
    };
    if let Some(w) = want.get("body") {
        match b(w) {
            Ok(w) if w == body => {}
            Ok(w) => errs.push(format!("sent body: got {}, want {}", show(&body), show(&w))),
            Err(e) => errs.push(e),
        }
    }
    for w in want
        .get("body_contains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match b(w) {
            Ok(w) if body.windows(w.len().max(1)).any(|x| x == w.as_slice()) => {}
            Ok(w) => errs.push(format!("sent body {} lacks {}", show(&body), show(&w))),
            Err(e) => errs.push(e),
        }
    }
    let headers: Vec<(String, String)> = last
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| {
            let h = h.as_array()?;
            Some((
                h.first()?.as_str()?.to_ascii_lowercase(),
                h.get(1)?.as_str()?.to_string(),
            ))
        })
        .collect();
    if let Some(Value::Object(hs)) = want.get("headers") {
        for (k, v) in hs {
            let got = headers
                .iter()
                .find(|(n, _)| *n == k.to_ascii_lowercase())
                .map(|(_, v)| v);
            if got.map(String::as_str) != v.as_str() {
                errs.push(format!("sent header {k}: got {got:?}, want {v}"));
            }
        }
    }
    for k in want
        .get("headers_absent")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let k = k.as_str().unwrap_or_default().to_ascii_lowercase();
        if headers.iter().any(|(n, _)| *n == k) {
            errs.push(format!("sent header {k} present, want absent"));
        }
    }
    if let Some(v) = want.get("version").and_then(Value::as_str)
        && last.get("version").and_then(Value::as_str) != Some(v)
    {
        errs.push(format!(
            "sent version: got {:?}, want {v}",
            last.get("version")
        ));
    }
}
