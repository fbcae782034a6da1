//! The Perl `paygent.properties` read without running it (issue 19 item 2), for tools that must
//! not execute a file (the `paygent` command runs as whoever calls it, often root).
//!
//! `Paygent::B2B` loads the file with `require`: it is Perl code. Merchant files only assign
//! literal values to package variables, so this reads that subset of Perl and refuses anything
//! else with the line and what was found; nothing in the file is ever run. Accepted:
//!
//! - `#` comments, blank lines, POD (`=pod` … `=cut`), `__END__` / `__DATA__`;
//! - `package Paygent::B2B;` (the package the module reads), `use strict;`, `use warnings;`
//!   (and `no strict;`, `no warnings;`), a lone literal such as `1;`;
//! - `our|my $NAME = VALUE;` and `$NAME = VALUE;`, where VALUE is a single-quoted string (`\'`,
//!   `\\`), a double-quoted string without interpolation (`\"` `\\` `\n` `\t` `\r` `\$` `\@`, a
//!   backslash before other punctuation), a number, `undef`, or an array ref `[ 'a', 'b' ]`
//!   (joined with `,`, as the module reads array refs);
//! - `our %NAME = ( KEY => VALUE, … );` (keys barewords, numbers or strings; `=>` or `,`) and
//!   `$NAME{KEY} = VALUE;`, including `$ENV{NAME} = VALUE;`.
//!
//! Perl's own rules are kept where they change a value: `my` variables are lexical, so the
//! module never sees them (nor does [`PerlFile::variables`]); a number is read as Perl reads it
//! (`035` is octal, 29); after `use strict;` an undeclared variable is an error, as Perl's.
//! Values are bytes: the file may be Shift_JIS, nothing is decoded.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::perl::PERL_VARIABLES;

/// Why the file is not read: its line and what was found there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerlFileError {
    /// 1-based line of the construct.
    pub line: usize,
    /// What was found, and what to write instead.
    pub message: String,
}

impl fmt::Display for PerlFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for PerlFileError {}

type Value = Option<Vec<u8>>;
type Hash = BTreeMap<Vec<u8>, Value>;

/// The package variables of `Paygent::B2B` a file sets, as `require` would leave them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PerlFile {
    scalars: BTreeMap<String, Value>,
    hashes: BTreeMap<String, Hash>,
    /// `$ENV{NAME}` entries the file sets.
    env: Hash,
}

impl PerlFile {
    /// Read a `paygent.properties` (never run).
    pub fn parse(text: &[u8]) -> Result<Self, PerlFileError> {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let mut p = Parser {
            s: text,
            i: 0,
            line: 1,
            strict: false,
            declared: HashMap::new(),
            file: PerlFile::default(),
        };
        while p.statement()? {}
        Ok(p.file)
    }

    /// `(name, value)` pairs as [`super::perl::properties_from_perl_vars`] takes them, the way
    /// the module reads the package after `require`: each variable of
    /// [`PERL_VARIABLES`] that is defined (one with `env_fallback` taken from `%ENV` — the
    /// file's `$ENV{…}`, else `env` — when undefined), then the endpoints as `url.<prefix>`:
    /// `%url` over `%paygent_url`, a `$url_XX` scalar filling a prefix neither defines.
    pub fn variables(&self, env: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        for v in PERL_VARIABLES {
            let mut value = self.scalars.get(v.name).cloned().flatten();
            if value.is_none() && v.env_fallback {
                value = match self.env.get(v.name.as_bytes()) {
                    Some(set) => set.clone(),
                    None => env(v.name),
                };
            }
            if let Some(value) = value {
                out.push((v.name.as_bytes().to_vec(), value));
            }
        }
        let mut url = self.hashes.get("paygent_url").cloned().unwrap_or_default();
        url.extend(self.hashes.get("url").cloned().unwrap_or_default());
        for (name, value) in &self.scalars {
            let Some(prefix) = name.strip_prefix("url_").filter(|p| !p.is_empty()) else {
                continue;
            };
            if let Some(value) = value {
                let slot = url.entry(prefix.as_bytes().to_vec()).or_default();
                if slot.is_none() {
                    *slot = Some(value.clone());
                }
            }
        }
        for (prefix, value) in url {
            if let Some(value) = value {
                out.push(([&b"url."[..], &prefix].concat(), value));
            }
        }
        out
    }
}

