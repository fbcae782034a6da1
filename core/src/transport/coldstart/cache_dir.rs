//! The session cache directory, opened once (at `init()`) and used only through that descriptor.
//!
//! A session file resumes the merchant's authenticated TLS identity, and a planted one would make
//! the module talk to a server it never verified; so the directory must be one that no other user
//! can change, now or later:
//!
//! - every directory on the way from `/` is owned by root or by this user, and is not writable by
//!   group or others — unless it is sticky (`/tmp`), where only the owner of an entry may rename
//!   or remove it, and the next component is owned by root or by this user;
//! - no component is a symbolic link, `.` or `..`;
//! - the cache directory itself is owned by this user, mode 0700 (no group or other bits).
//!
//! Each component is opened with `openat(O_DIRECTORY|O_NOFOLLOW)` relative to the one before and
//! checked with `fstat` on the opened descriptor, so nothing is checked by path and used later by
//! path: once open, renaming or swapping a parent directory changes nothing for this process.
//! Every file of the cache is then opened relative to the descriptor (`openat` + `O_NOFOLLOW`) and
//! checked with `fstat` again (session_cache.rs).

use std::ffi::OsStr;
use std::hash::{Hash, Hasher};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{Mode, OFlags, Stat};

/// An open, checked cache directory. Equal when it is the same path and the same directory.
#[derive(Clone, Debug)]
pub struct CacheDir {
    path: Vec<u8>,
    fd: Arc<OwnedFd>,
    dev: u64,
    ino: u64,
}

impl PartialEq for CacheDir {
    fn eq(&self, other: &Self) -> bool {
        (&self.path, self.dev, self.ino) == (&other.path, other.dev, other.ino)
    }
}
impl Eq for CacheDir {}
impl Hash for CacheDir {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (&self.path, self.dev, self.ino).hash(h);
    }
}

impl CacheDir {
    /// Open `path` after checking every component (module doc). `Err` says which component and
    /// why, for the log, `php --ri` and the doctor.
    pub fn open(path: &[u8]) -> Result<Self, String> {
        let path = absolute(Path::new(OsStr::from_bytes(path)))?;
        let (fd, st) = walk(&path, false)?;
        Ok(Self::from_parts(path, fd, &st))
    }

    /// `<base>/<name>`, created mode 0700 when missing (the default `auto` directory).
    pub fn open_or_create(base: &Path, name: &str) -> Result<Self, String> {
        let path = absolute(&base.join(name))?;
        let (fd, st) = walk(&path, true)?;
        Ok(Self::from_parts(path, fd, &st))
    }

    fn from_parts(path: PathBuf, fd: OwnedFd, st: &Stat) -> Self {
        Self {
            path: path.into_os_string().into_encoded_bytes(),
            fd: Arc::new(fd),
            dev: st.st_dev,
            ino: st.st_ino,
        }
    }

    /// The path it was opened under (for messages; never opened again by it).
    pub fn path(&self) -> &[u8] {
        &self.path
    }

    /// The descriptor every cache file is opened relative to.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

pub fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Mode bits of an fstat result.
pub fn mode(st: &Stat) -> u32 {
    st.st_mode & 0o7777
}

fn owner_ok(uid: u32) -> bool {
    uid == 0 || uid == euid()
}

fn absolute(p: &Path) -> Result<PathBuf, String> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir()
        .map_err(|e| format!("{}: the current directory is unknown ({e})", p.display()))?;
    Ok(cwd.join(p))
}

