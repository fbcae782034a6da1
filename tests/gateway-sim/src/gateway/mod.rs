//! Gateway mode: the `/n/...` paths of protocol.md §3.5. Common header checks (P004, P001,
//! P006), the `sim_fault` parameter, then one telegram family per file.

mod card;
mod file;
mod inquiry;
mod payments;
mod state;
mod stored;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use crate::http::{Fault, Response};
use crate::reply::{self, Form, KeyValue, sjis};
use state::State;

pub struct Gateway {
    state: Mutex<State>,
    /// Held while the state file is written: one writer at a time, so an older snapshot never
    /// replaces a newer one.
    saving: Mutex<u64>,
    /// `/sim/fault`: faults waiting for the next telegram of a kind and `trading_id` (test code
    /// that cannot put `sim_fault` into a merchant's unchanged telegram registers them here).
    faults: Mutex<Vec<Planned>>,
}

/// One fault of `/sim/fault`, used by the first telegram that matches.
struct Planned {
    kind: String,
    trading_id: Vec<u8>,
    fault: String,
}

/// Kinds with their own URL key (§3.4 step 2), then the 2-character prefixes.
const FULL_KINDS: &[(&str, &str)] = &[
    ("091", "/n/ref/paynotice"),
    ("093", "/n/ref/runnotice"),
    ("094", "/n/ref/paymentref"),
    ("095", "/n/ref/cardnoref"),
    ("096", "/n/card/request"),
    ("098", "/n/token/request"),
    ("263", "/n/accounttransfer/receipt"),
    ("264", "/n/accounttransfer/receipt"),
    ("265", "/n/accounttransfer/receipt"),
];
const PREFIXES: &[(&str, &str)] = &[
    ("01", "/n/atm/request"),
    ("02", "/n/card/request"),
    ("11", "/n/card/request"),
    ("18", "/n/card/request"),
    ("19", "/n/card/request"),
    ("28", "/n/card/request"),
    ("03", "/n/conveni/request"),
    ("04", "/n/conveni/request_print"),
    ("05", "/n/bank/request"),
    ("06", "/n/bank/requestasp"),
    ("07", "/n/virtualaccount/request"),
    ("09", "/n/ref/request"),
    ("10", "/n/c/request"),
    ("12", "/n/c/request"),
    ("13", "/n/paypal/request"),
    ("15", "/n/emoney/request"),
    ("20", "/n/o/requestdata"),
    ("22", "/n/later/request"),
    ("26", "/n/accounttransfer/request"),
    ("27", "/n/rakutenid/request"),
    ("29", "/n/jcbpremo/request"),
    ("30", "/n/upop/request"),
    ("31", "/n/alipay/request"),
    ("32", "/n/applepay/request"),
    ("34", "/n/paidy/request"),
    ("35", "/n/googlepay/request"),
    ("38", "/n/illegal_detect/request"),
    ("41", "/n/pi/request"),
    ("42", "/n/paypay/request"),
    ("43", "/n/tokimekiPoint/request"),
    ("45", "/n/threeds/request"),
];

/// The path a telegram kind is sent to (§3.4 resolution over the §3.5 table).
fn path_of(kind: &str) -> Option<&'static str> {
    let full = FULL_KINDS.iter().find(|(k, _)| *k == kind);
    let prefix = || {
        kind.get(..2)
            .and_then(|p| PREFIXES.iter().find(|(k, _)| *k == p))
    };
    full.or_else(prefix).map(|(_, path)| *path)
}

fn known_path(route: &str) -> bool {
    FULL_KINDS.iter().chain(PREFIXES).any(|(_, p)| *p == route)
}

/// How a kind's replies (errors included) are shaped, i.e. which parser the module uses.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    KeyValue,
    Reference,
    FilePayment,
}

fn shape(kind: &str) -> Shape {
    match kind {
        "027" | "090" => Shape::Reference,
        "201" => Shape::FilePayment,
        _ => Shape::KeyValue,
    }
}

