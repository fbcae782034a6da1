//! Payment applications that the customer completes later: ATM 010, convenience store 030
//! (number) and 040 (slip), bank net 050/060, virtual account 070. Status 10 (applied);
//! the control `/sim/pay` marks one paid.

use super::state::{self, State};
use super::{amount, require};
use crate::reply::{Form, KeyValue, date_after, sjis};

pub fn telegram(st: &mut State, kind: &str, f: &Form) -> Vec<u8> {
    apply(st, kind, f).unwrap_or_else(|e| e)
}

/// `payment_limit_date` is a number of days in these telegrams; default 30 (convenience 14).
fn limit_date(f: &Form, default: i64) -> Vec<u8> {
    let days = f
        .text("payment_limit_date")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (0..=999).contains(d));
    date_after(days.unwrap_or(default)).into_bytes()
}

fn apply(st: &mut State, kind: &str, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let amount = amount(kind, f)?;
    if kind == "030" || kind == "040" {
        require(kind, f, "customer_family_name_kana")?;
    }
    let payment_type = match kind {
        "010" => "01",
        "030" => "03",
        "040" => "04",
        "050" => "05",
        "060" => "06",
        _ => "07",
    };
    let i = st.add_payment(f.val("trading_id"), payment_type, state::APPLIED, amount);
    let id = st.payments[i].id.clone();
    let tail = |n: usize| id[id.len() - n..].to_string();
    let mut kv = KeyValue::ok();
    kv.item("payment_id", id.as_bytes())
        .item("trading_id", f.val("trading_id"));
    match kind {
        "010" => {
            kv.item("pay_center_number", b"58091")
                .item("customer_number", format!("9{:0>19}", tail(10)).as_bytes())
                .item("conf_number", tail(6).as_bytes())
                .item("payment_limit_date", &limit_date(f, 30));
        }
        "030" => {
            let usable: &[u8] = if f.has("cvs_company_id") {
                f.val("cvs_company_id")
            } else {
                b"00C001-00C002-00C005"
            };
            kv.item("receipt_number", format!("8{:0>10}", tail(10)).as_bytes())
                .item("usable_cvs_company_id", usable)
                .item("payment_limit_date", &limit_date(f, 14));
        }
        "040" => {
            kv.item("receipt_number", format!("8{:0>10}", tail(10)).as_bytes())
                .item(
                    "receipt_print_url",
                    format!("https://slip.example.invalid/print?pid={id}").as_bytes(),
                )
                .item("payment_limit_date", &limit_date(f, 14));
        }
        "050" | "060" => {
            kv.item(
                "asp_url",
                format!("https://bank.example.invalid/asp?payment_id={id}").as_bytes(),
            );
        }
        _ => {
            kv.item("bank_code", b"9999")
                .item("bank_name", &sjis("テスト銀行"))
                .item("branch_code", b"001")
                .item("branch_name", &sjis("本店"))
                .item("account_number", tail(7).as_bytes())
                .item("payment_limit_date", &limit_date(f, 30));
        }
    }
    Ok(kv.into_bytes())
}
