//! Stored cards: 025 register, 026 delete, 027 inquiry (reference CSV, protocol.md §6.4).

use super::card::luhn;
use super::state::{State, StoredCard};
use super::{INVALID, about, error, require};
use crate::reply::{Form, KeyValue, csv_line};

const NOT_FOUND: &str = "指定した顧客ID、顧客カードIDのカード情報はありません。";
/// Data header of the 027 reply (record type "2").
const COLUMNS: &[&str] = &[
    "customer_id",
    "customer_card_id",
    "card_number",
    "card_valid_term",
    "cardholder_name",
    "add_info1",
    "add_info2",
    "add_info3",
    "add_info4",
];

pub fn telegram(st: &mut State, kind: &str, f: &Form) -> Vec<u8> {
    let r = match kind {
        "025" => register(st, f),
        "026" => delete(st, f),
        _ => inquiry(st, f),
    };
    r.unwrap_or_else(|e| e)
}

fn register(st: &mut State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let customer_id = require("025", f, "customer_id")?;
    let number = require("025", f, "card_number")?;
    let valid_term = require("025", f, "card_valid_term")?;
    if !luhn(number) {
        return Err(error("025", f, "P010", &about("card_number", INVALID)));
    }
    let id = st.add_card(StoredCard {
        customer_id: customer_id.to_vec(),
        card_id: 0,
        number: number.to_vec(),
        valid_term: valid_term.to_vec(),
        holder: f.val("cardholder_name").to_vec(),
        add_info: ["add_info1", "add_info2", "add_info3", "add_info4"].map(|k| f.val(k).to_vec()),
    });
    let mut kv = KeyValue::ok();
    kv.item("customer_id", customer_id)
        .item("customer_card_id", id.to_string().as_bytes());
    Ok(kv.into_bytes())
}

fn card_id(f: &Form) -> Option<u64> {
    f.text("customer_card_id").trim().parse().ok()
}

fn delete(st: &mut State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let customer_id = require("026", f, "customer_id")?;
    require("026", f, "customer_card_id")?;
    let id = card_id(f);
    let before = st.cards.len();
    st.cards
        .retain(|c| !(c.customer_id == customer_id && Some(c.card_id) == id));
    if st.cards.len() == before {
        return Err(error("026", f, "P026", NOT_FOUND));
    }
    let mut kv = KeyValue::ok();
    kv.item("customer_id", customer_id)
        .item("customer_card_id", f.val("customer_card_id"));
    Ok(kv.into_bytes())
}

/// Header "1", data header "2", data "3" per card (newest last), trailer "4" with the count.
/// `customer_card_id` narrows to one card; `limit_count` caps the number of data records.
fn inquiry(st: &State, f: &Form) -> Result<Vec<u8>, Vec<u8>> {
    let customer_id = require("027", f, "customer_id")?;
    let only = if f.has("customer_card_id") {
        Some(card_id(f))
    } else {
        None
    };
    let limit = f
        .text("limit_count")
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or(usize::MAX);
    let cards: Vec<&StoredCard> = st
        .cards
        .iter()
        .filter(|c| c.customer_id == customer_id && only.is_none_or(|id| id == Some(c.card_id)))
        .take(limit)
        .collect();
    if cards.is_empty() {
        return Err(error("027", f, "P026", NOT_FOUND));
    }
    let mut body = csv_line(&[b"1", b"0", b"", b""]);
    let mut header: Vec<&[u8]> = vec![b"2"];
    header.extend(COLUMNS.iter().map(|c| c.as_bytes()));
    body.extend(csv_line(&header));
    for c in &cards {
        let id = c.card_id.to_string();
        let masked = mask(&c.number);
        let mut row: Vec<&[u8]> = vec![
            b"3",
            &c.customer_id,
            id.as_bytes(),
            &masked,
            &c.valid_term,
            &c.holder,
        ];
        row.extend(c.add_info.iter().map(Vec::as_slice));
        body.extend(csv_line(&row));
    }
    body.extend(csv_line(&[b"4", cards.len().to_string().as_bytes()]));
    Ok(body)
}

/// `************1111`: every digit but the last four hidden.
fn mask(number: &[u8]) -> Vec<u8> {
    let keep = number.len().saturating_sub(4);
    let mut m = vec![b'*'; keep];
    m.extend_from_slice(&number[keep..]);
    m
}
