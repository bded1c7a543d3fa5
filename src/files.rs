//! The one way descent reads and writes files: only what is ours to touch, never without a bound.
//!
//! - **Writing** ([`write_atomically`]) goes to a new path or over a regular file the user may write, never through
//!   a symbolic link, onto a device, a FIFO, a socket or a folder, and never over a read-only file
//!   ([`check_target`]). The bytes go to a temporary file beside the target, are flushed, and the temporary file is
//!   renamed over the target, so readers see the old file or the new one, never half of one; the target's
//!   permissions are kept.
//! - **Reading** ([`read_capped`]) takes a regular file only (a FIFO would hang the reader, `/dev/zero` would fill
//!   the memory) of at most a stated size, and never reads past it even when the file grows meanwhile.
//!
//! Errors are `io::Error`s whose text is one line; callers prefix the path.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// An `InvalidInput` error with `message`.
fn refuse(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Refuses a path that goes through a symbolic link: any prefix of `path`, as given, that is a link.
fn check_no_links(path: &Path) -> io::Result<()> {
    let mut prefix = PathBuf::new();
    for component in path.components() {
        prefix.push(component);
        if matches!(component, Component::Normal(_))
            && fs::symlink_metadata(&prefix).is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(refuse(format!(
                "{} is a symbolic link: descent writes only to a new path or a regular file, never through a link",
                crate::format::echo(&prefix.display().to_string(), 200)
            )));
        }
    }
    Ok(())
}

/// Checks that `path` may be written: a new path, or a regular file the user may write, reached through no
/// symbolic link. Nothing is created or changed.
///
/// # Errors
/// `InvalidInput` naming what is wrong (a link, a device, FIFO, socket or folder, a read-only file), or the OS
/// error of opening an existing file for writing.
pub fn check_target(path: &Path) -> io::Result<()> {
    if path.file_name().is_none() {
        return Err(refuse("the path does not name a file".into()));
    }
    check_no_links(path)?;
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_file() {
        return Err(refuse(
            "is not a regular file (a folder, device, FIFO or socket): descent does not replace it".into(),
        ));
    }
    if meta.permissions().readonly() {
        return Err(refuse("is read-only: descent does not replace it".into()));
    }
    // Write permission as the OS sees it (another user's file in a writable folder); a regular file does not block.
    OpenOptions::new().write(true).open(path).map(drop)
}

/// Distinguishes temporary files of concurrent saves within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically, after [`check_target`]: to a new temporary file next to `path`, flushed to
/// disk, then renamed over `path` (an existing file's permissions are kept).
///
/// The rename is atomic on one file system (hence the temporary file in the same directory), so a crash or a full
/// disk never leaves `path` half written. On failure the temporary file is removed.
///
/// # Errors
/// As [`check_target`], and the OS error of creating, writing or renaming the temporary file; `path` is then as it
/// was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    check_target(path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let kept = fs::metadata(path).ok().map(|m| m.permissions());
    let unique = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    // A short name of its own, not derived from the target's: a long target name cannot push it past the file
    // system's limit, and the process id and counter keep concurrent saves apart.
    let temp = dir.join(format!(".descent-{}-{unique}.tmp", std::process::id()));
    let result = (|| {
        // create_new: never clobber some other file that happens to have the temporary name.
        let mut file: File = OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(bytes)?;
        if let Some(permissions) = &kept {
            file.set_permissions(permissions.clone())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        // Best effort: the temporary file may not even exist when its creation was what failed.
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_dir(&dir);
    Ok(())
}

/// Flushes a directory entry change (the rename) to disk where the platform allows it; failures are ignored
/// because the data itself is already safe and some file systems refuse to sync directories.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The bytes of the regular file at `path`, of at most `max_bytes` (`what` names the format in the message).
///
/// # Errors
/// `InvalidInput` for a FIFO, device, socket or folder, or a file past `max_bytes` (also one that grows past it
/// while being read); the OS error of opening or reading.
pub fn read_capped(path: &Path, max_bytes: u64, what: &str) -> io::Result<Vec<u8>> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(refuse(format!("is not a regular file (a folder, device, FIFO or socket): not read as {what}")));
    }
    let too_big = || refuse(format!("is larger than {} bytes, the most a {what} may be", max_bytes));
    if meta.len() > max_bytes {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    File::open(path)?.take(max_bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_regular_files_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.txt");
        write_atomically(&path, b"one").expect("new path");
        write_atomically(&path, b"two").expect("over a regular file");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        let err = write_atomically(dir.path(), b"x").expect_err("a folder");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[cfg(unix)]
    #[test]
    fn links_read_only_files_and_devices_are_refused_and_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("target.txt");
        fs::write(&target, b"keep").expect("write");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        assert!(write_atomically(&link, b"x").expect_err("link").to_string().contains("symbolic link"));
        assert!(fs::symlink_metadata(&link).expect("still a link").file_type().is_symlink());
        let linked_dir = dir.path().join("linked");
        std::os::unix::fs::symlink(dir.path(), &linked_dir).expect("symlink");
        assert!(write_atomically(&linked_dir.join("new.txt"), b"x").is_err(), "through a linked folder");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o444)).expect("chmod");
        assert!(write_atomically(&target, b"x").expect_err("read-only").to_string().contains("read-only"));
        assert_eq!(fs::read(&target).expect("read"), b"keep");
        assert_eq!(fs::metadata(&target).expect("meta").permissions().mode() & 0o777, 0o444);
        let err = write_atomically(Path::new("/dev/null"), b"x").expect_err("device");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).expect("chmod");
        write_atomically(&target, b"new").expect("writable again");
        assert_eq!(fs::metadata(&target).expect("meta").permissions().mode() & 0o777, 0o600, "mode kept");
    }

    #[test]
    fn reads_are_capped_and_regular_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("in.txt");
        fs::write(&path, b"12345").expect("write");
        assert_eq!(read_capped(&path, 5, "test file").expect("at the cap"), b"12345");
        assert!(read_capped(&path, 4, "test file").expect_err("past").to_string().contains("larger than 4 bytes"));
        assert!(read_capped(dir.path(), 5, "test file").is_err());
        #[cfg(unix)]
        {
            let err = read_capped(Path::new("/dev/zero"), 1 << 20, "session").expect_err("device");
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }
}
