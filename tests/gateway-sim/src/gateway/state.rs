//! In-memory gateway state: payments, the 091 notice queue, stored cards, file payments.
//! Payments and notices can be kept across restarts (`--state FILE`, [`State::to_json`],
//! [`State::from_json`]); stored cards (their numbers) and file payments are not.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::reply;

/// payment_status values (Paygent's codes).
pub const APPLIED: &str = "10";
pub const THREE_D_WAITING: &str = "15";
pub const AUTHORIZED: &str = "20";
pub const AUTH_CANCELLED: &str = "32";
pub const PAID: &str = "40";
pub const CAPTURE_CANCELLED: &str = "60";

pub struct Payment {
    pub id: String,
    pub trading_id: Vec<u8>,
    pub payment_type: &'static str,
    pub status: &'static str,
    pub amount: Vec<u8>,
    /// Further reply items of its notices (Windows-31J), e.g. a customer name.
    pub extra: Vec<(&'static str, Vec<u8>)>,
}

pub struct Notice {
    pub id: u64,
    pub payment_id: String,
    pub trading_id: Vec<u8>,
    pub payment_type: &'static str,
    pub status: &'static str,
    pub amount: Vec<u8>,
    pub date: String,
    pub extra: Vec<(&'static str, Vec<u8>)>,
}

/// What `/sim/seed` may set on the notices it makes (raw bytes; `None`: the usual values).
#[derive(Default)]
pub struct Seed {
    pub trading_id: Option<Vec<u8>>,
    pub customer_name: Option<Vec<u8>>,
}

pub struct StoredCard {
    pub customer_id: Vec<u8>,
    pub card_id: u64,
    pub number: Vec<u8>,
    pub valid_term: Vec<u8>,
    pub holder: Vec<u8>,
    pub add_info: [Vec<u8>; 4],
}

pub struct FilePayment {
    pub polls: u32,
    pub result: Vec<u8>,
}

/// Payment ids are this plus a sequence number (18 digits).
const FIRST_PAYMENT_ID: u64 = 100_000_000_000_000_000;

pub struct State {
    last_payment: u64,
    pub payments: Vec<Payment>,
    /// trading_id → index of its latest payment, so lookups stay O(1) as payments pile up.
    by_trading_id: HashMap<Vec<u8>, usize>,
    last_notice: u64,
    /// Notices with an id below this are gone (091 success_code 2).
    pub purge_before: u64,
    pub notices: Vec<Notice>,
    last_card: u64,
    pub cards: Vec<StoredCard>,
    last_file: u64,
    pub files: HashMap<String, FilePayment>,
    pub file_ready_after: u32,
    /// Bumped by every change to payments or notices: `--state` saves when it moved.
    pub changes: u64,
}

impl State {
    pub fn new(purge_before: u64, file_ready_after: u32) -> State {
        State {
            last_payment: 0,
            payments: Vec::new(),
            by_trading_id: HashMap::new(),
            last_notice: 0,
            purge_before,
            notices: Vec::new(),
            last_card: 0,
            cards: Vec::new(),
            last_file: 0,
            files: HashMap::new(),
            file_ready_after,
            changes: 0,
        }
    }

