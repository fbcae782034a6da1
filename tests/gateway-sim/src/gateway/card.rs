//! Card payments: 020 authorisation, 021 auth cancel, 022 capture, 023 capture cancel,
//! 024 completion after 3-D Secure, 028/029 amount corrections.
//!
//! Documented test numbers (020): 4111111111111111 approves, 4000000000000002 declines (2003),
//! 4000000000000119 times out at the card company (2008), 4000000000003220 asks for 3-D Secure
//! (reply ends with `out_acs_html`). Any other number approves when its Luhn check digit is right.
//! Test tokens (`card_token`, the token payment's stand-in for `card_number`): `tok_test_approve`
//! and `tok_test_decline` act as the first two numbers; any other token is refused.

use super::state::{self, State};
use super::{INVALID, about, amount, error, require};
use crate::reply::{Form, KeyValue, sjis};

const APPROVE: &str = "4111111111111111";
const DECLINE: &str = "4000000000000002";
const TIMEOUT: &str = "4000000000000119";
const THREE_D: &str = "4000000000003220";

pub fn telegram(st: &mut State, kind: &str, f: &Form) -> Vec<u8> {
    let r = match kind {
        "020" => authorize(st, f),
        "021" => change(st, kind, f, state::AUTHORIZED, state::AUTH_CANCELLED),
        "022" => change(st, kind, f, state::AUTHORIZED, state::PAID),
        "023" => change(st, kind, f, state::PAID, state::CAPTURE_CANCELLED),
        "024" => change(st, kind, f, state::THREE_D_WAITING, state::AUTHORIZED),
        "028" => correct(st, kind, f, state::AUTHORIZED),
        _ => correct(st, kind, f, state::PAID),
    };
    r.unwrap_or_else(|e| e)
}

fn approved(st: &State, i: usize) -> KeyValue {
    let p = &st.payments[i];
    let mut kv = KeyValue::ok();
    kv.item("payment_id", p.id.as_bytes())
        .item("trading_id", &p.trading_id);
    kv
}

pub fn luhn(number: &[u8]) -> bool {
    if number.len() < 12 || !number.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = number
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    // Not `is_multiple_of`: the workspace's rust-version is 1.85.
    sum.rem_euclid(10) == 0
}

fn authorize(st: &mut State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let kind = "020";
    let amount = amount(kind, f)?;
    let number = card_number(st, f)?;
    let trading_id = f.val("trading_id");
    if !trading_id.is_empty()
        && st
            .payments
            .iter()
            .any(|p| p.payment_type == "02" && p.trading_id == trading_id)
    {
        return Err(error(kind, f, "2005", "取引IDが重複しています。"));
    }
    match number.as_slice() {
        n if n == DECLINE.as_bytes() => Err(error(
            kind,
            f,
            "2003",
            "カード情報の入力内容に誤りがあります。カード番号、有効期限をご確認ください。",
        )),
        n if n == TIMEOUT.as_bytes() => Err(error(
            kind,
            f,
            "2008",
            "カード会社との通信がタイムアウトしました。",
        )),
        n if n == THREE_D.as_bytes() => {
            let i = st.add_payment(trading_id, "02", state::THREE_D_WAITING, amount);
            let mut kv = approved(st, i);
            kv.html("out_acs_html", &acs_html(&st.payments[i].id));
            Ok(kv.into_bytes())
        }
        n if luhn(n) => {
            let i = st.add_payment(trading_id, "02", state::AUTHORIZED, amount);
            Ok(approved(st, i).into_bytes())
        }
        _ => Err(error(kind, f, "2003", "カード番号に誤りがあります。")),
    }
}

/// `card_number`, or the stored card of `customer_id`/`customer_card_id` with `stock_card_mode=1`.
fn card_number(st: &State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    if let Some(token) = f.get("card_token").filter(|t| !t.is_empty()) {
        return match token {
            b"tok_test_approve" => Ok(APPROVE.as_bytes().to_vec()),
            b"tok_test_decline" => Ok(DECLINE.as_bytes().to_vec()),
            _ => Err(error("020", f, "P010", &about("card_token", INVALID))),
        };
    }
    if f.val("stock_card_mode") != b"1" {
        return require("020", f, "card_number").map(<[u8]>::to_vec);
    }
    let customer = require("020", f, "customer_id")?;
    let card = String::from_utf8_lossy(require("020", f, "customer_card_id")?)
        .trim()
        .parse::<u64>()
        .ok();
    st.cards
        .iter()
        .find(|c| c.customer_id == customer && Some(c.card_id) == card)
        .map(|c| c.number.clone())
        .ok_or_else(|| {
            error(
                "020",
                f,
                "P026",
                "指定した顧客ID、顧客カードIDのカード情報はありません。",
            )
        })
}

/// The ACS form of a 3-D Secure reply (ends in CRLF, like fixture 02).
fn acs_html(payment_id: &str) -> Vec<u8> {
    let mut h = b"<HTML>\r\n<BODY onLoad=\"document.f.submit();\">\r\n".to_vec();
    h.extend_from_slice(
        b"<FORM action=\"https://acs.example.invalid/auth\" name=\"f\" method=\"POST\">\r\n",
    );
    h.extend_from_slice(
        format!("<INPUT type=\"hidden\" name=\"PaReq\" value=\"pid={payment_id}\">\r\n").as_bytes(),
    );
    h.extend(sjis("カード会社の認証画面へ移動します。"));
    h.extend_from_slice(b"\r\n</FORM>\r\n</BODY>\r\n</HTML>\r\n");
    h
}

/// A follow-up operation: the payment must exist (2006) and be in `from` (2004).
fn target(st: &State, kind: &str, f: &Form, from: &str) -> Result<usize, Vec<u8>> {
    if !f.has("payment_id") && !f.has("trading_id") {
        return Err(error(kind, f, "P006", &about("payment_id", super::MISSING)));
    }
    let i = st
        .find(&f.text("payment_id"), &f.text("trading_id"))
        .filter(|&i| st.payments[i].payment_type == "02")
        .ok_or_else(|| error(kind, f, "2006", "該当する決済が存在しません。"))?;
    if st.payments[i].status != from {
        return Err(error(
            kind,
            f,
            "2004",
            "決済ステータスが処理を許可していません。",
        ));
    }
    Ok(i)
}

fn change(
    st: &mut State,
    kind: &str,
    f: &Form,
    from: &str,
    to: &'static str,
) -> Result<Vec<u8>, Vec<u8>> {
    let i = target(st, kind, f, from)?;
    st.set_status(i, to);
    Ok(approved(st, i).into_bytes())
}

fn correct(st: &mut State, kind: &str, f: &Form, from: &str) -> Result<Vec<u8>, Vec<u8>> {
    let amount = amount(kind, f)?;
    let i = target(st, kind, f, from)?;
    if st.payments[i].amount == amount {
        return Err(error(kind, f, "P010", &about("payment_amount", INVALID)));
    }
    st.set_amount(i, amount);
    Ok(approved(st, i).into_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn luhn() {
        assert!(super::luhn(b"4111111111111111"));
        assert!(super::luhn(b"4000000000003220"));
        assert!(!super::luhn(b"4111111111111112"));
        assert!(!super::luhn(b"41111111111x1111"));
    }
}
