//! 091 payment diff inquiry (the notice queue) and 094 payment information inquiry.

use super::error;
use super::state::{Notice, State};
use crate::reply::{Form, KeyValue, sjis};

pub fn telegram(st: &mut State, kind: &str, f: &Form) -> Vec<u8> {
    if kind == "094" {
        payment(st, f)
    } else {
        diff(st, f)
    }
}

/// The next notice after the caller's `payment_notice_id` (or the oldest kept): success_code 0;
/// 1 when there is none; 2 when the notice right after the given id was purged (the oldest
/// kept one is returned).
fn diff(st: &State, f: &Form) -> Vec<u8> {
    let after = f.text("payment_notice_id").trim().parse::<u64>().ok();
    if f.has("payment_notice_id") && after.is_none() {
        return error(
            "091",
            f,
            "P010",
            "\"payment_notice_id\"パラメータの値は不正な値です。",
        );
    }
    let next = st.notice_after(after);
    let lost = after.is_some_and(|a| a + 1 < st.purge_before && a < st.last_notice_id());
    let mut kv = KeyValue::ok();
    match next {
        None => {
            kv.item("success_code", b"1").item("success_detail", b"");
            notice_items(&mut kv, None);
        }
        Some(n) => {
            if lost {
                kv.item("success_code", b"2").item(
                    "success_detail",
                    &sjis("保存期間を過ぎた差分データは削除されています。"),
                );
            } else {
                kv.item("success_code", b"0").item("success_detail", b"");
            }
            notice_items(&mut kv, Some(n));
        }
    }
    kv.into_bytes()
}

fn notice_items(kv: &mut KeyValue, n: Option<&Notice>) {
    let id = n.map(|n| n.id.to_string()).unwrap_or_default();
    let v = |get: fn(&Notice) -> &[u8]| n.map(get).unwrap_or(b"");
    kv.item("payment_notice_id", id.as_bytes())
        .item("payment_id", v(|n| n.payment_id.as_bytes()))
        .item("trading_id", v(|n| &n.trading_id))
        .item("payment_type", v(|n| n.payment_type.as_bytes()))
        .item("payment_status", v(|n| n.status.as_bytes()))
        .item("payment_amount", v(|n| &n.amount))
        .item("change_date", v(|n| n.date.as_bytes()));
    for (k, val) in n.map(|n| n.extra.as_slice()).unwrap_or_default() {
        kv.item(k, val);
    }
}

/// `/sim/notices`: the kept notices as JSON (values decoded from Windows-31J), for tests to
/// compare with what a merchant stored.
pub fn notices_json(st: &State) -> Vec<u8> {
    let text = |b: &[u8]| encoding_rs::SHIFT_JIS.decode(b).0.into_owned();
    let list: Vec<serde_json::Value> = st
        .notices
        .iter()
        .map(|n| {
            let mut o = serde_json::Map::new();
            o.insert("payment_notice_id".into(), n.id.to_string().into());
            o.insert("payment_id".into(), n.payment_id.clone().into());
            o.insert("trading_id".into(), text(&n.trading_id).into());
            o.insert("payment_type".into(), n.payment_type.into());
            o.insert("payment_status".into(), n.status.into());
            o.insert("payment_amount".into(), text(&n.amount).into());
            o.insert("change_date".into(), n.date.clone().into());
            for (k, v) in &n.extra {
                o.insert((*k).into(), text(v).into());
            }
            serde_json::Value::Object(o)
        })
        .collect();
    let mut body = serde_json::json!({
        "purge_before": st.purge_before,
        "last_payment_notice_id": st.last_notice_id(),
        "notices": list,
    })
    .to_string()
    .into_bytes();
    body.push(b'\n');
    body
}

fn payment(st: &State, f: &Form) -> Vec<u8> {
    if !f.has("payment_id") && !f.has("trading_id") {
        return error(
            "094",
            f,
            "P006",
            "\"payment_id\"は必須項目です。値を設定してください。",
        );
    }
    let Some(i) = st.find(&f.text("payment_id"), &f.text("trading_id")) else {
        return error("094", f, "13001", "該当する決済情報が存在しません。");
    };
    let p = &st.payments[i];
    let mut kv = KeyValue::ok();
    kv.item("payment_id", p.id.as_bytes())
        .item("trading_id", &p.trading_id)
        .item("payment_type", p.payment_type.as_bytes())
        .item("payment_status", p.status.as_bytes())
        .item("payment_amount", &p.amount);
    kv.into_bytes()
}
