//! Every telegram family of the simulator through paygent-core over mutual TLS, in gateway mode
//! (the simulator keeps state: a capture follows its authorisation, 091 sees the notices).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::path::PathBuf;

use paygent_conformance::sim::Sim;
use paygent_core::config::ConfigSource;
use paygent_core::{Dialect, Module};

struct Gateway {
    sim: Sim,
    props: PathBuf,
    work: PathBuf,
}

impl Gateway {
    fn start(name: &str) -> Self {
        let work =
            std::env::temp_dir().join(format!("paygent-families-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap();
        let sim = Sim::start(&work, &paygent_conformance::cases_dir()).unwrap();
        let props = sim.php_properties(&work, 10, "");
        Self { sim, props, work }
    }

    /// One telegram on a fresh object, as a merchant script does.
    fn post(&self, kind: &str, params: &[(&str, &[u8])]) -> Module {
        self.post_with(kind, params, |_| {})
    }

    fn post_with(
        &self,
        kind: &str,
        params: &[(&str, &[u8])],
        setup: impl Fn(&mut Module),
    ) -> Module {
        let mut m = Module::new(
            Dialect::Php,
            ConfigSource::PhpProperties(self.props.clone()),
        );
        m.init().unwrap();
        m.req_put(b"merchant_id", b"10000");
        m.req_put(b"telegram_kind", kind.as_bytes());
        m.req_put(b"telegram_version", b"1.0");
        for (k, v) in params {
            m.req_put(k.as_bytes(), v);
        }
        setup(&mut m);
        let r = m.post();
        assert!(
            r.is_ok(),
            "{kind}: {r:?} {}",
            String::from_utf8_lossy(m.result_message())
        );
        m
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

fn field(m: &mut Module, key: &str) -> Vec<u8> {
    let rec = m
        .records()
        .first()
        .unwrap_or_else(|| panic!("no record for {key}"));
    rec.get(key.as_bytes())
        .unwrap_or_else(|| panic!("no {key} in {rec:?}"))
        .to_vec()
}

fn ok(m: &Module) {
    assert_eq!(
        m.result_status(),
        Some(&b"0"[..]),
        "{}",
        String::from_utf8_lossy(m.result_message())
    );
}

#[test]
fn card_authorisation_capture_cancel_and_corrections() {
    let g = Gateway::start("card");
    let card: &[(&str, &[u8])] = &[
        ("card_number", b"4111111111111111"),
        ("card_valid_term", b"1230"),
        ("payment_class", b"10"),
    ];
    let auth = |trading: &str, amount: &[u8]| {
        let mut p = card.to_vec();
        p.push(("trading_id", trading.as_bytes()));
        p.push(("payment_amount", amount));
        let mut m = g.post("020", &p);
        ok(&m);
        let id = field(&mut m, "payment_id");
        assert!(!id.is_empty());
        id
    };
    // 020 → 022 capture → 023 capture cancel
    let id = auth("ORDER-C1", b"1500");
    ok(&g.post("022", &[("payment_id", &id)]));
    let mut inq = g.post("094", &[("payment_id", &id)]);
    ok(&inq);
    assert_eq!(field(&mut inq, "payment_status"), b"40");
    ok(&g.post("023", &[("payment_id", &id)]));
    // 020 → 021 authorisation cancel; a capture after it is refused with a status error
    let id = auth("ORDER-C2", b"800");
    ok(&g.post("021", &[("payment_id", &id)]));
    let m = g.post("022", &[("payment_id", &id)]);
    assert_eq!(m.result_status(), Some(&b"1"[..]));
    assert_eq!(m.response_code(), Some(&b"2004"[..]));
    // 028 / 029 amount corrections
    let id = auth("ORDER-C3", b"1000");
    ok(&g.post("028", &[("payment_id", &id), ("payment_amount", b"1200")]));
    ok(&g.post("022", &[("payment_id", &id)]));
    ok(&g.post("029", &[("payment_id", &id), ("payment_amount", b"900")]));
    // a duplicate trading_id is the gateway's 2005
    let mut p = card.to_vec();
    p.extend([("trading_id", &b"ORDER-C1"[..]), ("payment_amount", b"1")]);
    assert_eq!(g.post("020", &p).response_code(), Some(&b"2005"[..]));
}

#[test]
fn card_decline_and_3d_secure_reply() {
    let g = Gateway::start("decline");
    let m = g.post(
        "020",
        &[
            ("trading_id", b"ORDER-D1"),
            ("payment_amount", b"500"),
            ("card_number", b"4000000000000002"),
        ],
    );
    // A decline is a business result: post() succeeds, the status says 1 (§1.4).
    assert_eq!(m.result_status(), Some(&b"1"[..]));
    assert_eq!(m.response_code(), Some(&b"2003"[..]));
    let detail = m.response_detail().unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(detail);
    assert!(
        !bad && text.chars().any(|c| c > '\u{3000}'),
        "Japanese detail: {text}"
    );

    let mut m = g.post(
        "020",
        &[
            ("trading_id", b"ORDER-3DS"),
            ("payment_amount", b"500"),
            ("card_number", b"4000000000003220"),
        ],
    );
    ok(&m);
    let html = field(&mut m, "out_acs_html");
    let html = String::from_utf8_lossy(&html).to_ascii_lowercase();
    assert!(html.contains("<form") && html.ends_with("\r\n"), "{html}");
}

#[test]
fn atm_convenience_store_bank_and_virtual_account() {
    let g = Gateway::start("payments");
    let mut m = g.post(
        "010",
        &[("trading_id", b"ORDER-A1"), ("payment_amount", b"3000")],
    );
    ok(&m);
    assert!(!field(&mut m, "pay_center_number").is_empty());

    // 030 with a full-width kana name: the module sends half-width kana (§4.5).
    let yamada = encoding_rs::SHIFT_JIS.encode("ヤマダ").0.into_owned();
    let mut m = g.post(
        "030",
        &[
            ("trading_id", b"ORDER-V1"),
            ("payment_amount", b"2000"),
            ("customer_family_name_kana", &yamada),
        ],
    );
    ok(&m);
    assert!(!field(&mut m, "receipt_number").is_empty());
    let sent = g.sim.requests_for("/n/conveni/request");
    let body = sent.last().unwrap()["body"].as_str().unwrap().to_string();
    assert!(
        body.contains("customer_family_name_kana=%D4%CF%C0%DE"),
        "{body}"
    );

    let mut m = g.post(
        "040",
        &[
            ("trading_id", b"ORDER-V2"),
            ("payment_amount", b"2000"),
            ("customer_family_name_kana", &yamada),
        ],
    );
    ok(&m);
    assert!(!field(&mut m, "receipt_print_url").is_empty());
    let mut m = g.post(
        "060",
        &[("trading_id", b"ORDER-B1"), ("payment_amount", b"4000")],
    );
    ok(&m);
    assert!(!field(&mut m, "asp_url").is_empty());
    let mut m = g.post(
        "070",
        &[("trading_id", b"ORDER-VA1"), ("payment_amount", b"5000")],
    );
    ok(&m);
    assert!(!field(&mut m, "account_number").is_empty());
}

#[test]
fn stored_cards_register_inquire_delete() {
    let g = Gateway::start("stored");
    for n in [b"4111111111111111", b"5555555555554444"] {
        let mut m = g.post(
            "025",
            &[
                ("customer_id", b"CUST01"),
                ("card_number", n),
                ("card_valid_term", b"1230"),
            ],
        );
        ok(&m);
        assert!(!field(&mut m, "customer_card_id").is_empty());
    }
    // 027 replies in the reference CSV: one record per stored card (§6.4)
    let m = g.post("027", &[("customer_id", b"CUST01")]);
    ok(&m);
    assert_eq!(m.records().len(), 2);
    assert_eq!(
        m.records()[0].get(b"card_number"),
        Some(&b"************1111"[..])
    );
    let first = m.records()[0].get(b"customer_card_id").unwrap().to_vec();
    // limit_count was filled from select_max_cnt (§4.1)
    let sent = g.sim.requests_for("/n/card/request");
    assert!(
        sent.last().unwrap()["body"]
            .as_str()
            .unwrap()
            .ends_with("&limit_count=2000")
    );
    // the same inquiry written to a result CSV: no records, the raw body plus CRLF (§6.6)
    let csv = g.work.join("cards.csv");
    let m = g.post_with("027", &[("customer_id", b"CUST01")], |m| {
        m.set_result_csv(csv.to_str().unwrap().as_bytes())
    });
    assert!(!m.has_res_next());
    let text = std::fs::read(&csv).unwrap();
    assert!(text.starts_with(b"\"1\",\"0\"") && text.ends_with(b"\r\n\r\n"));

    ok(&g.post(
        "026",
        &[("customer_id", b"CUST01"), ("customer_card_id", &first)],
    ));
    let m = g.post("027", &[("customer_id", b"CUST01")]);
    assert_eq!(m.records().len(), 1);
    ok(&g.post(
        "026",
        &[
            ("customer_id", b"CUST01"),
            (
                "customer_card_id",
                m.records()[0].get(b"customer_card_id").unwrap(),
            ),
        ],
    ));
    let m = g.post("027", &[("customer_id", b"CUST01")]);
    assert_eq!(
        (m.result_status(), m.response_code()),
        (Some(&b"1"[..]), Some(&b"P026"[..]))
    );
    assert!(m.records().is_empty());
}

#[test]
fn payment_diff_inquiry_polls_until_success_code_1() {
    let g = Gateway::start("diff");
    for i in 0..3 {
        let t = format!("ORDER-N{i}");
        ok(&g.post(
            "010",
            &[("trading_id", t.as_bytes()), ("payment_amount", b"100")],
        ));
    }
    let mut last: Vec<u8> = Vec::new();
    let mut seen = 0;
    loop {
        let mut m = if last.is_empty() {
            g.post("091", &[])
        } else {
            g.post("091", &[("payment_notice_id", &last)])
        };
        ok(&m);
        let code = field(&mut m, "success_code");
        if code == b"1" {
            break;
        }
        assert_eq!(code, b"0");
        let id = field(&mut m, "payment_notice_id");
        assert!(id != last);
        last = id;
        seen += 1;
        assert!(seen < 20, "the notice queue never ended");
    }
    assert_eq!(seen, 3);
}

#[test]
fn file_payment_request_then_result_inquiry() {
    let g = Gateway::start("file");
    let data = g.work.join("send.csv");
    std::fs::write(
        &data,
        b"1,020\r\n3,cus00001,10001,1000\r\n3,cus00002,10002,2000\r\n4,2\r\n",
    )
    .unwrap();
    let mut m = g.post_with("200", &[("file_type", b"020")], |m| {
        m.set_send_file_path(data.to_str().unwrap().as_bytes())
    });
    ok(&m);
    let receipt = field(&mut m, "file_receipt_id");
    let csv = g.work.join("result.csv");
    let poll = || {
        g.post_with("201", &[("file_receipt_id", &receipt)], |m| {
            m.set_result_csv(csv.to_str().unwrap().as_bytes())
        })
    };
    // 9103 (not finished yet) until the gateway is done; the CSV is written either way (§6.6)
    let m = poll();
    assert_eq!(m.response_code(), Some(&b"9103"[..]));
    assert!(!m.has_res_next());
    let _ = poll();
    let m = poll();
    ok(&m);
    let written = std::fs::read(&csv).unwrap();
    assert!(
        written.starts_with(b"1,") && written.ends_with(b"\r\n"),
        "{written:?}"
    );
    let rows = written
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(b"3,"))
        .count();
    assert_eq!(rows, 2, "{}", String::from_utf8_lossy(&written));
}

#[test]
fn the_sim_saw_the_client_certificate_chain() {
    let g = Gateway::start("chain");
    ok(&g.post(
        "010",
        &[("trading_id", b"ORDER-X"), ("payment_amount", b"1")],
    ));
    let r = g.sim.requests_for("/n/atm/request");
    let r = r.last().unwrap();
    assert_eq!(
        r["client_chain_len"], 2,
        "kit PEM sends the certificate and the intermediate"
    );
    assert!(
        r["client_cert_subject"]
            .as_str()
            .unwrap()
            .contains("TEST merchant")
    );
}