/// An error reply in the kind's shape; key=value errors echo payment_id and trading_id.
fn error(kind: &str, f: &Form, code: &str, detail: &str) -> Vec<u8> {
    match shape(kind) {
        Shape::Reference => reply::csv_error(code, detail),
        Shape::FilePayment => reply::file_error(code, detail),
        Shape::KeyValue => {
            let mut kv = KeyValue::error(code, detail);
            kv.item("payment_id", f.val("payment_id"))
                .item("trading_id", f.val("trading_id"));
            kv.into_bytes()
        }
    }
}

/// `"<name>"` + a fixed Japanese text, like the gateway's parameter errors (fixture 03).
fn about(name: &str, text: &str) -> String {
    format!("\"{name}\"{text}")
}

/// A required, non-blank parameter, or the P006 reply.
fn require<'f>(kind: &str, f: &'f Form, name: &str) -> Result<&'f [u8], Vec<u8>> {
    if f.has(name) {
        Ok(f.val(name))
    } else {
        Err(error(kind, f, "P006", &about(name, MISSING)))
    }
}

/// `payment_amount`: required (P006), digits (P010), above zero (P014).
fn amount<'f>(kind: &str, f: &'f Form) -> Result<&'f [u8], Vec<u8>> {
    let a = require(kind, f, "payment_amount")?;
    if !a.iter().all(u8::is_ascii_digit) {
        return Err(error(kind, f, "P010", &about("payment_amount", INVALID)));
    }
    if a.iter().all(|&b| b == b'0') {
        return Err(error(kind, f, "P014", "金額は1円以上を指定してください。"));
    }
    Ok(a)
}

const MISSING: &str = "は必須項目です。値を設定してください。";
const INVALID: &str = "パラメータの値は不正な値です。";

impl Gateway {
    /// A new gateway; with `state_file` present, its payments and notices are loaded instead of
    /// seeding (`--state FILE`).
    pub fn new(
        purge_before: u64,
        file_ready_after: u32,
        seed_notices: u64,
        state_file: Option<&Path>,
    ) -> Result<Gateway, String> {
        let st = match state_file.filter(|p| p.exists()) {
            Some(p) => {
                let text = std::fs::read(p).map_err(|e| format!("state {}: {e}", p.display()))?;
                let v: serde_json::Value = serde_json::from_slice(&text)
                    .map_err(|e| format!("state {}: {e}", p.display()))?;
                State::from_json(&v, purge_before, file_ready_after)
                    .map_err(|e| format!("{}: {e}", p.display()))?
            }
            None => {
                let mut st = State::new(purge_before, file_ready_after);
                st.seed(seed_notices);
                st
            }
        };
        Ok(Gateway {
            saving: Mutex::new(0),
            state: Mutex::new(st),
            faults: Mutex::new(Vec::new()),
        })
    }

    /// Write the payments and notices to `path` when they changed since the last save: a
    /// temporary file in the same directory, synced, then renamed over `path`, so a reader (or
    /// the next start) sees the old state or the new one, never a part.
    pub fn save_if_changed(&self, path: &Path) -> Result<(), String> {
        let mut saved = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let (changes, json) = {
            let st = self.state();
            if st.changes == *saved && path.exists() {
                return Ok(());
            }
            (st.changes, st.to_json().to_string())
        };
        write_atomically(path, json.as_bytes())?;
        *saved = changes;
        Ok(())
    }

