//! Which configuration file the CLI uses, and how it becomes a core configuration: the same
//! parsers as the modules. `--config FILE`, else `$PAYGENT_PROPERTIES`, else
//! `./modenv_properties.php`, else `./paygent.properties`. A `modenv_properties.php` goes to
//! core's PHP parser; a Perl `paygent.properties` to core's static reader (never run: the CLI
//! often runs as root), then to core's Perl mapping.
//!
//! The file is opened once, without following a link; its owner and mode are checked on that
//! descriptor and the bytes parsed are read from it, so the file checked is the file read. A
//! configuration or client certificate/key file that another user could have written is
//! refused.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use paygent_core::Dialect;
use paygent_core::config::perl::properties_from_perl_vars;
use paygent_core::config::perl_file::PerlFile;
use paygent_core::config::{Config, ConfigSource, parse_php_properties};
use paygent_core::transport::TransportSettings;

/// The file found and the configuration source it gives.
pub struct Found {
    pub path: PathBuf,
    pub dialect: Dialect,
    pub source: ConfigSource,
    /// The bytes parsed, read from the descriptor whose owner and mode were checked.
    pub text: Vec<u8>,
    /// The configuration file's permission bits.
    pub mode: u32,
    /// The file holding the client key (`client_key_file_path`, else `client_file_path`) and its
    /// permission bits, when it could be opened.
    pub key_file: Option<(PathBuf, u32)>,
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

/// Why no configuration could be had: a message key of cli/messages and its arguments.
pub struct NotFound {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl NotFound {
    fn new(key: &'static str, path: &Path, more: &[(&'static str, String)]) -> Self {
        let mut args = vec![("path", path.display().to_string())];
        args.extend_from_slice(more);
        Self { key, args }
    }
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
            let args: Vec<(&str, &str)> = e.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            eprintln!("{}", msg.get(e.key, &args));
            None
        }
    }
}

pub fn find(arg: Option<&Path>) -> Result<Found, NotFound> {
    let path = match arg {
        Some(p) => p.to_path_buf(),
        None => default_path().ok_or(NotFound {
            key: "config.none",
            args: Vec::new(),
        })?,
    };
    let (mut file, mode) = open_checked(&path, false).map_err(|r| r.refusal("config", &path))?;
    let mut text = Vec::new();
    file.read_to_end(&mut text)
        .map_err(|e| NotFound::new("config.unreadable", &path, &[("detail", e.to_string())]))?;
    let (dialect, config) = if is_php(&text) {
        (Dialect::Php, parse_php_properties(&text))
    } else {
        let perl = PerlFile::parse(&text).map_err(|e| {
            let args = [("line", e.line.to_string()), ("detail", e.message)];
            NotFound::new("config.perl_failed", &path, &args)
        })?;
        let vars = perl.variables(|name| std::env::var_os(name).map(|v| v.into_vec()));
        let config = Config::from_properties(&properties_from_perl_vars(&vars), true);
        (Dialect::Perl, config)
    };
    let key_file = match &config {
        Ok(c) => check_credentials(c)?,
        Err(_) => None,
    };
    let source = match config {
        Ok(c) => ConfigSource::Ready(Arc::new(c)),
        Err(e) => ConfigSource::Failed(e),
    };
    Ok(Found {
        path,
        dialect,
        source,
        text,
        mode,
        key_file,
    })
}

/// The client certificate and key files the configuration names: refused when another user
/// could have written them. Core opens them again by path when it loads them, following a
/// link as the modules do, so the check is on what the path leads to. A file that cannot be
/// opened is left to the load, which reports it. Returns the key file and its mode.
fn check_credentials(c: &Config) -> Result<Option<(PathBuf, u32)>, NotFound> {
    let (s, _) = TransportSettings::from_config(c);
    let mut key_file = None;
    for p in [&s.client_file, &s.client_key_file].into_iter().flatten() {
        let path = PathBuf::from(OsStr::from_bytes(p));
        match open_checked(&path, true) {
            Ok((_, mode)) => key_file = Some((path, mode)),
            Err(Refused::Io(_) | Refused::Link | Refused::NotFile) => key_file = None,
            Err(r) => return Err(r.refusal("credential", &path)),
        }
    }
    Ok(key_file)
}

/// Why a file is not read.
enum Refused {
    Io(std::io::Error),
    Link,
    NotFile,
    Owner(u32),
    Writable(u32),
}

impl Refused {
    /// The message of `what` (`config` or `credential`) for this refusal.
    fn refusal(self, what: &str, path: &Path) -> NotFound {
        let key = match (what, &self) {
            (_, Refused::Io(_)) => "config.unreadable",
            (_, Refused::Link) => "config.link",
            (_, Refused::NotFile) => "config.not_file",
            ("config", Refused::Owner(_)) => "config.owner",
            ("config", Refused::Writable(_)) => "config.writable",
            (_, Refused::Owner(_)) => "credential.owner",
            (_, Refused::Writable(_)) => "credential.writable",
        };
        let args = match self {
            Refused::Io(e) => vec![("detail", e.to_string())],
            Refused::Owner(uid) => vec![("owner", uid.to_string()), ("uid", euid().to_string())],
            Refused::Writable(mode) => vec![("mode", format!("{mode:04o}"))],
            Refused::Link | Refused::NotFile => Vec::new(),
        };
        NotFound::new(key, path, &args)
    }
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Open `path` for reading (not through a link unless `follow`; non-blocking, so a FIFO
/// cannot hang the open) and check, on the opened descriptor: a regular file, owned by this
/// user or root, not writable by group or others. The file and its permission bits.
fn open_checked(path: &Path, follow: bool) -> Result<(File, u32), Refused> {
    let flags = libc::O_NONBLOCK | libc::O_CLOEXEC | if follow { 0 } else { libc::O_NOFOLLOW };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) && !follow {
                Refused::Link
            } else {
                Refused::Io(e)
            }
        })?;
    let meta = file.metadata().map_err(Refused::Io)?; // fstat on the descriptor
    if !meta.file_type().is_file() {
        return Err(Refused::NotFile);
    }
    let mode = meta.mode() & 0o7777;
    if meta.uid() != euid() && meta.uid() != 0 {
        return Err(Refused::Owner(meta.uid()));
    }
    if mode & 0o022 != 0 {
        return Err(Refused::Writable(mode));
    }
    Ok((file, mode))
}

/// The file [`find`] would read without `--config`, if any.
pub fn default_path() -> Option<PathBuf> {
    candidates().into_iter().find(|p| p.is_file())
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
