//! Which configuration file the CLI uses, and how it becomes a core configuration: the same
//! parsers as the modules. `--config FILE`, else `$PAYGENT_PROPERTIES`, else
//! `./modenv_properties.php`, else `./paygent.properties`. A `modenv_properties.php` goes to
//! core's PHP parser; a Perl `paygent.properties` is Perl code, so `perl` loads it (as
//! `Paygent::B2B` does) and hands the variables of core's table to core's Perl mapping.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use paygent_core::Dialect;
use paygent_core::config::perl::{PERL_VARIABLES, properties_from_perl_vars};
use paygent_core::config::{Config, ConfigSource};

/// The file found and the configuration source it gives.
pub struct Found {
    pub path: PathBuf,
    pub dialect: Dialect,
    pub source: ConfigSource,
}

impl Found {
    /// A module on this configuration whose caller values and reply values are UTF-8: the
    /// module converts them to and from Windows-31J as `caller_encoding=UTF-8` does, reporting
    /// what Windows-31J cannot hold.
    pub fn utf8_module(&self) -> paygent_core::Module {
        let source = match self.source.load() {
            Ok(c) => {
                let mut c = (*c).clone();
                c.caller_encoding = Some(paygent_core::config::CallerEncoding::Utf8);
                ConfigSource::Ready(Arc::new(c))
            }
            Err(e) => ConfigSource::Failed(e),
        };
        paygent_core::Module::new(self.dialect, source)
    }
}

impl Found {
    /// A module on this configuration whose reply values are the bytes the gateway sent
    /// (Windows-31J), whatever `caller_encoding` the file sets: `notices sync` keeps each notice
    /// byte for byte and decodes the text itself.
    pub fn raw_module(&self) -> paygent_core::Module {
        let source = match self.source.load() {
            Ok(c) => {
                let mut c = (*c).clone();
                c.caller_encoding = None;
                ConfigSource::Ready(Arc::new(c))
            }
            Err(e) => ConfigSource::Failed(e),
        };
        paygent_core::Module::new(self.dialect, source)
    }
}

/// Why no configuration could be had: a message key of cli/messages and its `{path}`.
pub struct NotFound {
    pub key: &'static str,
    pub path: String,
    pub detail: String,
}

/// [`find`] for a command: why not (with the remedy) on stderr, and, unless `quiet` (JSON
/// output), which file is used. `None`: the command exits 2.
pub fn find_for_command(
    arg: Option<&Path>,
    msg: &crate::i18n::Messages,
    quiet: bool,
) -> Option<Found> {
    match find(arg) {
        Ok(f) => {
            if !quiet {
                let path = f.path.display().to_string();
                eprintln!("{}", msg.get("config.used", &[("path", &path)]));
            }
            Some(f)
        }
        Err(e) => {
            let args = [("path", e.path.as_str()), ("detail", e.detail.as_str())];
            eprintln!("{}", msg.get(e.key, &args));
            None
        }
    }
}