    /// At shutdown: hold the state (no telegram changes it any more), write it when `path` is
    /// given, and keep holding it until the process ends.
    pub fn stop(&self, path: Option<&Path>) -> MutexGuard<'_, State> {
        let saving = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let st = self.state();
        if let Some(path) = path
            && let Err(e) = write_atomically(path, st.to_json().to_string().as_bytes())
        {
            eprintln!("paygent-sim: {e}");
        }
        std::mem::forget(saving);
        st
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `None` for a path the gateway does not have (HTTP 404).
    pub fn respond(&self, route: &str, body: &[u8]) -> Option<Response> {
        if !known_path(route) {
            return None;
        }
        let f = Form::parse(body);
        let kind = f.text("telegram_kind");
        let mut delay_ms = 0;
        // A planned fault only for a telegram that names none: it stays planned otherwise.
        if let Some(fault) = f.get("sim_fault").map(String::from_utf8_lossy).or_else(|| {
            self.planned_fault(&kind, f.val("trading_id"))
                .map(Into::into)
        }) {
            // The telegram is processed (a payment is made), then its reply is lost: what a
            // merchant must confirm by inquiry (094).
            if let Some(after) = fault.strip_prefix("processed:") {
                let Some(fault) = Fault::parse(after) else {
                    return Some(Response::text(400, "unknown sim_fault\n"));
                };
                let mut resp = Response::new(200, self.telegram(route, &kind, &f));
                resp.fault = Some(fault);
                return Some(resp);
            }
            match fault_reply(&f, &fault) {
                Ok(Some(resp)) => return Some(resp),
                Ok(None) => {}
                Err(ms) => delay_ms = ms,
            }
        }
        let body = self.telegram(route, &kind, &f);
        let mut resp = Response::new(200, body);
        resp.delay_ms = delay_ms;
        Some(resp)
    }

    /// The fault `/sim/fault` planned for this telegram, taken out of the plan.
    fn planned_fault(&self, kind: &str, trading_id: &[u8]) -> Option<String> {
        let mut plan = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        let i = plan
            .iter()
            .position(|p| p.kind == kind && p.trading_id == trading_id)?;
        Some(plan.remove(i).fault)
    }

    fn telegram(&self, route: &str, kind: &str, f: &Form) -> Vec<u8> {
        if path_of(kind) != Some(route) {
            return error(kind, f, "P004", "決済種別に対するURLが正しくありません。");
        }
        if !f.has("connect_id") || !f.has("connect_password") {
            return error(
                kind,
                f,
                "P001",
                "認証パラメータ(接続ID、接続パスワード)が設定されていません。",
            );
        }
        if !f.has("merchant_id") {
            return error(kind, f, "P006", &about("merchant_id", MISSING));
        }
        let mut st = self.state();
        let st = &mut *st;
        match kind {
            "020" | "021" | "022" | "023" | "024" | "028" | "029" => card::telegram(st, kind, f),
            "025" | "026" | "027" => stored::telegram(st, kind, f),
            "010" | "030" | "040" | "050" | "060" | "070" => payments::telegram(st, kind, f),
            "091" | "094" => inquiry::telegram(st, kind, f),
            "200" | "201" => file::telegram(st, kind, f),
            _ => error(
                kind,
                f,
                "P018",
                "この電文種別はシミュレータでは利用できません。",
            ),
        }
    }

