//! What one gateway answer proves about the merchant's set-up (`paygent doctor --ping`, issue 20
//! item 1). The doctor sends a 094 inquiry for a payment id that cannot exist; the gateway checks
//! the caller step by step and answers with the first check that failed, so an answer refusing
//! one step proves the steps before it and says nothing of the steps after it. Only "not found"
//! (13001) or a found payment proves every step.

use crate::config::ConfigSource;
use crate::confirm::{Confirmation, inquire};
use crate::error::Dialect;

/// One thing the gateway checks, in the order it checks them (protocol.md §8.5 response codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The server's IP address is on the merchant's allow-list (P015).
    IpAllowList,
    /// The client certificate is valid for the merchant (P016).
    Certificate,
    /// The URL fits the telegram kind (P004).
    Url,
    /// `connect_id` and `connect_password` are present (P001) and right (P002).
    ConnectCredentials,
    /// `merchant_id` is present (P006) and contracted (P007).
    MerchantId,
}

/// The steps in the gateway's order, each with the response codes that refuse it.
pub const STEPS: &[(Step, &[&str])] = &[
    (Step::IpAllowList, &["P015"]),
    (Step::Certificate, &["P016"]),
    (Step::Url, &["P004"]),
    (Step::ConnectCredentials, &["P001", "P002"]),
    (Step::MerchantId, &["P006", "P007"]),
];

/// The 094 response code for "no such payment": every step passed.
const NOT_FOUND: &str = "13001";

/// What the answer says of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// The gateway accepted it.
    Accepted,
    /// The gateway refused it (the answer's response code names it).
    Refused,
    /// The answer says nothing about it.
    NotChecked,
}

/// The doctor's test inquiry and what it proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ping {
    /// The gateway's response code (`13001`, `P001` …), `found`, or `None` when no gateway
    /// answer came (then `error` says why).
    pub answer: Option<String>,
    /// The module's error when nothing came back from the gateway.
    pub error: Option<Vec<u8>>,
    /// Each step of [`STEPS`] and what the answer proves of it.
    pub steps: Vec<(Step, Proof)>,
}

impl Ping {
    /// What the steps say together: every step accepted, one refused, or some not checked.
    pub fn overall(&self) -> Proof {
        if self.steps.iter().any(|(_, p)| *p == Proof::Refused) {
            Proof::Refused
        } else if self.steps.iter().all(|(_, p)| *p == Proof::Accepted) {
            Proof::Accepted
        } else {
            Proof::NotChecked
        }
    }
}

/// What `answer` (a response code, or `found`) proves, `merchant_id_sent` telling whether the
/// inquiry carried a merchant id (without one, the merchant id is never proven).
pub fn proof(answer: &str, merchant_id_sent: bool) -> Vec<(Step, Proof)> {
    let refused_at = STEPS.iter().position(|(_, codes)| codes.contains(&answer));
    let passed_all = answer == NOT_FOUND || answer == "found";
    STEPS
        .iter()
        .enumerate()
        .map(|(i, (step, _))| {
            let p = match refused_at {
                Some(k) if i < k => Proof::Accepted,
                Some(k) if i == k => Proof::Refused,
                Some(_) => Proof::NotChecked,
                None if passed_all => Proof::Accepted,
                // Another answer (a system error, an unknown code): the gateway's application
                // answered over mutual TLS, which the network and certificate steps allow.
                None if i < 2 => Proof::Accepted,
                None => Proof::NotChecked,
            };
            // Without a merchant id the gateway can neither accept one nor refuse it.
            let p = if *step == Step::MerchantId && !merchant_id_sent {
                Proof::NotChecked
            } else {
                p
            };
            (*step, p)
        })
        .collect()
}

/// Send the test inquiry (a payment id that cannot exist) with `source`'s configuration and the
/// given merchant id (empty: the configuration's, if any), and tell what the answer proves.
pub fn ping(dialect: Dialect, source: ConfigSource, merchant_id: &[u8]) -> Ping {
    let merchant_id_sent = !merchant_id.is_empty()
        || source
            .load()
            .is_ok_and(|c| !crate::php::is_blank(&c.default_merchant_id));
    let common: Vec<(&[u8], &[u8])> = if merchant_id.is_empty() {
        Vec::new()
    } else {
        vec![(b"merchant_id", merchant_id)]
    };
    let c = inquire(dialect, source, b"", b"000000000000000000", &common);
    let answer = match &c {
        Confirmation::Found { .. } => Some("found".to_string()),
        Confirmation::NotFound => Some(NOT_FOUND.to_string()),
        // The module's error (`E0xxxx: …`), or the gateway's `<code>: <detail>`.
        Confirmation::Unknown { reason } if reason.starts_with(b"E0") => None,
        Confirmation::Unknown { reason } => {
            let code = reason.split(|&b| b == b':').next().unwrap_or_default();
            Some(String::from_utf8_lossy(code).trim().to_string())
        }
    };
    match answer {
        Some(a) => Ping {
            steps: proof(&a, merchant_id_sent),
            answer: Some(a),
            error: None,
        },
        None => Ping {
            answer: None,
            error: match c {
                Confirmation::Unknown { reason } => Some(reason),
                _ => None,
            },
            steps: STEPS.iter().map(|(s, _)| (*s, Proof::NotChecked)).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Proof::{Accepted as A, NotChecked as N, Refused as R};

    fn proofs(answer: &str, merchant: bool) -> Vec<Proof> {
        proof(answer, merchant)
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    #[test]
    fn an_answer_proves_the_steps_before_the_one_it_refuses() {
        // IP, certificate, URL, connect id/password, merchant id
        assert_eq!(proofs("13001", true), [A, A, A, A, A]);
        assert_eq!(proofs("found", true), [A, A, A, A, A]);
        assert_eq!(
            proofs("13001", false),
            [A, A, A, A, N],
            "no merchant id sent"
        );
        assert_eq!(proofs("P001", true), [A, A, A, R, N]);
        assert_eq!(proofs("P002", true), [A, A, A, R, N]);
        assert_eq!(proofs("P006", true), [A, A, A, A, R]);
        assert_eq!(
            proofs("P006", false),
            [A, A, A, A, N],
            "none sent: expected"
        );
        assert_eq!(proofs("P004", true), [A, A, R, N, N]);
        // an invalid value: of which parameter is not said
        assert_eq!(proofs("P010", true), [A, A, N, N, N]);
        assert_eq!(proofs("P015", true), [R, N, N, N, N]);
        assert_eq!(proofs("P016", true), [A, R, N, N, N]);
        assert_eq!(proofs("9999", true), [A, A, N, N, N]);
    }
}
