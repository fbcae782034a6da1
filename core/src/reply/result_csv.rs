//! Writing the result CSV (§6.6): raw reply lines + CRLF, atomically (temp file + rename).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use super::{Reply, ReplyFormat, split_crlf};
use crate::error::{Error, ErrorKind};
use crate::php::is_blank;

use crate::telegram::{PARTIAL_DATA_CODE, RESULT_STATUS_ERROR};

/// Whether the CSV is written for this parsed reply (§6.4.3 9003 rule, §6.6).
pub fn should_write(format: ReplyFormat, reply: &Reply) -> bool {
    match format {
        ReplyFormat::Reference => {
            reply.result_status != RESULT_STATUS_ERROR.as_bytes()
                || reply.response_code == PARTIAL_DATA_CODE.as_bytes()
        }
        // file payment output does not look at the result [RUN]
        ReplyFormat::FilePayment => true,
        // a payment kind with a result CSV is refused before sending (E02007)
        ReplyFormat::Payment => false,
    }
}

/// The file's bytes: each raw reply line followed by CRLF. Reference keeps every fragment (so a
/// body ending in CRLF gains one more); file payment skips lines blank after trim.
pub fn content(format: ReplyFormat, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    for line in split_crlf(body) {
        if format == ReplyFormat::FilePayment && is_blank(line) {
            continue;
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Write the CSV; `Err` carries E01004 (CsvOpen / CsvWrite).
pub fn write(path: &Path, format: ReplyFormat, body: &[u8]) -> Result<(), Error> {
    let data = content(format, body);
    // an in-place open writes through a symlink; replace the file it points to, not the link
    let resolved;
    let path = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            resolved = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            resolved.as_path()
        }
        _ => path,
    };
    let existing = match check_target(path)? {
        Target::Special => return write_in_place(path, &data),
        Target::New => None,
        Target::File(perms) => Some(perms),
    };
    let mut tmp = create_temp(path)?;
    // On any failure `tmp` is dropped, which removes the temporary file.
    write_data(tmp.as_file_mut(), &data, existing.as_ref())?;
    tmp.persist(path)
        .map(drop)
        .map_err(|_| Error::new(ErrorKind::CsvOpen))
}

enum Target {
    New,
    /// An existing regular file and its permissions.
    File(fs::Permissions),
    /// A device or FIFO such as `/dev/null`: it cannot be replaced by rename.
    Special,
}

/// The official module opens the target in mode `w`; fail where that open would fail (a
/// directory, a read-only file) instead of replacing it by rename.
fn check_target(path: &Path) -> Result<Target, Error> {
    let open_error = || Error::new(ErrorKind::CsvOpen);
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(open_error()),
        Ok(meta) if meta.is_file() => {
            OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|_| open_error())?;
            Ok(Target::File(meta.permissions()))
        }
        Ok(_) => Ok(Target::Special),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Target::New),
        Err(_) => Err(open_error()),
    }
}

fn write_in_place(path: &Path, data: &[u8]) -> Result<(), Error> {
    let mut f = OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(|_| Error::new(ErrorKind::CsvOpen))?;
    f.write_all(data)
        .map_err(|_| Error::new(ErrorKind::CsvWrite))
}

/// A new file beside `path` (same file system, for the rename), created with O_EXCL under a
/// random name (`.<name>.XXXXXX.tmp`: never an existing file or a planted link), with the mode
/// a plain create would give (0666 less the umask).
fn create_temp(path: &Path) -> Result<tempfile::NamedTempFile, Error> {
    use std::os::unix::fs::PermissionsExt;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::new(ErrorKind::CsvOpen))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|_| Error::new(ErrorKind::CsvOpen))
}

fn write_data(
    mut file: impl WriteFile,
    data: &[u8],
    perms: Option<&fs::Permissions>,
) -> Result<(), Error> {
    let write_error = |_| Error::new(ErrorKind::CsvWrite);
    file.write_all(data).map_err(write_error)?;
    if let Some(p) = perms {
        // keep the mode of the file being replaced, as an in-place `w` open would
        file.set_permissions(p.clone()).map_err(write_error)?;
    }
    file.sync_all().map_err(write_error)
}

/// What [`write_data`] needs from a file; a trait so tests can make writing fail.
trait WriteFile: Write {
    fn set_permissions(&self, p: fs::Permissions) -> io::Result<()>;
    fn sync_all(&self) -> io::Result<()>;
}

