//! `paygent doctor --json` with the real binary (issue 20 items 1 and 2): the versioned shape
//! (schema 1, `(id, target)` unique, English `message` and localised `message_local`, machine
//! fields), a JSON error object when there is no configuration to check, every URL a telegram
//! can go to with the Perl production fallback marked and warned about, one DNS check per
//! host:port.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use paygent_conformance::sim::Sim;
use serde_json::Value;

/// `paygent doctor --config CFG --json ARGS` under `lang`: (exit code, JSON, stderr).
fn doctor(config: &Path, lang: &str, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .arg("doctor")
        .arg("--config")
        .arg(config)
        .arg("--json")
        .args(extra)
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LC_CTYPE")
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn checks<'a>(v: &'a Value, id: &str) -> Vec<&'a Value> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn the_json_shape_is_versioned_and_each_line_is_one_check_of_one_target() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::start(dir.path(), &paygent_conformance::cases_dir()).unwrap();
    let cfg = sim.php_properties(dir.path(), 5, "");
    let (code, v, _) = doctor(&cfg, "ja_JP.UTF-8", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["schema"], 1, "{v}");
    assert_eq!(v["command"], "doctor");
    assert_eq!(v["lang"], "ja");
    assert!(v["version"].is_string());
    assert_eq!(v["config"], cfg.display().to_string());
    let mut seen = HashSet::new();
    for c in v["checks"].as_array().unwrap() {
        for field in [
            "message",
            "message_local",
            "remedy",
            "remedy_local",
            "status",
        ] {
            assert!(c[field].is_string(), "{field}: {c}");
        }
        assert!(c["target"].is_string() || c["target"].is_null(), "{c}");
        let key = (c["id"].to_string(), c["target"].to_string());
        assert!(seen.insert(key), "(id, target) twice: {c}");
    }
    // English for scripts, Japanese for the operator.
    let parse = &checks(&v, "config.parse")[0];
    assert!(
        parse["message"]
            .as_str()
            .unwrap()
            .contains("read and valid"),
        "{parse}"
    );
    assert!(
        parse["message_local"]
            .as_str()
            .unwrap()
            .contains("読み込み済み"),
        "{parse}"
    );
    // Machine fields: days left, host, port, timings.
    let expiry = checks(&v, "client_cert.expiry")[0];
    assert!(expiry["days_left"].as_i64().unwrap() > 30, "{expiry}");
    assert!(expiry["not_after"].as_i64().is_some(), "{expiry}");
    let host_port = format!("127.0.0.1:{}", sim.port);
    let connect = checks(&v, "tls.connect");
    assert_eq!(connect.len(), 1, "one host:port: {v}");
    let connect = connect[0];
    assert_eq!(connect["target"], host_port.as_str());
    assert_eq!(connect["host"], "127.0.0.1");
    assert_eq!(connect["port"], sim.port);
    assert!(connect["tcp_ms"].as_f64().is_some() && connect["handshake_ms"].as_f64().is_some());
    let server = checks(&v, "tls.server_cert_expiry")[0];
    assert_eq!(server["target"], host_port.as_str());
    assert!(server["days_left"].as_i64().is_some(), "{server}");
    assert_eq!(checks(&v, "tls.client_auth")[0]["asked"], "handshake");
    // Every configured URL listed, none of them production.
    let urls = checks(&v, "urls");
    assert_eq!(urls.len(), 9, "{v}");
    assert!(urls.iter().all(|u| u["production"] == false));
    assert!(checks(&v, "urls.production").is_empty(), "{v}");
}

#[test]
fn no_configuration_is_still_a_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.php");
    let (code, v, err) = doctor(&missing, "C", &[]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["schema"], 1);
    assert_eq!(v["error"]["reason"], "config.unreadable", "{v}");
    assert_eq!(v["failures"], 1);
    assert_eq!(checks(&v, "config.file")[0]["status"], "fail");
    assert!(err.contains("Cannot read"), "stderr too: {err}");
    // Refused (others may write it): the same, with the remedy in the message.
    let cfg = dir.path().join("modenv_properties.php");
    std::fs::write(&cfg, "<?php\n").unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o666)).unwrap();
    let (code, v, _) = doctor(&cfg, "ja_JP.UTF-8", &[]);
    assert_eq!(code, 2, "{v}");
    assert_eq!(v["error"]["reason"], "config.writable", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("chmod go-w"),
        "{v}"
    );
    assert!(
        v["error"]["message_local"]
            .as_str()
            .unwrap()
            .contains("対処"),
        "{v}"
    );
}