pub fn find(arg: Option<&Path>) -> Result<Found, NotFound> {
    let path = match arg {
        Some(p) => p.to_path_buf(),
        None => candidates()
            .into_iter()
            .find(|p| p.is_file())
            .ok_or(NotFound {
                key: "config.none",
                path: String::new(),
                detail: String::new(),
            })?,
    };
    let text = std::fs::read(&path).map_err(|e| NotFound {
        key: "config.unreadable",
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    if is_php(&text) {
        let source = ConfigSource::PhpProperties(path.clone());
        return Ok(Found {
            path,
            dialect: Dialect::Php,
            source,
        });
    }
    let source = match perl_variables(&path) {
        Ok(vars) => match Config::from_properties(&properties_from_perl_vars(&vars), true) {
            Ok(c) => ConfigSource::Ready(Arc::new(c)),
            Err(e) => ConfigSource::Failed(e),
        },
        Err(detail) => {
            return Err(NotFound {
                key: "config.perl_failed",
                path: path.display().to_string(),
                detail,
            });
        }
    };
    Ok(Found {
        path,
        dialect: Dialect::Perl,
        source,
    })
}

fn candidates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::env::var_os("PAYGENT_PROPERTIES")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    v.push("modenv_properties.php".into());
    v.push("paygent.properties".into());
    v
}

/// A `modenv_properties.php` opens with `<?php` or holds `paygentB2Bmodule.` keys; a
/// `paygent.properties` is Perl (`our $HTTPS_CERT_FILE = …;`).
fn is_php(text: &[u8]) -> bool {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    text[start..].starts_with(b"<?php") || text.windows(17).any(|w| w == b"paygentB2Bmodule.")
}

/// `(name, value)` pairs as core's Perl mapping takes them.
type Vars = Vec<(Vec<u8>, Vec<u8>)>;

/// Load a Perl `paygent.properties` with `perl` in the package `Paygent::B2B` reads it from, and
/// return the variables of core's table (with the `%ENV` fallbacks) and the `%url`,
/// `%paygent_url`, `$url_XX` endpoints as `url.<prefix>`.
fn perl_variables(path: &Path) -> Result<Vars, String> {
    const DUMP: &str = r#"
        package Paygent::B2B; no strict 'refs';
        my ($file, @names) = @ARGV;
        my %env = map { $_ => 1 } grep { s/^\+// } my @copy = @names;
        s/^\+// for @names;
        require(($file =~ m{^/}) ? $file : "./$file");
        binmode STDOUT;
        for my $n (@names) {
            my $v = ${"Paygent::B2B::$n"};
            $v = $ENV{$n} if !defined $v && $env{$n};
            next unless defined $v;
            $v = join(',', @$v) if ref $v eq 'ARRAY';
            print "$n\0$v\0";
        }
        my %url = (%{"Paygent::B2B::paygent_url"}, %{"Paygent::B2B::url"});
        for my $k (grep { /^url_\w+\z/ } keys %Paygent::B2B::) {
            my $v = ${"Paygent::B2B::$k"};
            $url{ substr $k, 4 } //= $v if defined $v;
        }
        print "url.$_\0$url{$_}\0" for grep { defined $url{$_} } sort keys %url;
    "#;
    let names = PERL_VARIABLES.iter().map(|v| {
        if v.env_fallback {
            format!("+{}", v.name)
        } else {
            v.name.to_string()
        }
    });
    let out = std::process::Command::new("perl")
        .arg("-e")
        .arg(DUMP)
        .arg(path)
        .args(names)
        .output()
        .map_err(|e| format!("perl: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let fields: Vec<&[u8]> = out.stdout.split(|&b| b == 0).collect();
    Ok(fields
        .chunks_exact(2)
        .map(|kv| (kv[0].to_vec(), kv[1].to_vec()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_and_perl_files_are_told_apart() {
        assert!(is_php(b"\n<?php\npaygentB2Bmodule.timeout_value=35\n"));
        assert!(is_php(b"paygentB2Bmodule.url.02=https://x/\n"));
        assert!(!is_php(b"our $HTTPS_CERT_FILE = '/k/client.pem';\n1;\n"));
    }

    #[test]
    fn a_perl_file_gives_the_modules_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("paygent.properties");
        std::fs::write(
            &path,
            "our $HTTPS_CERT_FILE = '/k/client.pem';\nour $HTTPS_CA_FILE = '/k/ca.pem';\n\
             our $proxy_server_ip = '127.0.0.1';\nour $proxy_server_port = 3128;\n\
             our %url = ('094' => 'https://gw.example/n/ref/paymentref');\n\
             our $url_02 = 'https://gw.example/n/card/request';\n1;\n",
        )
        .unwrap();
        let found = find(Some(&path)).ok().unwrap();
        assert_eq!(found.dialect, Dialect::Perl);
        let c = found.source.load().unwrap();
        assert_eq!(c.client_file_path, b"/k/client.pem");
        assert_eq!(c.proxy_server_port, 3128);
        assert_eq!(
            c.url_for_kind(b"094").unwrap(),
            b"https://gw.example/n/ref/paymentref"
        );
        assert_eq!(
            c.url_for_kind(b"020").unwrap(),
            b"https://gw.example/n/card/request"
        );
        std::fs::write(&path, "this is not perl {\n").unwrap();
        assert_eq!(find(Some(&path)).err().unwrap().key, "config.perl_failed");
    }
}