/// Where a declared name lives: `our` (the package, which the module reads) or `my`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Package,
    Lexical,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
    /// `use strict` is on: an undeclared variable is an error.
    strict: bool,
    /// (sigil, name) → the scope of its latest declaration.
    declared: HashMap<(u8, String), Scope>,
    file: PerlFile,
}

/// What an assignment writes to.
enum Target {
    Scalar(String),
    Hash(String),
    Element(String, Vec<u8>),
}

const PACKAGE: &str = "Paygent::B2B";

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.s.get(self.i + n).copied()
    }

    fn at(&self, token: &[u8]) -> bool {
        self.s[self.i..].starts_with(token)
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Some(b)
    }

    /// Skip white space and `#` comments.
    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c => {
                    self.bump();
                }
                b'#' => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn error<T>(&self, line: usize, message: impl Into<String>) -> Result<T, PerlFileError> {
        Err(PerlFileError {
            line,
            message: message.into(),
        })
    }

    /// A refusal naming what is at the current position.
    fn unexpected<T>(&self, expected: &str) -> Result<T, PerlFileError> {
        let found = match self.peek() {
            None => "the end of the file".to_string(),
            Some(b'.') => "`.` (string concatenation: write the value as one string)".into(),
            Some(b'`') => "backticks (a command, never run)".into(),
            Some(b'<') if self.at(b"<<") => "`<<` (a here-document: write one string)".into(),
            Some(b @ (b'$' | b'@' | b'%' | b'&')) => {
                let end = self.s[self.i + 1..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b':'))
                    .map_or(self.s.len(), |n| self.i + 1 + n);
                let what = if b == b'&' {
                    "a function call, never run"
                } else {
                    "a variable: only literal values are read"
                };
                format!("`{}` ({what})", show(&self.s[self.i..end]))
            }
            Some(b) if is_word_start(b) => {
                let end = self.s[self.i..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b':'))
                    .map_or(self.s.len(), |n| self.i + n);
                format!(
                    "`{}` (code: a function call, do, require or eval is never run; a bareword \
                     is not a value)",
                    show(&self.s[self.i..end])
                )
            }
            Some(b) => format!("`{}`", show(&[b])),
        };
        self.error(
            self.line,
            format!("found {found} where {expected} was expected"),
        )
    }

    fn word(&mut self) -> Option<String> {
        if !self.peek().is_some_and(is_word_start) {
            return None;
        }
        let start = self.i;
        loop {
            while self
                .peek()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                self.i += 1;
            }
            if self.at(b"::") && self.peek_at(2).is_some_and(is_word_start) {
                self.i += 2;
            } else {
                break;
            }
        }
        Some(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// The end of a statement: `;`, or the end of the file.
    fn end(&mut self, what: &str) -> Result<(), PerlFileError> {
        self.skip_space();
        match self.peek() {
            None => Ok(()),
            Some(b';') => {
                self.i += 1;
                Ok(())
            }
            Some(_) => self.unexpected(&format!("`;` after {what}")),
        }
    }

    /// One statement; `false` at the end of the file (or of the code).
    fn statement(&mut self) -> Result<bool, PerlFileError> {
        self.skip_space();
        while self.peek() == Some(b'=')
            && (self.i == 0 || self.s[self.i - 1] == b'\n')
            && self.peek_at(1).is_some_and(|b| b.is_ascii_alphabetic())
        {
            self.skip_pod();
            self.skip_space();
        }
        let line = self.line;
        let Some(b) = self.peek() else {
            return Ok(false);
        };
        match b {
            b';' => {
                self.i += 1;
            }
            b'$' | b'%' => self.assignment(None)?,
            b'\'' | b'"' | b'0'..=b'9' | b'-' | b'[' => {
                self.value()?;
                self.end("a value")?;
            }
            b if is_word_start(b) => {
                let start = self.i;
                let word = self.word().unwrap_or_default();
                match word.as_str() {
                    "our" | "my" => {
                        self.skip_space();
                        let scope = if word == "our" {
                            Scope::Package
                        } else {
                            Scope::Lexical
                        };
                        if !matches!(self.peek(), Some(b'$' | b'%')) {
                            return self
                                .unexpected(&format!("a `$` or `%` variable after `{word}`"));
                        }
                        self.assignment(Some(scope))?;
                    }
                    "package" => {
                        self.skip_space();
                        let name = self.word().unwrap_or_default();
                        if name != PACKAGE {
                            return self.error(
                                line,
                                format!(
                                    "found `package {name}`: the module reads the variables of \
                                     package {PACKAGE} only"
                                ),
                            );
                        }
                        self.end("`package`")?;
                    }
                    "use" | "no" => {
                        self.skip_space();
                        let name = self.word().unwrap_or_default();
                        if name != "strict" && name != "warnings" {
                            return self.error(
                                line,
                                format!(
                                    "found `{word} {name}`: only `use strict;` and `use \
                                     warnings;` are read (loading a module runs its code)"
                                ),
                            );
                        }
                        self.end(&format!("`{word} {name}`"))?;
                        if name == "strict" {
                            self.strict = word == "use";
                        }
                    }
                    "__END__" | "__DATA__" => return Ok(false),
                    "undef" => self.end("`undef`")?,
                    _ => {
                        self.i = start;
                        return self.unexpected("a statement");
                    }
                }
            }
            _ => return self.unexpected("a statement"),
        }
        Ok(true)
    }

    fn skip_pod(&mut self) {
        loop {
            let cut =
                self.at(b"=cut") && !self.peek_at(4).is_some_and(|b| b.is_ascii_alphanumeric());
            while self.peek().is_some_and(|b| b != b'\n') {
                self.i += 1;
            }
            self.bump();
            if cut || self.peek().is_none() {
                return;
            }
        }
    }

    /// `$x = …`, `%x = (…)`, `$x{k} = …`, after an optional `our` / `my`.
    fn assignment(&mut self, declare: Option<Scope>) -> Result<(), PerlFileError> {
        let line = self.line;
        let sigil = self.s[self.i];
        self.i += 1;
        let Some(full) = self.word() else {
            self.i -= 1;
            return self.unexpected("a variable name");
        };
        let (name, qualified) = match full.rsplit_once("::") {
            None => (full.clone(), false),
            Some((PACKAGE, name)) if declare.is_none() => (name.to_string(), true),
            Some(_) => {
                return self.error(
                    line,
                    format!(
                        "found `{}{full}`: the module reads the variables of package {PACKAGE} only",
                        sigil as char
                    ),
                );
            }
        };
        let shown = format!("{}{full}", sigil as char);
        self.skip_space();
        let target = if sigil == b'$' && self.peek() == Some(b'{') {
            if declare.is_some() {
                return self.error(line, format!("found `{shown}{{` after `our`/`my`"));
            }
            Target::Element(name.clone(), self.subscript()?)
        } else if sigil == b'$' {
            Target::Scalar(name.clone())
        } else {
            Target::Hash(name.clone())
        };
        let var_sigil = if matches!(target, Target::Scalar(_)) {
            b'$'
        } else {
            b'%'
        };
        if name == "ENV" && var_sigil == b'%' && !matches!(target, Target::Element(..)) {
            return self.error(
                line,
                "found `%ENV`: only single entries (`$ENV{NAME} = '…';`) are read",
            );
        }
        if let Some(scope) = declare {
            self.declared.insert((var_sigil, name.clone()), scope);
        }
        let scope = match self.declared.get(&(var_sigil, name.clone())) {
            _ if qualified || (name == "ENV" && var_sigil == b'%') => Scope::Package,
            Some(scope) => *scope,
            None if self.strict => {
                let var = format!("{}{name}", var_sigil as char);
                return self.error(
                    line,
                    format!(
                        "`{var}` is not declared and `use strict` is on (Perl refuses the \
                         file): write `our {var} = …;`"
                    ),
                );
            }
            None => Scope::Package,
        };
        self.skip_space();
        let assigned =
            self.peek() == Some(b'=') && !matches!(self.peek_at(1), Some(b'=' | b'~' | b'>'));
        if !assigned {
            if declare.is_some() {
                return self.end(&format!("`{shown}`"));
            }
            return self.unexpected(&format!("`=` after `{shown}`"));
        }
        self.i += 1;
        match target {
            Target::Scalar(name) => {
                let v = self.value()?;
                if scope == Scope::Package {
                    self.file.scalars.insert(name, v);
                }
            }
            Target::Element(name, key) => {
                let v = self.value()?;
                if scope == Scope::Package {
                    let hash = if name == "ENV" {
                        &mut self.file.env
                    } else {
                        self.file.hashes.entry(name).or_default()
                    };
                    hash.insert(key, v);
                }
            }
            Target::Hash(name) => {
                self.skip_space();
                if self.peek() != Some(b'(') {
                    return self.unexpected("a list `( key => 'value', … )`");
                }
                self.i += 1;
                let items = self.list(b')')?;
                let mut hash = Hash::new();
                for pair in items.chunks(2) {
                    let key = pair[0].clone().unwrap_or_default();
                    hash.insert(key, pair.get(1).cloned().flatten());
                }
                if scope == Scope::Package {
                    self.file.hashes.insert(name, hash);
                }
            }
        }
        self.end("the value")
    }

    /// `{key}` of a hash element: a bareword, a number or a string.
    fn subscript(&mut self) -> Result<Vec<u8>, PerlFileError> {
        self.i += 1;
        self.skip_space();
        let start = self.i;
        let key = match self.word() {
            Some(w) => {
                self.skip_space();
                if self.peek() != Some(b'}') {
                    self.i = start;
                    return self.unexpected("a hash key");
                }
                w.into_bytes()
            }
            None => match self.peek() {
                Some(b'\'' | b'"' | b'0'..=b'9' | b'-') => self.value()?.unwrap_or_default(),
                _ => return self.unexpected("a hash key"),
            },
        };
        self.skip_space();
        if self.peek() != Some(b'}') {
            return self.unexpected("`}`");
        }
        self.i += 1;
        Ok(key)
    }

    /// Items up to `close`, separated by `,` or `=>`; a bareword before `=>` is a string.
    fn list(&mut self, close: u8) -> Result<Vec<Value>, PerlFileError> {
        let mut items = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some(b) if b == close => {
                    self.i += 1;
                    return Ok(items);
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(b'=') if self.peek_at(1) == Some(b'>') => {
                    self.i += 2;
                    continue;
                }
                _ => {}
            }
            let start = (self.i, self.line);
            if let Some(w) = self.word() {
                self.skip_space();
                if self.at(b"=>") {
                    items.push(Some(w.into_bytes()));
                    continue;
                }
                (self.i, self.line) = start;
            }
            if self.peek() == Some(b'[') {
                return self.unexpected("a string or a number");
            }
            items.push(self.value()?);
            self.skip_space();
            match self.peek() {
                Some(b',') => {}
                Some(b'=') if self.peek_at(1) == Some(b'>') => {}
                Some(b) if b == close => {}
                _ => {
                    let sep = format!("`,` or `{}`", close as char);
                    return self.unexpected(&sep);
                }
            }
        }
    }

    /// A literal: string, number, `undef` or an array ref (joined with `,`).
    fn value(&mut self) -> Result<Value, PerlFileError> {
        self.skip_space();
        match self.peek() {
            Some(b'\'') => self.single_quoted().map(Some),
            Some(b'"') => self.double_quoted().map(Some),
            Some(b'0'..=b'9') => self.number().map(Some),
            Some(b'-') => {
                self.i += 1;
                self.skip_space();
                if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.i -= 1;
                    return self.unexpected("a value");
                }
                let n = self.number()?;
                Ok(Some(if n == b"0" {
                    n
                } else {
                    [&b"-"[..], &n].concat()
                }))
            }
            Some(b'[') => {
                self.i += 1;
                let items = self.list(b']')?;
                let parts: Vec<Vec<u8>> =
                    items.into_iter().map(Option::unwrap_or_default).collect();
                Ok(Some(parts.join(&b","[..])))
            }
            Some(b) if is_word_start(b) => {
                let start = self.i;
                if self.word().as_deref() == Some("undef") {
                    self.skip_space();
                    if self.peek() != Some(b'(') {
                        return Ok(None);
                    }
                }
                self.i = start;
                self.unexpected("a value")
            }
            _ => self.unexpected("a value"),
        }
    }

    /// `'…'`: only `\\` and `\'` are escapes.
    fn single_quoted(&mut self) -> Result<Vec<u8>, PerlFileError> {
        let line = self.line;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.bump() {
                None => return self.error(line, "a single-quoted string is never closed"),
                Some(b'\'') => return Ok(out),
                Some(b'\\') if matches!(self.peek(), Some(b'\\' | b'\'')) => {
                    out.extend(self.bump());
                }
                Some(b) => out.push(b),
            }
        }
    }

    /// `"…"` without interpolation.
    fn double_quoted(&mut self) -> Result<Vec<u8>, PerlFileError> {
        let line = self.line;
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let here = self.line;
            match self.bump() {
                None => return self.error(line, "a double-quoted string is never closed"),
                Some(b'"') => return Ok(out),
                Some(b @ (b'$' | b'@')) => {
                    return self.error(
                        here,
                        format!(
                            "found `{}` in a double-quoted string (interpolation is not read): \
                             write \\{} or use single quotes",
                            b as char, b as char
                        ),
                    );
                }
                Some(b'\\') => match self.bump() {
                    None => return self.error(line, "a double-quoted string is never closed"),
                    Some(b'n') => out.push(b'\n'),
                    Some(b't') => out.push(b'\t'),
                    Some(b'r') => out.push(b'\r'),
                    Some(c) if c.is_ascii_alphanumeric() => {
                        return self.error(
                            here,
                            format!(
                                "found `\\{}` in a double-quoted string: this escape is not \
                                 read; use single quotes",
                                c as char
                            ),
                        );
                    }
                    // A backslash before any other character is that character, as in Perl.
                    Some(c) => out.push(c),
                },
                Some(b) => out.push(b),
            }
        }
    }

    /// A number as Perl prints it: decimal, `0x…`, `0b…`, leading `0` = octal; `_` separators.
    fn number(&mut self) -> Result<Vec<u8>, PerlFileError> {
        let line = self.line;
        let start = self.i;
        let (radix, skip) = match (self.peek(), self.peek_at(1)) {
            (Some(b'0'), Some(b'x' | b'X')) => (16, 2),
            (Some(b'0'), Some(b'b' | b'B')) => (2, 2),
            (Some(b'0'), Some(b'0'..=b'9' | b'_')) => (8, 1),
            _ => (10, 0),
        };
        self.i += skip;
        let digits_start = self.i;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.i += 1;
        }
        let text = &self.s[start..self.i];
        let float = radix == 10
            && (text.iter().any(|b| matches!(b, b'e' | b'E'))
                || (self.peek() == Some(b'.')
                    && self.peek_at(1).is_some_and(|b| b.is_ascii_digit())));
        if float {
            return self.error(
                line,
                format!(
                    "found the number `{}…`: write it as a quoted string",
                    show(text)
                ),
            );
        }
        let mut n: u64 = 0;
        for &b in &self.s[digits_start..self.i] {
            if b == b'_' {
                continue;
            }
            let d = (b as char).to_digit(radix).ok_or_else(|| PerlFileError {
                line,
                message: format!(
                    "found the number `{}`: not a base-{radix} number to Perl (a leading 0 is \
                     octal): write it as a quoted string",
                    show(text)
                ),
            })?;
            n = n
                .checked_mul(u64::from(radix))
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or_else(|| PerlFileError {
                    line,
                    message: format!(
                        "found the number `{}`: too large, write it as a quoted string",
                        show(text)
                    ),
                })?;
        }
        Ok(n.to_string().into_bytes())
    }
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Bytes for a message: printable ASCII as is, others as `\xNN`.
fn show(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if (0x20..0x7f).contains(&c) {
                (c as char).to_string()
            } else {
                format!("\\x{c:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, String)> {
        vars_env(text, |_| None)
    }

    fn vars_env(text: &str, env: impl Fn(&str) -> Option<Vec<u8>>) -> Vec<(String, String)> {
        PerlFile::parse(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"))
            .variables(env)
            .into_iter()
            .map(|(k, v)| (String::from_utf8(k).unwrap(), String::from_utf8(v).unwrap()))
            .collect()
    }

    fn get(v: &[(String, String)], name: &str) -> Option<String> {
        v.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn refused(text: &str) -> PerlFileError {
        PerlFile::parse(text.as_bytes()).expect_err(text)
    }

    #[test]
    fn a_kit_file_is_read() {
        let v = vars(
            "#!/usr/bin/perl\n# paygent.properties\npackage Paygent::B2B;\nuse strict;\n\
             use warnings;\n\n\
             our $HTTPS_KEY_FILE  = '/k/clcerts_key_nopass.pem';   # the key\n\
             our $HTTPS_CERT_FILE = \"/k/clcerts.pem\";\n\
             our $HTTPS_CA_FILE = '/k/ca.pem'; our $timeout_value = 35;\n\
             our $proxy_server_name = \"http://proxy-server:8080/\";\n\
             our $Debug = 0;\nour $log_output_path = '';\n1;\n",
        );
        assert_eq!(
            get(&v, "HTTPS_KEY_FILE").as_deref(),
            Some("/k/clcerts_key_nopass.pem")
        );
        assert_eq!(
            get(&v, "HTTPS_CERT_FILE").as_deref(),
            Some("/k/clcerts.pem")
        );
        assert_eq!(get(&v, "timeout_value").as_deref(), Some("35"));
        assert_eq!(get(&v, "Debug").as_deref(), Some("0"));
        assert_eq!(get(&v, "log_output_path").as_deref(), Some(""));
        assert_eq!(
            get(&v, "proxy_server_name").as_deref(),
            Some("http://proxy-server:8080/")
        );
        // Variables outside the table are not handed over.
        assert!(vars("our $something_else = 1;").is_empty());
    }

    #[test]
    fn strings_keep_their_bytes_and_escapes() {
        let v = vars(r#"$default_id = 'it\'s \\ \n'; $default_password = "a\"b\\c\td\$e\@f\/g";"#);
        assert_eq!(get(&v, "default_id").as_deref(), Some(r"it's \ \n"));
        assert_eq!(
            get(&v, "default_password").as_deref(),
            Some("a\"b\\c\td$e@f/g")
        );
        // Shift_JIS bytes as they are, a string over two lines with its newline.
        let f = PerlFile::parse(
            b"our $default_id = '\x83\x65\x83\x58\x83\x67';\nour $merchant_id = 'a\nb';",
        )
        .unwrap();
        let v = f.variables(|_| None);
        assert_eq!(
            v[0],
            (b"default_id".to_vec(), b"\x83\x65\x83\x58\x83\x67".to_vec())
        );
        assert_eq!(v[1].1, b"a\nb");
        // As in Perl, a Shift_JIS second byte 0x5C is a backslash: before a byte that is not
        // `'` or `\` it stays.
        let f = PerlFile::parse(b"our $default_id = '\x95\x5C\x8E\xA6';").unwrap();
        assert_eq!(f.variables(|_| None)[0].1, b"\x95\x5C\x8E\xA6");
    }

    #[test]
    fn numbers_are_read_as_perl_prints_them() {
        for (text, want) in [
            ("35", "35"),
            ("2_000", "2000"),
            ("0", "0"),
            ("035", "29"),
            ("0x1F", "31"),
            ("0b101", "5"),
            ("-5", "-5"),
            ("- 0", "0"),
        ] {
            let v = vars(&format!("our $timeout_value = {text};"));
            assert_eq!(get(&v, "timeout_value").as_deref(), Some(want), "{text}");
        }
        for text in ["094", "1.5", "1e3", "99999999999999999999"] {
            let e = refused(&format!("our $timeout_value = {text};"));
            assert!(e.message.contains("quoted string"), "{text}: {e}");
        }
    }

    #[test]
    fn undef_and_declarations() {
        let v = vars("our $merchant_id = 'x';\n$merchant_id = undef;\nour $default_id;\n");
        assert_eq!(get(&v, "merchant_id"), None);
        assert_eq!(get(&v, "default_id"), None);
    }

    #[test]
    fn array_refs_are_joined_with_commas() {
        let v = vars("our $telegram_kind_ref = [ '027', \"090\", 011, undef ];");
        assert_eq!(get(&v, "telegram_kind_ref").as_deref(), Some("027,090,9,"));
        let v = vars("our $telegram_kind_utf8 = [];");
        assert_eq!(get(&v, "telegram_kind_utf8").as_deref(), Some(""));
    }

    #[test]
    fn url_hashes_elements_and_scalars() {
        let v = vars(
            "our %paygent_url = ('02' => 'https://p/02', '03', 'https://p/03');\n\
             our %url = (\n  '02' => 'https://u/02',   # wins over %paygent_url\n\
               \"094\" => 'https://u/094',\n  11 => 'https://u/11',\n  ref => 'https://u/ref',\n);\n\
             $url{'091'} = 'https://e/091';\n$url{ 20 } = 'https://e/20';\n\
             our $url_03 = 'https://s/03';\nour $url_04 = 'https://s/04';\n\
             our $url_ = 'https://s/none';\n",
        );
        let urls: Vec<_> = v.iter().filter(|(k, _)| k.starts_with("url.")).collect();
        let want = [
            ("url.02", "https://u/02"),
            ("url.03", "https://p/03"),
            ("url.04", "https://s/04"),
            ("url.091", "https://e/091"),
            ("url.094", "https://u/094"),
            ("url.11", "https://u/11"),
            ("url.20", "https://e/20"),
            ("url.ref", "https://u/ref"),
        ];
        assert_eq!(
            urls.iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            want
        );
        // A later whole-hash assignment replaces the earlier one; an undef value is dropped.
        let v = vars("our %url = ('02' => 'a');\n%url = ('03' => 'b', '04' => undef, '05');");
        let urls: Vec<_> = v.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(urls, ["url.03"]);
    }

    #[test]
    fn env_fallback_for_unset_variables() {
        let env = |name: &str| {
            (name == "HTTPS_CA_FILE" || name == "HTTPS_CERT_FILE")
                .then(|| format!("/env/{name}").into_bytes())
        };
        let v = vars_env("our $HTTPS_CERT_FILE = '/file/cert';\n", env);
        assert_eq!(get(&v, "HTTPS_CERT_FILE").as_deref(), Some("/file/cert"));
        assert_eq!(
            get(&v, "HTTPS_CA_FILE").as_deref(),
            Some("/env/HTTPS_CA_FILE")
        );
        // An empty value is defined: no fallback. Variables without the fallback ignore %ENV.
        let v = vars_env("our $HTTPS_CA_FILE = '';", |_| Some(b"/env".to_vec()));
        assert_eq!(get(&v, "HTTPS_CA_FILE").as_deref(), Some(""));
        assert_eq!(get(&v, "default_id"), None);
        // The file's own $ENV{…} entries come first.
        let v = vars_env(
            "$ENV{HTTPS_CA_FILE} = '/set/ca';\n$ENV{'HTTPS_KEY_FILE'} = undef;",
            env,
        );
        assert_eq!(get(&v, "HTTPS_CA_FILE").as_deref(), Some("/set/ca"));
        assert_eq!(get(&v, "HTTPS_KEY_FILE"), None);
        assert_eq!(
            get(&v, "HTTPS_CERT_FILE").as_deref(),
            Some("/env/HTTPS_CERT_FILE")
        );
    }

    #[test]
    fn lexicals_strict_and_packages_follow_perl() {
        // `my` variables are invisible to the module, then `our` makes the name the package's.
        let v = vars("my $default_id = 'lexical';\n$default_id = 'still lexical';\n");
        assert_eq!(get(&v, "default_id"), None);
        let v = vars("my $default_id = 'a';\nour $default_id = 'b';\n");
        assert_eq!(get(&v, "default_id").as_deref(), Some("b"));
        // Fully qualified names are the package's, even under strict.
        let v = vars("use strict;\n$Paygent::B2B::default_id = 'q';\n");
        assert_eq!(get(&v, "default_id").as_deref(), Some("q"));
        // Without strict, a bare assignment sets the package variable; with it, Perl refuses.
        assert_eq!(
            get(&vars("$default_id = 'x'"), "default_id").as_deref(),
            Some("x")
        );
        let e = refused("use strict;\n\n$default_id = 'x';\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("our $default_id"), "{e}");
        assert!(
            refused("use strict;\n$url{'02'} = 'x';\n")
                .message
                .contains("%url")
        );
        let v = vars("use strict;\nour %url;\n$url{'02'} = 'x';\n$ENV{HTTPS_CA_FILE} = 'e';");
        assert_eq!(get(&v, "url.02").as_deref(), Some("x"));
        assert_eq!(get(&v, "HTTPS_CA_FILE").as_deref(), Some("e"));
        assert!(vars("no strict;\n$default_id = 'x';").len() == 1);
        let e = refused("package main;\nour $default_id = 'x';");
        assert!(e.message.contains("package main"), "{e}");
        assert!(
            refused("our $main::x = 1;")
                .message
                .contains("Paygent::B2B")
        );
    }

    #[test]
    fn comments_pod_and_end_are_skipped() {
        let v = vars(
            "=pod\n\nour $default_id = 'in pod';\n\n=cut\n# our $merchant_id = 'comment';\n\
             our $default_password = 'p'; # 'trailing'\n;;\n'1';\n__END__\nsystem('id');\n",
        );
        assert_eq!(v, [("default_password".to_string(), "p".to_string())]);
        // A file without `1;` and without a final `;`.
        assert_eq!(vars("our $default_id = 'x'").len(), 1);
        assert_eq!(vars("\u{feff}our $default_id = 'x';").len(), 1);
    }

    #[test]
    fn code_is_refused_with_its_line() {
        for (text, line, found) in [
            ("system(q{id > pwned}); 1;", 1, "`system`"),
            ("our $x = 1;\n\nsystem 'id';", 3, "`system`"),
            ("our $HTTPS_CERT_FILE = `id`;", 1, "backticks"),
            ("our $HTTPS_CERT_FILE = qx(id);", 1, "`qx`"),
            ("do '/tmp/x.pl';", 1, "`do`"),
            ("require '/tmp/x.pl';", 1, "`require`"),
            ("eval { 1 };", 1, "`eval`"),
            ("use POSIX;", 1, "use POSIX"),
            ("BEGIN { system 'id' }", 1, "`BEGIN`"),
            (
                "our $HTTPS_CERT_FILE = <<EOF;\nx\nEOF\n",
                1,
                "here-document",
            ),
            (
                "our $HTTPS_CERT_FILE = '/k/' . 'c.pem';",
                1,
                "concatenation",
            ),
            (
                "our $HTTPS_CERT_FILE = \"$ENV{HOME}/c.pem\";",
                1,
                "interpolation",
            ),
            ("our $HTTPS_CERT_FILE =\n  \"/k/\n@x\";", 3, "interpolation"),
            ("our $HTTPS_CERT_FILE = \"\\x41\";", 1, "\\x"),
            ("our $HTTPS_CERT_FILE = $ENV{HOME};", 1, "`$ENV`"),
            ("our $HTTPS_CERT_FILE = lc 'A';", 1, "`lc`"),
            ("our $HTTPS_CERT_FILE = 'a' x 3;", 1, "`x`"),
            ("our $HTTPS_CERT_FILE = 'a', system('id');", 1, "`,`"),
            ("our $HTTPS_CERT_FILE = undef('id');", 1, "`undef`"),
            ("our @list = ('a');", 1, "`@list`"),
            ("our %ENV = ();", 1, "%ENV"),
            ("our %url = ('02' => `id`);", 1, "backticks"),
            ("our %url = ('02' => ['a']);", 1, "`[`"),
            ("our %url = '02';", 1, "a list"),
            ("our $default_id = 'never closed;\n\n", 1, "never closed"),
            ("$url{system('id')} = 1;", 1, "`system`"),
            ("&main::x();", 1, "`&main::x`"),
            ("sub x { system 'id' }", 1, "`sub`"),
        ] {
            let e = refused(text);
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.message.contains(found), "{text}: {e}");
        }
        // Bytes that are not ASCII are shown escaped.
        let e = PerlFile::parse(b"\x83\x65 = 1;").unwrap_err();
        assert!(e.message.contains("\\x83"), "{e}");
    }
}