    /// Test controls, outside the gateway's own paths:
    /// `/sim/purge` (form `before=N`; empty = every notice so far) and
    /// `/sim/pay` (form `payment_id=…`: the customer pays; status 40 and a notice),
    /// `/sim/seed` (form `n=N`: N new payments and notices, some with Japanese items; optional
    /// `trading_id` and `customer_name`, percent-encoded raw bytes, set on each of them) and
    /// `/sim/notices` (the kept notices as JSON) and `/sim/fault` (form `telegram_kind`,
    /// `trading_id`, `fault`: a `sim_fault` value for the next telegram of that kind and
    /// trading_id, once). The form may be the query string instead.
    pub fn control(&self, name: &str, body: &[u8]) -> Response {
        let f = Form::parse(body);
        let mut st = self.state();
        match name {
            "purge" => {
                let before = f
                    .text("before")
                    .trim()
                    .parse()
                    .unwrap_or(st.next_notice_id());
                st.purge(before);
                Response::text(200, &format!("purged notices before {before}\n"))
            }
            "pay" => match st.find(&f.text("payment_id"), "") {
                Some(i) => {
                    st.set_status(i, state::PAID);
                    Response::text(200, "paid\n")
                }
                None => Response::text(404, "no such payment_id\n"),
            },
            "seed" => match f.text("n").trim().parse::<u64>() {
                Ok(n) if n <= 1_000_000 => {
                    let given = state::Seed {
                        trading_id: f.get("trading_id").map(<[u8]>::to_vec),
                        customer_name: f.get("customer_name").map(<[u8]>::to_vec),
                    };
                    st.seed_with(n, &given);
                    let last = st.last_notice_id();
                    Response::text(200, &format!("seeded {n}; last payment_notice_id {last}\n"))
                }
                _ => Response::text(400, "n=N (up to 1000000) required\n"),
            },
            "fault" => {
                let (kind, fault) = (f.text("telegram_kind"), f.text("fault"));
                let trading_id = f.val("trading_id").to_vec();
                if kind.is_empty() || fault.is_empty() {
                    return Response::text(400, "telegram_kind=…&trading_id=…&fault=… required\n");
                }
                let mut plan = self.faults.lock().unwrap_or_else(|p| p.into_inner());
                plan.push(Planned {
                    kind,
                    trading_id,
                    fault,
                });
                Response::text(200, "planned\n")
            }
            "notices" => {
                let mut r = Response::new(200, inquiry::notices_json(&st));
                r.headers = vec![("Content-Type".into(), "application/json".into())];
                r
            }
            _ => Response::text(404, "unknown control\n"),
        }
    }
}

fn write_atomically(path: &Path, data: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("state {}: {e}", path.display())
    })
}