    /// Payments, notices and their counters as JSON (`--state FILE`). Byte values are kept as
    /// latin-1 strings (each byte one code point), so Windows-31J items survive.
    pub fn to_json(&self) -> Value {
        let extra = |e: &[(&'static str, Vec<u8>)]| -> Vec<Value> {
            e.iter().map(|(k, v)| json!([k, latin1(v)])).collect()
        };
        let payments: Vec<Value> = self
            .payments
            .iter()
            .map(|p| {
                json!({"id": p.id, "trading_id": latin1(&p.trading_id),
                       "payment_type": p.payment_type, "status": p.status,
                       "amount": latin1(&p.amount), "extra": extra(&p.extra)})
            })
            .collect();
        let notices: Vec<Value> = self
            .notices
            .iter()
            .map(|n| {
                json!({"id": n.id, "payment_id": n.payment_id,
                       "trading_id": latin1(&n.trading_id), "payment_type": n.payment_type,
                       "status": n.status, "amount": latin1(&n.amount), "date": n.date,
                       "extra": extra(&n.extra)})
            })
            .collect();
        json!({"version": 1, "last_payment": self.last_payment, "last_notice": self.last_notice,
               "purge_before": self.purge_before, "payments": payments, "notices": notices})
    }

    /// The state `to_json` wrote; `purge_before` is the larger of the saved one and the
    /// command line's.
    pub fn from_json(v: &Value, purge_before: u64, file_ready_after: u32) -> Result<State, String> {
        let mut st = State::new(purge_before, file_ready_after);
        let num = |v: &Value, k: &str| v[k].as_u64().ok_or(format!("state: {k} is not a number"));
        let text = |v: &Value, k: &str| -> Result<String, String> {
            v[k].as_str()
                .map(str::to_string)
                .ok_or(format!("state: {k} is not a string"))
        };
        let bytes = |v: &Value, k: &str| text(v, k).and_then(|s| unlatin1(&s));
        let extra = |v: &Value| -> Result<Vec<(&'static str, Vec<u8>)>, String> {
            let list = v["extra"].as_array().cloned().unwrap_or_default();
            list.iter()
                .map(|kv| {
                    let k = kv[0].as_str().ok_or("state: extra key")?;
                    let val = unlatin1(kv[1].as_str().ok_or("state: extra value")?)?;
                    Ok((intern(k), val))
                })
                .collect()
        };
        if v["version"] != 1 {
            return Err("state: not a version 1 state file".into());
        }
        st.last_payment = num(v, "last_payment")?;
        st.last_notice = num(v, "last_notice")?;
        st.purge_before = st.purge_before.max(num(v, "purge_before")?);
        for p in v["payments"].as_array().ok_or("state: payments")? {
            st.payments.push(Payment {
                id: text(p, "id")?,
                trading_id: bytes(p, "trading_id")?,
                payment_type: intern(&text(p, "payment_type")?),
                status: intern(&text(p, "status")?),
                amount: bytes(p, "amount")?,
                extra: extra(p)?,
            });
            let i = st.payments.len() - 1;
            st.by_trading_id
                .insert(st.payments[i].trading_id.clone(), i);
        }
        for n in v["notices"].as_array().ok_or("state: notices")? {
            st.notices.push(Notice {
                id: num(n, "id")?,
                payment_id: text(n, "payment_id")?,
                trading_id: bytes(n, "trading_id")?,
                payment_type: intern(&text(n, "payment_type")?),
                status: intern(&text(n, "status")?),
                amount: bytes(n, "amount")?,
                date: text(n, "date")?,
                extra: extra(n)?,
            });
        }
        Ok(st)
    }

    /// A new payment (18 digits, sequential) and its notice; returns its index.
    pub fn add_payment(
        &mut self,
        trading_id: &[u8],
        payment_type: &'static str,
        status: &'static str,
        amount: &[u8],
    ) -> usize {
        self.last_payment += 1;
        self.payments.push(Payment {
            id: (FIRST_PAYMENT_ID + self.last_payment).to_string(),
            trading_id: trading_id.to_vec(),
            payment_type,
            status,
            amount: amount.to_vec(),
            extra: Vec::new(),
        });
        let i = self.payments.len() - 1;
        self.by_trading_id.insert(trading_id.to_vec(), i);
        self.notify(i);
        i
    }

    /// By payment_id when given, else by trading_id (§8.2: either identifies a payment).
    pub fn find(&self, payment_id: &str, trading_id: &str) -> Option<usize> {
        let (payment_id, trading_id) = (payment_id.trim(), trading_id.trim());
        if !payment_id.is_empty() {
            // ids are sequential from FIRST_PAYMENT_ID: the index is the difference.
            let n: u64 = payment_id.parse().ok()?;
            let i = usize::try_from(n.checked_sub(FIRST_PAYMENT_ID + 1)?).ok()?;
            return self
                .payments
                .get(i)
                .filter(|p| p.id == payment_id)
                .map(|_| i);
        }
        if trading_id.is_empty() {
            return None;
        }
        self.by_trading_id.get(trading_id.as_bytes()).copied()
    }

    pub fn set_status(&mut self, i: usize, status: &'static str) {
        self.payments[i].status = status;
        self.notify(i);
    }

    pub fn set_amount(&mut self, i: usize, amount: &[u8]) {
        self.payments[i].amount = amount.to_vec();
        self.notify(i);
    }

    /// Every payment or status change is a notice for 091.
    fn notify(&mut self, i: usize) {
        self.changes += 1;
        self.last_notice += 1;
        let p = &self.payments[i];
        self.notices.push(Notice {
            id: self.last_notice,
            payment_id: p.id.clone(),
            trading_id: p.trading_id.clone(),
            payment_type: p.payment_type,
            status: p.status,
            amount: p.amount.clone(),
            date: reply::timestamp(),
            extra: p.extra.clone(),
        });
        self.purge(self.purge_before);
    }

    pub fn next_notice_id(&self) -> u64 {
        self.last_notice + 1
    }

    pub fn last_notice_id(&self) -> u64 {
        self.last_notice
    }

    pub fn purge(&mut self, before: u64) {
        self.changes += 1;
        self.purge_before = self.purge_before.max(before);
        let limit = self.purge_before;
        // notices are in id order: drop the head, without a pass over the whole queue.
        let gone = self.notices.partition_point(|n| n.id < limit);
        if gone > 0 {
            self.notices.drain(..gone);
        }
    }

    /// `--seed-notices N`, `/sim/seed`: N payments, each with its notice, quickly. Every third
    /// carries a Japanese `customer_name` (Windows-31J on the wire).
    pub fn seed(&mut self, n: u64) {
        self.seed_with(n, &Seed::default());
    }

    /// [`State::seed`] with the notices' `trading_id` and/or `customer_name` given as raw
    /// bytes (any bytes: NUL, a megabyte, what Windows-31J does not allow) — for the tests of a
    /// merchant's store against what a gateway may send.
    pub fn seed_with(&mut self, n: u64, given: &Seed) {
        const NAMES: [&str; 4] = ["山田 太郎", "髙橋 花子", "ｶﾞｲﾄﾞ ①丁目", "佐藤 次郎"];
        const TYPES: [(&str, &str); 4] = [
            ("01", APPLIED),
            ("02", AUTHORIZED),
            ("03", APPLIED),
            ("02", PAID),
        ];
        for _ in 0..n {
            let seq = self.last_payment + 1;
            let (payment_type, status) = TYPES[(seq % 4) as usize];
            let trading_id = given
                .trading_id
                .clone()
                .unwrap_or_else(|| format!("seed-{seq}").into_bytes());
            let amount = (100 + seq * 10).to_string();
            self.last_payment = seq;
            let extra = if let Some(name) = &given.customer_name {
                vec![("customer_name", name.clone())]
            } else if seq.is_multiple_of(3) {
                vec![(
                    "customer_name",
                    reply::sjis(NAMES[((seq / 3) % 4) as usize]),
                )]
            } else {
                Vec::new()
            };
            self.payments.push(Payment {
                id: (FIRST_PAYMENT_ID + seq).to_string(),
                trading_id: trading_id.clone(),
                payment_type,
                status,
                amount: amount.into_bytes(),
                extra,
            });
            let i = self.payments.len() - 1;
            self.by_trading_id.insert(trading_id, i);
            self.notify(i);
        }
    }

    /// The first kept notice with an id above `after` (all kept ones when `None`).
    pub fn notice_after(&self, after: Option<u64>) -> Option<&Notice> {
        let i = match after {
            None => 0,
            Some(a) => self.notices.partition_point(|n| n.id <= a),
        };
        self.notices.get(i)
    }

    pub fn add_card(&mut self, mut card: StoredCard) -> u64 {
        self.last_card += 1;
        card.card_id = self.last_card;
        self.cards.push(card);
        self.last_card
    }

    pub fn add_file(&mut self, result: Vec<u8>) -> String {
        self.last_file += 1;
        let id = (1_000_000 + self.last_file).to_string();
        self.files
            .insert(id.clone(), FilePayment { polls: 0, result });
        id
    }

    /// The receipt id the next `add_file` hands out (written into the result header).
    pub fn next_file_id(&self) -> String {
        (1_000_000 + self.last_file + 1).to_string()
    }
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

fn unlatin1(s: &str) -> Result<Vec<u8>, String> {
    s.chars()
        .map(|c| {
            u8::try_from(u32::from(c)).map_err(|_| "state: a value is not latin-1".to_string())
        })
        .collect()
}

/// The `&'static str` of a code the state keeps (payment types, statuses, item names).
fn intern(s: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        APPLIED,
        THREE_D_WAITING,
        AUTHORIZED,
        AUTH_CANCELLED,
        PAID,
        CAPTURE_CANCELLED,
        "customer_name",
    ];
    match KNOWN.iter().find(|k| **k == s) {
        Some(k) => k,
        // Only codes this simulator wrote come back; anything else is kept once.
        None => Box::leak(s.to_string().into_boxed_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payments_and_notices_survive_a_round_trip() {
        let mut st = State::new(0, 2);
        st.seed(5);
        let i = st.add_payment(b"\x82\xa0-order", "02", AUTHORIZED, b"1500");
        st.set_status(i, PAID);
        st.purge(3);
        let saved = st.to_json();
        let back = State::from_json(&saved, 0, 2).unwrap();
        assert_eq!(back.to_json(), saved);
        assert_eq!(back.find("", "\u{82}\u{a0}-order"), None, "bytes, not text");
        assert_eq!(back.by_trading_id.get(&b"\x82\xa0-order"[..]), Some(&i));
        assert_eq!(back.payments[i].status, PAID);
        assert_eq!(back.next_notice_id(), st.next_notice_id());
        let mut back = back;
        let j = back.add_payment(b"next", "02", AUTHORIZED, b"1");
        assert_eq!(back.payments[j].id, (FIRST_PAYMENT_ID + 7).to_string());
    }
}