#[test]
fn a_perl_file_without_some_urls_shows_where_those_telegrams_go() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    paygent_testpki::generate(&pki).unwrap();
    // A closed proxy: nothing leaves this machine (the production hosts are not contacted).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.path().join("paygent.properties");
    write(
        &cfg,
        &format!(
            "our $HTTPS_CERT_FILE = '{p}/client-kit.pem';\nour $HTTPS_CA_FILE = '{p}/ca.pem';\n\
             our $timeout_value = 2;\nour $proxy_server_ip = '127.0.0.1';\n\
             our $proxy_server_port = {closed};\n\
             our %url = ('02' => 'https://sandbox.example.test/n/card/request');\n1;\n",
            p = pki.display()
        ),
    );
    let (_, v, _) = doctor(&cfg, "C", &[]);
    let urls = checks(&v, "urls");
    let card = urls
        .iter()
        .find(|u| u["keys"] == serde_json::json!(["02"]))
        .unwrap();
    assert_eq!(card["url"], "https://sandbox.example.test/n/card/request");
    assert_eq!(
        (&card["production"], &card["shipped"]),
        (&false.into(), &false.into())
    );
    // 094 is not in the file: the Perl module sends it to production.
    let inquiry = urls
        .iter()
        .find(|u| u["url"] == "https://module.paygent.co.jp/n/ref/paymentref")
        .unwrap_or_else(|| panic!("the production 094 URL is listed: {v}"));
    assert_eq!(inquiry["keys"], serde_json::json!(["094"]));
    assert_eq!(inquiry["production"], true);
    assert_eq!(inquiry["shipped"], true);
    assert!(
        inquiry["message"].as_str().unwrap().contains("production"),
        "{inquiry}"
    );
    assert!(
        urls.iter()
            .any(|u| u["url"] == "https://token.paygent.co.jp/n/token/request")
    );
    let warning = checks(&v, "urls.production");
    assert_eq!(warning.len(), 1, "{v}");
    assert_eq!(warning[0]["status"], "warn", "{v}");
    let shipped: Vec<&str> = warning[0]["shipped_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(shipped.contains(&"094") && !shipped.contains(&"02"), "{v}");
    assert!(!warning[0]["remedy"].as_str().unwrap().is_empty());
    // The text report marks them too.
    let out = Command::new(env!("CARGO_BIN_EXE_paygent"))
        .args(["doctor", "--config"])
        .arg(&cfg)
        .env("LANG", "C")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(
            |l| l.contains("https://module.paygent.co.jp/n/ref/paymentref")
                && l.contains("production")
        ),
        "{text}"
    );
}

#[test]
fn a_host_that_does_not_resolve_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("modenv_properties.php");
    let host = "https://no-such-host.invalid";
    write(
        &cfg,
        &format!(
            "<?php\npaygentB2Bmodule.not_use_client_cert=true\npaygentB2Bmodule.not_use_ca_cert=true\n\
             paygentB2Bmodule.timeout_value=2\npaygentB2Bmodule.log_output_path=\n\
             paygentB2Bmodule.select_max_cnt=2000\n\
             paygentB2Bmodule.url.02={host}/n/card/request\n\
             paygentB2Bmodule.url.094={host}/n/ref/paymentref\n\
             paygentB2Bmodule.url.091={host}/n/ref/paynotice\n?>\n"
        ),
    );
    let (code, v, _) = doctor(&cfg, "C", &[]);
    assert_eq!(code, 1, "{v}");
    let dns = checks(&v, "dns");
    assert_eq!(dns.len(), 1, "one line per host:port: {v}");
    assert_eq!(dns[0]["status"], "fail");
    assert_eq!(dns[0]["target"], "no-such-host.invalid:443");
    assert_eq!(dns[0]["port"], 443);
    assert_eq!(checks(&v, "urls").len(), 3, "{v}");
    let said = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["message"].as_str().unwrap().contains("does not resolve"))
        .count();
    assert_eq!(said, 1, "{v}");
}
