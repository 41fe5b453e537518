//! Atomic file writes: a temporary file in the same folder, fsync, rename. A reader (or a
//! crash at any moment) sees either the complete old file or the complete new one.
//!
//! A path that is a symbolic link is written where the link leads ([`write_target`]): the
//! temporary file and the `.bak` go beside the file at the end of the chain of links, in
//! its folder, and the link stays a link, so the real project gets the new content.

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
    let path = &write_target(path)?;
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
    let path = &write_target(path)?;
    keep_backup(path)?;
    write_atomically(path, |w: &mut dyn Write| w.write_all(bytes))
}

/// Copies `path` (if it exists) to its backup atomically, so a crash during the copy
/// leaves the previous backup whole. Through a link, the backup is the target's, beside it.
pub fn keep_backup(path: &Path) -> io::Result<()> {
    let path = &write_target(path)?;
    if path.is_file() {
        let mut previous = fs::File::open(path)?;
        write_atomically(&backup_path(path), |w: &mut dyn Write| {
            io::copy(&mut previous, w).map(|_| ())
        })?;
    }
    Ok(())
}

/// Links followed before a chain is taken for a loop (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The file a write to `path` lands in: `path` itself, or, when it is a symbolic link, the
/// path at the end of its chain of links (a relative link is read from the link's folder).
/// The end may not exist yet (a link to a file still to be made); then it is created
/// there. A loop of links is an error.
pub fn write_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = if next.is_absolute() {
                    next
                } else {
                    parent_dir(&current).join(next)
                };
            }
            _ => return Ok(current),
        }
    }
    // The caller names the path in its message.
    Err(io::Error::other(
        "too many levels of symbolic links (a loop?)",
    ))
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

    /// Issue 18, point 6: saving through a symbolic link replaced the link with a file, and
    /// the link's target (the real project) kept the old content.
    #[cfg(unix)]
    #[test]
    fn a_save_through_a_link_writes_the_target_and_keeps_the_link() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().expect("tempdir");
        let real_dir = dir.path().join("real");
        let link_dir = dir.path().join("links");
        fs::create_dir(&real_dir).expect("mkdir");
        fs::create_dir(&link_dir).expect("mkdir");
        let target = real_dir.join("p.ron");
        fs::write(&target, "old").expect("write");
        // A relative link to the target, and an absolute link to that link: a chain.
        let near = real_dir.join("near.ron");
        symlink("p.ron", &near).expect("relative link");
        let far = link_dir.join("far.ron");
        symlink(&near, &far).expect("absolute link");
        // A relative link from another folder, going up and across.
        let across = link_dir.join("across.ron");
        symlink("../real/near.ron", &across).expect("relative link across folders");

        for (link, content) in [(&near, "one"), (&far, "two"), (&across, "three")] {
            let before = fs::read_to_string(&target).expect("read");
            write_with_backup(link, content.as_bytes()).expect("save through the link");
            for l in [&near, &far, &across] {
                let meta = fs::symlink_metadata(l).expect("meta");
                assert!(
                    meta.file_type().is_symlink(),
                    "{} is still a link",
                    l.display()
                );
            }
            assert_eq!(fs::read_to_string(&target).expect("read"), content);
            assert_eq!(
                fs::read_to_string(backup_path(&target)).expect("backup beside the target"),
                before
            );
        }
        let names = |d: &Path| {
            let mut names: Vec<String> = fs::read_dir(d)
                .expect("ls")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            names(&link_dir),
            ["across.ron", "far.ron"],
            "no backup or temp file here"
        );
        assert_eq!(names(&real_dir), ["near.ron", "p.ron", "p.ron.bak"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_missing_file_creates_the_file_and_a_loop_is_an_error() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("new.ron");
        symlink("made.ron", &link).expect("dangling link");
        write_with_backup(&link, b"new").expect("write through a dangling link");
        assert!(
            fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("made.ron")).expect("made"),
            "new"
        );

        let a = dir.path().join("a.ron");
        let b = dir.path().join("b.ron");
        symlink("b.ron", &a).expect("link");
        symlink("a.ron", &b).expect("link");
        assert!(
            write_with_backup(&a, b"x").is_err(),
            "a loop of links is refused"
        );
        assert!(
            fs::symlink_metadata(&a)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
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
