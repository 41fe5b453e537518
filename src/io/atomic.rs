//! Atomic file writes: a temporary file in the same folder, fsync, rename. A reader (or a
//! crash at any moment) sees either the complete old file or the complete new one.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` atomically with whatever `write` produces. If `write` fails, the
/// temporary file is removed and `path` is untouched.
pub fn write_atomically<E>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<io::Error>,
{
    let dir = parent_dir(path);
    let tmp = tempfile::Builder::new()
        .prefix(&format!(
            ".{}.",
            path.file_name()
                .map_or_else(|| "spantag".into(), |n| n.to_string_lossy().into_owned())
        ))
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    let mut writer = BufWriter::new(tmp);
    write(&mut writer)?;
    let tmp = writer.into_inner().map_err(|e| e.into_error())?;
    // The temporary file is private (0600); the result keeps the permissions of the file
    // it replaces, or gets ordinary ones, so a shared project stays shared.
    let permissions = match fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => default_permissions(tmp.as_file())?,
    };
    tmp.as_file().set_permissions(permissions)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(&dir);
    Ok(())
}

/// Writes `bytes` to `path` atomically, keeping the previous version as `path.bak`. The
/// backup is written atomically too, so a crash during a save never leaves half a backup.
pub fn write_with_backup(path: &Path, bytes: &[u8]) -> io::Result<()> {
    keep_backup(path)?;
    write_atomically(path, |w: &mut dyn Write| w.write_all(bytes))
}

/// Copies `path` (if it exists) to its backup atomically, so a crash during the copy
/// leaves the previous backup whole.
pub fn keep_backup(path: &Path) -> io::Result<()> {
    if path.is_file() {
        let mut previous = fs::File::open(path)?;
        write_atomically(&backup_path(path), |w: &mut dyn Write| {
            io::copy(&mut previous, w).map(|_| ())
        })?;
    }
    Ok(())
}

/// Read-write for the owner, readable by others (the usual umask's result).
#[cfg(unix)]
fn default_permissions(_file: &fs::File) -> io::Result<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::Permissions::from_mode(0o644))
}

/// Whatever the platform gives a new file.
#[cfg(not(unix))]
fn default_permissions(file: &fs::File) -> io::Result<fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

/// Where the previous version of a file is kept: `name.ext.bak` beside it.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes the rename durable. Failure only weakens durability, never correctness, so it is
/// not reported (some file systems refuse to open folders).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.ron");
        fs::write(&path, "old").expect("write");
        let result = write_atomically(&path, |w: &mut dyn Write| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path).expect("read"), "old");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("p.ron")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.ron");
        write_with_backup(&path, b"one").expect("new");
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644, "a new file is not private");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o664)).expect("chmod");
        write_with_backup(&path, b"two").expect("replace");
        assert_eq!(mode(&path), 0o664, "a shared file stays shared");
    }

    #[test]
    fn backup_keeps_the_previous_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.ron");
        write_with_backup(&path, b"one").expect("first");
        write_with_backup(&path, b"two").expect("second");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
        assert_eq!(fs::read_to_string(backup_path(&path)).expect("bak"), "one");
    }
}
