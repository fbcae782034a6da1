//! Messages in English and Japanese: one file per language (`cli/messages/*.txt`, `key = text`
//! lines, `{name}` placeholders), chosen by `--lang` or the locale.

use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// `--lang X` / `--lang=X` among the arguments (before `--`), else [`Lang::from_env`]. Read
    /// before clap parses, so that its help and its errors are in that language too.
    pub fn from_args_or_env(args: &[std::ffi::OsString]) -> Self {
        let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
        while let Some(a) = it.next() {
            let value = match a.as_ref() {
                "--" => break,
                "--lang" => it.next().map(|v| v.into_owned()),
                other => other.strip_prefix("--lang=").map(str::to_string),
            };
            match value.as_deref() {
                Some("ja") => return Lang::Ja,
                Some("en") => return Lang::En,
                _ => {}
            }
        }
        Self::from_env()
    }

    /// Japanese when the first set of LC_ALL, LC_MESSAGES, LANG starts with `ja`.
    pub fn from_env() -> Self {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
                return if v.to_string_lossy().starts_with("ja") {
                    Lang::Ja
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }
}

const EN: &str = include_str!("../messages/en.txt");
const JA: &str = include_str!("../messages/ja.txt");

fn table(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v))
        .collect()
}

pub struct Messages {
    lang: Lang,
    table: HashMap<&'static str, &'static str>,
    english: HashMap<&'static str, &'static str>,
}

impl Messages {
    pub fn new(lang: Lang) -> Self {
        let english = table(EN);
        let table = if lang == Lang::Ja {
            table(JA)
        } else {
            english.clone()
        };
        Self {
            lang,
            table,
            english,
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key` as it is in the file (no placeholders): for clap, which keeps some
    /// strings only as `&'static str`.
    pub fn text(&self, key: &str) -> &'static str {
        self.table
            .get(key)
            .or_else(|| self.english.get(key))
            .copied()
            .unwrap_or("")
    }

    /// Whether `key` has a text (in English, which has every key).
    pub fn has(&self, key: &str) -> bool {
        self.english.contains_key(key)
    }

    /// The English text of `key`: the `message` of JSON output, which a script may match
    /// whatever the operator's language.
    pub fn english(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.english.get(key).copied().unwrap_or(key), args)
    }

    /// The message `key` with `{name}` placeholders filled; English if the language lacks it,
    /// the key itself if neither has it (a test keeps both files complete).
    pub fn get(&self, key: &str, args: &[(&str, &str)]) -> String {
        let template = self
            .table
            .get(key)
            .or_else(|| self.english.get(key))
            .copied()
            .unwrap_or(key);
        fill(template, args)
    }
}

/// `template` with each `{name}` replaced by its value.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Every key of the message files.
#[cfg(test)]
pub fn keys() -> Vec<&'static str> {
    table(EN).into_keys().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let mut en: Vec<_> = table(EN).into_keys().collect();
        let mut ja: Vec<_> = table(JA).into_keys().collect();
        en.sort_unstable();
        ja.sort_unstable();
        assert_eq!(en, ja);
    }

    /// Every message key the code (but doctor.rs) names as a literal (`"notices.locked"`: a known prefix, a
    /// dot, lowercase words) is in both message files: a key missing from one would print the
    /// key itself to the user.
    #[test]
    fn every_key_the_code_uses_is_in_both_languages() {
        let en = table(EN);
        let ja = table(JA);
        let prefixes: std::collections::BTreeSet<&str> = en
            .keys()
            .filter_map(|k| k.split_once('.').map(|(p, _)| p))
            .collect();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut checked = 0;
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            // doctor.rs names its check ids (`config.parse`) the same way and builds its
            // message keys (`doctor.…`) from them: its keys are checked by its own tests.
            if path.extension().is_none_or(|e| e != "rs")
                || path.ends_with(concat!("doctor", ".rs"))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let Some((prefix, rest)) = literal.split_once('.') else {
                    continue;
                };
                let key_like = !rest.is_empty()
                    && rest.split('.').all(|w| {
                        !w.is_empty()
                            && w.bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    });
                if !prefixes.contains(prefix) || !key_like {
                    continue;
                }
                checked += 1;
                for (lang, t) in [("en", &en), ("ja", &ja)] {
                    if !t.contains_key(literal) {
                        missing.push(format!("{lang}: {literal} ({})", path.display()));
                    }
                }
            }
        }
        // The notices and confirm keys at least (a scan that finds nothing checks nothing).
        assert!(checked > 40, "only {checked} keys found in {src}");
        assert!(
            missing.is_empty(),
            "keys missing from the message files: {missing:#?}"
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let m = Messages::new(Lang::En);
        assert_eq!(m.get("config.used", &[("path", "/x")]), "configuration: /x");
        let ja = Messages::new(Lang::Ja);
        assert_eq!(ja.get("config.used", &[("path", "/x")]), "設定ファイル: /x");
        assert_eq!(m.get("no.such.key", &[]), "no.such.key");
    }
}