/// `sim_fault`: `Ok(Some)` replaces the reply (nothing is processed), `Err(ms)` delays a normal
/// reply, `Ok(None)` = no fault.
fn fault_reply(f: &Form, fault: &str) -> Result<Option<Response>, u64> {
    let canned = || {
        let mut kv = KeyValue::ok();
        kv.item("payment_id", b"")
            .item("trading_id", f.val("trading_id"));
        kv.into_bytes()
    };
    let with = |fault| {
        let mut r = Response::new(200, canned());
        r.fault = Some(fault);
        Ok(Some(r))
    };
    match fault {
        "" => Ok(None),
        "close" => with(Fault::Close),
        "truncate" => with(Fault::Truncate),
        "reset" => with(Fault::Reset),
        "garbage_status" => with(Fault::GarbageStatus),
        "endless_chunked" => with(Fault::EndlessChunked),
        "cut_mid_line" => with(Fault::CutMidLine),
        "cut_at_line_end" => with(Fault::CutAtLineEnd),
        "empty" => Ok(Some(Response::new(200, Vec::new()))),
        _ => {
            if let Some(ms) = fault.strip_prefix("delay:").and_then(|m| m.parse().ok()) {
                return Err(ms);
            }
            match fault
                .strip_prefix("status:")
                .and_then(|s| s.parse::<u16>().ok())
            {
                Some(status) if (100..1000).contains(&status) => {
                    let mut body = b"result=1\r\nresponse_code=E001\r\nresponse_detail=".to_vec();
                    body.extend(sjis("システムエラーが発生しました。"));
                    body.extend_from_slice(b"\r\n");
                    Ok(Some(Response::new(status, body)))
                }
                _ => Ok(Some(Response::text(400, "unknown sim_fault\n"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_resolve_to_their_paths() {
        assert_eq!(path_of("020"), Some("/n/card/request"));
        assert_eq!(path_of("027"), Some("/n/card/request"));
        assert_eq!(path_of("091"), Some("/n/ref/paynotice"));
        assert_eq!(path_of("094"), Some("/n/ref/paymentref"));
        assert_eq!(path_of("090"), Some("/n/ref/request"));
        assert_eq!(path_of("201"), Some("/n/o/requestdata"));
        assert_eq!(path_of("040"), Some("/n/conveni/request_print"));
        assert_eq!(path_of("9"), None);
        assert!(known_path("/n/atm/request") && !known_path("/n/nothing"));
    }

    /// The simulator answers each kind in the format core's table of kinds gives it with the
    /// shipped `telegram_kind.ref=027,090`: a reply the module would read with another parser
    /// is a simulator bug (or a table bug).
    #[test]
    fn reply_shapes_agree_with_cores_table_of_kinds() {
        use paygent_core::telegram::{KINDS, ReplyFormat, spec};
        let of = |s: Shape| match s {
            Shape::KeyValue => ReplyFormat::Payment,
            Shape::Reference => ReplyFormat::Reference,
            Shape::FilePayment => ReplyFormat::FilePayment,
        };
        for k in KINDS {
            assert_eq!(of(shape(k.kind)), k.reply, "kind {}", k.kind);
        }
        for unlisted in ["100", "450", "0201", "27"] {
            assert_eq!(
                of(shape(unlisted)),
                spec(unlisted.as_bytes()).reply,
                "{unlisted}"
            );
        }
    }

    fn gateway() -> Gateway {
        Gateway::new(0, 0, 0, None).unwrap_or_else(|e| panic!("{e}"))
    }

    fn card_020(trading_id: &str, card: &str) -> Vec<u8> {
        format!(
            "telegram_kind=020&connect_id=c&connect_password=p&merchant_id=m\
             &trading_id={trading_id}&payment_amount=1500&{card}&card_valid_term=1230"
        )
        .into_bytes()
    }

    /// `card_token`: the two test tokens act as the approving and declining test numbers.
    #[test]
    fn test_tokens_approve_and_decline() {
        let g = gateway();
        let ok = g.respond(
            "/n/card/request",
            &card_020("t1", "card_token=tok_test_approve"),
        );
        let ok = ok.map(|r| r.body).unwrap_or_default();
        assert!(
            ok.starts_with(b"result=0"),
            "{}",
            String::from_utf8_lossy(&ok)
        );
        for (token, code) in [("tok_test_decline", "2003"), ("tok_other", "P010")] {
            let r = g.respond(
                "/n/card/request",
                &card_020("t2", &format!("card_token={token}")),
            );
            let r = r.map(|r| r.body).unwrap_or_default();
            let text = String::from_utf8_lossy(&r);
            assert!(
                text.starts_with("result=1") && text.contains(code),
                "{token}: {text}"
            );
        }
    }

    /// `/sim/fault`: used once, by the telegram of that kind and trading_id only.
    #[test]
    fn a_planned_fault_hits_its_telegram_once() {
        let g = gateway();
        let planned = g.control("fault", b"telegram_kind=020&trading_id=t9&fault=close");
        assert_eq!(planned.status, 200);
        let other = g.respond(
            "/n/card/request",
            &card_020("t8", "card_token=tok_test_approve"),
        );
        assert_eq!(other.map(|r| r.fault), Some(None), "another order");
        // A telegram with a sim_fault of its own leaves the plan alone.
        let own = g.respond(
            "/n/card/request",
            &card_020("t9", "card_token=tok_test_approve&sim_fault=delay:0"),
        );
        assert_eq!(own.map(|r| r.fault), Some(None), "its own fault");
        let hit = g.respond(
            "/n/card/request",
            &card_020("t9", "card_token=tok_test_approve"),
        );
        assert_eq!(hit.map(|r| r.fault), Some(Some(Fault::Close)));
        let again = g.respond(
            "/n/card/request",
            &card_020("t9", "card_token=tok_test_approve"),
        );
        assert_eq!(again.map(|r| r.fault), Some(None), "used once");
        assert_eq!(g.control("fault", b"trading_id=t9").status, 400);
    }
}
