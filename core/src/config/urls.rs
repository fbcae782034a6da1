//! URL resolution (§3.4) and the shipped production URL table (§3.5).

use super::Config;
use crate::php::is_blank;

/// The production `modenv_properties.php` URL table (§3.5): `url.<key>` → URL. The Perl
/// module falls back to it for prefixes its configuration does not name (decisions.md 5).
#[rustfmt::skip]
pub const SHIPPED_PRODUCTION: &[(&str, &str)] = &[
    ("01", "https://module.paygent.co.jp/n/atm/request"),
    ("02", "https://module.paygent.co.jp/n/card/request"),
    ("11", "https://module.paygent.co.jp/n/card/request"),
    ("18", "https://module.paygent.co.jp/n/card/request"),
    ("19", "https://module.paygent.co.jp/n/card/request"),
    ("28", "https://module.paygent.co.jp/n/card/request"),
    ("096", "https://module.paygent.co.jp/n/card/request"),
    ("03", "https://module.paygent.co.jp/n/conveni/request"),
    ("04", "https://module.paygent.co.jp/n/conveni/request_print"),
    ("05", "https://module.paygent.co.jp/n/bank/request"),
    ("06", "https://module.paygent.co.jp/n/bank/requestasp"),
    ("07", "https://module.paygent.co.jp/n/virtualaccount/request"),
    ("09", "https://module.paygent.co.jp/n/ref/request"),
    ("091", "https://module.paygent.co.jp/n/ref/paynotice"),
    ("093", "https://module.paygent.co.jp/n/ref/runnotice"),
    ("094", "https://module.paygent.co.jp/n/ref/paymentref"),
    ("095", "https://module.paygent.co.jp/n/ref/cardnoref"),
    ("10", "https://module.paygent.co.jp/n/c/request"),
    ("12", "https://module.paygent.co.jp/n/c/request"),
    ("13", "https://module.paygent.co.jp/n/paypal/request"),
    ("15", "https://module.paygent.co.jp/n/emoney/request"),
    ("20", "https://online.paygent.co.jp/n/o/requestdata"),
    ("22", "https://module.paygent.co.jp/n/later/request"),
    ("26", "https://module.paygent.co.jp/n/accounttransfer/request"),
    ("263", "https://module.paygent.co.jp/n/accounttransfer/receipt"),
    ("264", "https://module.paygent.co.jp/n/accounttransfer/receipt"),
    ("265", "https://module.paygent.co.jp/n/accounttransfer/receipt"),
    ("27", "https://module.paygent.co.jp/n/rakutenid/request"),
    ("29", "https://module.paygent.co.jp/n/jcbpremo/request"),
    ("30", "https://module.paygent.co.jp/n/upop/request"),
    ("31", "https://module.paygent.co.jp/n/alipay/request"),
    ("32", "https://module.paygent.co.jp/n/applepay/request"),
    ("34", "https://module.paygent.co.jp/n/paidy/request"),
    ("35", "https://module.paygent.co.jp/n/googlepay/request"),
    ("38", "https://module.paygent.co.jp/n/illegal_detect/request"),
    ("41", "https://module.paygent.co.jp/n/pi/request"),
    ("42", "https://module.paygent.co.jp/n/paypay/request"),
    ("43", "https://module.paygent.co.jp/n/tokimekiPoint/request"),
    ("45", "https://module.paygent.co.jp/n/threeds/request"),
    ("098", "https://token.paygent.co.jp/n/token/request"),
];

/// Resolve the endpoint for `kind` (§3.4): `url.<kind>`, else `url.<first two>` when the kind
/// is longer than two; then (Perl) the same rule over [`SHIPPED_PRODUCTION`].
pub fn resolve<'a>(config: &'a Config, kind: &[u8]) -> Option<&'a [u8]> {
    if is_blank(kind) {
        return None;
    }
    let configured = by_rule(kind, |k| {
        config
            .urls
            .iter()
            .find(|(s, _)| s == k)
            .map(|(_, u)| u.as_slice())
            .filter(|u| !is_blank(u))
    });
    configured.or_else(|| {
        let shipped = |k: &[u8]| {
            SHIPPED_PRODUCTION
                .iter()
                .find(|(s, _)| s.as_bytes() == k)
                .map(|(_, u)| u.as_bytes())
        };
        if config.fallback_to_shipped_urls {
            by_rule(kind, shipped)
        } else {
            None
        }
    })
}

/// `lookup(kind)`, else `lookup(first two characters)` when the kind is longer than two.
fn by_rule<'a>(kind: &[u8], lookup: impl Fn(&[u8]) -> Option<&'a [u8]>) -> Option<&'a [u8]> {
    lookup(kind).or_else(|| {
        if kind.len() > 2 {
            lookup(&kind[..crate::telegram::KIND_PREFIX_LEN])
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(urls: &[(&str, &str)], fallback: bool) -> Config {
        Config {
            urls: urls
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
            fallback_to_shipped_urls: fallback,
            ..Config::default()
        }
    }

    #[test]
    fn full_kind_then_two_character_prefix() {
        let c = config(
            &[("01", "u01"), ("02", "u02"), ("091", "u091"), ("09", "u09")],
            false,
        );
        assert_eq!(resolve(&c, b"020"), Some(&b"u02"[..]));
        assert_eq!(resolve(&c, b"091"), Some(&b"u091"[..]));
        assert_eq!(resolve(&c, b"090"), Some(&b"u09"[..]));
        assert_eq!(resolve(&c, b"0155"), Some(&b"u01"[..]));
        assert_eq!(resolve(&c, b"01"), Some(&b"u01"[..]));
        assert_eq!(resolve(&c, b"9"), None);
        assert_eq!(resolve(&c, b"999"), None);
        assert_eq!(resolve(&c, b""), None);
        assert_eq!(resolve(&c, b" "), None);
    }

    #[test]
    fn shipped_table_only_as_perl_fallback() {
        let c = config(&[("02", "https://sandbox/n/card/request")], true);
        assert_eq!(
            resolve(&c, b"020"),
            Some(&b"https://sandbox/n/card/request"[..])
        );
        assert_eq!(
            resolve(&c, b"201"),
            Some(&b"https://online.paygent.co.jp/n/o/requestdata"[..])
        );
        assert_eq!(
            resolve(&c, b"098"),
            Some(&b"https://token.paygent.co.jp/n/token/request"[..])
        );
        assert_eq!(
            resolve(&c, b"265"),
            Some(&b"https://module.paygent.co.jp/n/accounttransfer/receipt"[..])
        );
        assert_eq!(resolve(&c, b"999"), None);
        let php = config(&[], false);
        assert_eq!(resolve(&php, b"020"), None);
    }

    #[test]
    fn shipped_table_has_every_key_of_section_3_5_once() {
        assert_eq!(SHIPPED_PRODUCTION.len(), 40);
        for (i, (k, u)) in SHIPPED_PRODUCTION.iter().enumerate() {
            assert!(
                SHIPPED_PRODUCTION[i + 1..].iter().all(|(o, _)| o != k),
                "{k}"
            );
            assert!(u.starts_with("https://") && u.contains("/n/"), "{u}");
        }
    }
}