/// Open each component of `path` relative to the one before and check it (module doc).
fn walk(path: &Path, create_last: bool) -> Result<(OwnedFd, Stat), String> {
    let shown = path.display();
    let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut fd = rustix::fs::open("/", dir_flags, Mode::empty())
        .map_err(|e| format!("{shown}: cannot open / ({e})"))?;
    let mut st = rustix::fs::fstat(&fd).map_err(|e| format!("{shown}: {e}"))?;
    let mut at = PathBuf::from("/");
    let names: Vec<&OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(Ok(n)),
            Component::RootDir | Component::CurDir => None,
            _ => Some(Err(())),
        })
        .collect::<Result<_, _>>()
        .map_err(|()| format!("{shown}: the path has a `..` component"))?;
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        at.push(name);
        if last && create_last {
            // EEXIST: an existing entry is checked below like any other.
            let _ = rustix::fs::mkdirat(&fd, *name, Mode::from_raw_mode(0o700));
        }
        let child = rustix::fs::openat(&fd, *name, dir_flags, Mode::empty()).map_err(|e| {
            let why = match e {
                rustix::io::Errno::NOENT => "missing".to_string(),
                rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => {
                    let st = rustix::fs::statat(&fd, *name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW);
                    let link = st.is_ok_and(|st| {
                        rustix::fs::FileType::from_raw_mode(st.st_mode)
                            == rustix::fs::FileType::Symlink
                    });
                    if link {
                        "a symbolic link"
                    } else {
                        "not a directory"
                    }
                    .to_string()
                }
                rustix::io::Errno::ACCESS => "not accessible by this user".to_string(),
                e => e.to_string(),
            };
            format!("{}: {why}", at.display())
        })?;
        let cst = rustix::fs::fstat(&child).map_err(|e| format!("{}: {e}", at.display()))?;
        let parent_safe = owner_ok(st.st_uid) && mode(&st) & 0o022 == 0;
        let sticky_safe = owner_ok(st.st_uid) && mode(&st) & 0o1000 != 0 && owner_ok(cst.st_uid);
        if !parent_safe && !sticky_safe {
            let parent = at.parent().unwrap_or(Path::new("/"));
            return Err(format!(
                "{}: another user can replace {} in it (owner uid {}, mode {:04o}; it must be \
                 owned by root or uid {}, and not writable by group or others unless sticky)",
                parent.display(),
                name.to_string_lossy(),
                st.st_uid,
                mode(&st),
                euid()
            ));
        }
        fd = child;
        st = cst;
    }
    if st.st_uid != euid() || mode(&st) & 0o077 != 0 {
        return Err(format!(
            "{shown}: owner uid {}, mode {:04o}; it must be owned by uid {} (this user), mode 0700",
            st.st_uid,
            mode(&st),
            euid()
        ));
    }
    Ok((fd, st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(p: &Path, m: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }

    #[test]
    fn every_component_is_considered() {
        let base = tempfile::tempdir().unwrap();
        let parent = base.path().join("parent");
        let cache = parent.join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        chmod(base.path(), 0o700);
        chmod(&parent, 0o755);
        chmod(&cache, 0o700);
        let bytes = cache.as_os_str().as_bytes();
        assert!(CacheDir::open(bytes).is_ok());
        // a parent anyone can write to: the cache could be swapped after the check
        chmod(&parent, 0o777);
        let why = CacheDir::open(bytes).unwrap_err();
        assert!(why.contains("another user can replace cache"), "{why}");
        // sticky, like /tmp: only the owner of `cache` can rename it
        chmod(&parent, 0o1777);
        assert!(CacheDir::open(bytes).is_ok());
        chmod(&parent, 0o755);
        // the cache itself: mode and link
        chmod(&cache, 0o750);
        assert!(CacheDir::open(bytes).unwrap_err().contains("mode 0750"));
        chmod(&cache, 0o700);
        let link = parent.join("link");
        std::os::unix::fs::symlink(&cache, &link).unwrap();
        let why = CacheDir::open(link.as_os_str().as_bytes()).unwrap_err();
        assert!(why.ends_with("link: a symbolic link"), "{why}");
        std::fs::write(parent.join("file"), b"x").unwrap();
        let why = CacheDir::open(parent.join("file").as_os_str().as_bytes()).unwrap_err();
        assert!(why.ends_with("file: not a directory"), "{why}");
        // a link higher up is refused as well
        let up = base.path().join("up");
        std::os::unix::fs::symlink(&parent, &up).unwrap();
        assert!(CacheDir::open(up.join("cache").as_os_str().as_bytes()).is_err());
        let why = CacheDir::open(parent.join("nope").as_os_str().as_bytes()).unwrap_err();
        assert!(why.ends_with("nope: missing"), "{why}");
        let dotdot = parent.join("..").join("parent").join("cache");
        assert!(CacheDir::open(dotdot.as_os_str().as_bytes()).is_err());
    }

    #[test]
    fn the_descriptor_outlives_a_swap_of_its_parent() {
        let base = tempfile::tempdir().unwrap();
        let cache = base.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        chmod(&cache, 0o700);
        let dir = CacheDir::open(cache.as_os_str().as_bytes()).unwrap();
        std::fs::rename(&cache, base.path().join("moved")).unwrap();
        std::fs::create_dir(&cache).unwrap();
        std::fs::write(cache.join("planted"), b"x").unwrap();
        let planted = rustix::fs::openat(dir.fd(), "planted", OFlags::RDONLY, Mode::empty());
        assert!(
            planted.is_err(),
            "the descriptor still names the first directory"
        );
    }

    #[test]
    fn auto_directory_is_created_private() {
        let base = tempfile::tempdir().unwrap();
        chmod(base.path(), 0o1777);
        let dir = CacheDir::open_or_create(base.path(), "paygent-tls-test").unwrap();
        let st = rustix::fs::fstat(dir.fd()).unwrap();
        assert_eq!(mode(&st), 0o700);
        // someone else's directory under the same name is not used
        let other = base.path().join("paygent-tls-other");
        std::fs::create_dir(&other).unwrap();
        chmod(&other, 0o700);
        if std::os::unix::fs::chown(&other, Some(65534), Some(65534)).is_ok() {
            assert!(CacheDir::open_or_create(base.path(), "paygent-tls-other").is_err());
        } else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs as root: chown must work"
            );
            eprintln!("SKIPPED (not root): a directory owned by another user");
        }
    }
}