impl WriteFile for &mut File {
    fn set_permissions(&self, p: fs::Permissions) -> io::Result<()> {
        File::set_permissions(self, p)
    }
    fn sync_all(&self) -> io::Result<()> {
        File::sync_all(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use std::path::PathBuf;

    fn reply(status: &[u8], code: &[u8]) -> Reply {
        Reply {
            result_status: status.to_vec(),
            response_code: code.to_vec(),
            ..Reply::default()
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("paygent-csv-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn reference_writes_unless_error_except_9003() {
        let r = ReplyFormat::Reference;
        assert!(should_write(r, &reply(b"0", b"")));
        assert!(!should_write(r, &reply(b"1", b"P026")));
        assert!(should_write(r, &reply(b"1", b"9003")));
        assert!(should_write(r, &reply(b"0", b"9003")));
        // exact comparison: " 1" is not "1"
        assert!(should_write(r, &reply(b" 1", b"P026")));
        assert!(!should_write(r, &reply(b"1", b"09003")));
    }

    #[test]
    fn file_payment_always_writes_payment_never() {
        assert!(should_write(
            ReplyFormat::FilePayment,
            &reply(b"1", b"9103")
        ));
        assert!(should_write(ReplyFormat::FilePayment, &reply(b"0", b"")));
        assert!(!should_write(ReplyFormat::Payment, &reply(b"0", b"")));
    }

    #[test]
    fn reference_content_is_every_fragment_plus_crlf() {
        let c = content(ReplyFormat::Reference, b"a\r\n\r\nb\r\n");
        assert_eq!(c, b"a\r\n\r\nb\r\n\r\n");
        assert_eq!(content(ReplyFormat::Reference, b"a\r\nb"), b"a\r\nb\r\n");
        assert_eq!(content(ReplyFormat::Reference, b""), b"\r\n");
    }

    #[test]
    fn file_payment_content_skips_blank_lines() {
        let c = content(ReplyFormat::FilePayment, b"1,0\r\n \t\r\n\r\n3,x\r\n");
        assert_eq!(c, b"1,0\r\n3,x\r\n");
        assert_eq!(
            content(ReplyFormat::FilePayment, b"1,0\r\n4,1"),
            b"1,0\r\n4,1\r\n"
        );
        // a lone LF inside a line is not a line end, and the line is not blank
        assert_eq!(content(ReplyFormat::FilePayment, b"a\nb\r\n"), b"a\nb\r\n");
    }

    #[test]
    fn write_creates_and_replaces_leaving_no_temp_file() {
        let dir = temp_dir("write");
        let path = dir.join("result.csv");
        write(&path, ReplyFormat::Reference, b"x\r\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"x\r\n\r\n");
        write(&path, ReplyFormat::FilePayment, b"y\r\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"y\r\n");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("result.csv")]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_directory_is_csv_open() {
        let e = write(
            Path::new("/nonexistent/dir/x.csv"),
            ReplyFormat::Reference,
            b"x",
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::CsvOpen);
        assert_eq!(e.code, ErrorCode::CsvOutput);
        assert_eq!(
            e.warning_text(crate::Dialect::Php),
            b"E01004: Failed to open CSV file."
        );
    }

    #[test]
    fn directory_target_is_csv_open() {
        let dir = temp_dir("dir");
        let e = write(&dir, ReplyFormat::Reference, b"x").unwrap_err();
        assert_eq!(e.kind, ErrorKind::CsvOpen);
        assert!(dir.is_dir());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn mode_of_replaced_file_is_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("mode");
        let path = dir.join("r.csv");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write(&path, ReplyFormat::Reference, b"new").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read(&path).unwrap(), b"new\r\n");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symlink_target_is_replaced_not_the_link() {
        let dir = temp_dir("link");
        let real = dir.join("real.csv");
        let link = dir.join("link.csv");
        fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write(&link, ReplyFormat::FilePayment, b"new\r\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"new\r\n");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn dev_null_is_written_in_place() {
        write(Path::new("/dev/null"), ReplyFormat::Reference, b"x\r\n").unwrap();
        assert!(Path::new("/dev/null").exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn write_error_on_a_device_is_csv_write() {
        if !Path::new("/dev/full").exists() {
            return; // minimal containers may lack it
        }
        let e = write(Path::new("/dev/full"), ReplyFormat::Reference, b"x").unwrap_err();
        assert_eq!(e.kind, ErrorKind::CsvWrite);
    }

    struct FailingFile;

    impl Write for FailingFile {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl WriteFile for FailingFile {
        fn set_permissions(&self, _: fs::Permissions) -> io::Result<()> {
            Ok(())
        }
        fn sync_all(&self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_failure_is_csv_write() {
        let e = write_data(FailingFile, b"x", None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::CsvWrite);
        assert_eq!(
            e.warning_text(crate::Dialect::Php),
            b"E01004: Failed to write to CSV file."
        );
    }
}
