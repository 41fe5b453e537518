//! Atomic file writes: a temporary file in the same folder, fsync, rename. A reader (or a
//! crash at any moment) sees either the complete old file or the complete new one.
//!
//! A path that is a symbolic link is written where the link leads ([`write_target`]): the
//! temporary file and the `.bak` go beside the file at the end of the chain of links, in
//! its folder, and the link stays a link, so the real project gets the new content.
//!
//! Backups. An ordinary save (a project loaded from `P.ron`, saved to `P.ron` again) first
//! copies the previous `P.ron` to `P.ron.bak` ([`keep_backup`]): one step of its history.
//! When spantag replaces a file with something that is *not* a later version of it
//! (`new`, `generate` or `import --force` over an existing file, `export --force` over a
//! project), that rotation would lose the old file at the next save, so the replaced file is
//! instead copied to the first free `P.ron.bak.1`, `P.ron.bak.2`, … ([`set_aside`]), names
//! no save ever writes; when the replacement is a project, the replaced file's own
//! `P.ron.bak` (its older version, or one left by a project deleted since) goes to a free
//! numbered name too ([`set_aside_with_backup`]), because the new project's first save
//! writes `P.ron.bak`. Ordinary saves need nothing more: what they rotate into `.bak` is
//! an earlier version of the project being saved. Nothing spantag replaces is lost; the
//! numbered copies are the user's to delete.

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
    let mut writer = BufWriter::new(WritesBack::new(tmp, WRITE_BACK_EVERY));
    write(&mut writer)?;
    let tmp = writer.into_inner().map_err(|e| e.into_error())?.file;
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

/// How many bytes [`WritesBack`] lets pile up before it has them written to the disk.
const WRITE_BACK_EVERY: u64 = 32 << 20;

/// The temporary file of [`write_atomically`], whose written bytes start on their way to
/// the disk every [`WRITE_BACK_EVERY`] bytes (`sync_file_range(2)`, which does not wait
/// for them) instead of all at the final fsync: the disk writes while the rest is still
/// made, and the fsync waits for the last piece only. Exporting 3 million spans (1.29
/// GB) spent 0.7 s in its fsync (BENCHMARKS.md, "The lead's ninth session").
/// Elsewhere than on Linux, a plain file.
struct WritesBack {
    file: tempfile::NamedTempFile,
    /// Bytes written so far.
    written: u64,
    /// Where the bytes not yet sent on their way start.
    pending_from: u64,
    /// How many bytes may be pending.
    every: u64,
}

impl WritesBack {
    fn new(file: tempfile::NamedTempFile, every: u64) -> Self {
        Self {
            file,
            written: 0,
            pending_from: 0,
            every,
        }
    }

    /// Starts the pending bytes' way to the disk once there are enough of them.
    fn write_back_if_due(&mut self) {
        let pending = self.written - self.pending_from;
        if pending < self.every {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let fd = self.file.as_file().as_raw_fd();
            let (Ok(from), Ok(len)) = (
                libc::off64_t::try_from(self.pending_from),
                libc::off64_t::try_from(pending),
            ) else {
                return;
            };
            // SAFETY: sync_file_range only reads `fd`, an open file of ours; it starts
            // writeback of that range and changes no memory. A failure (a file system
            // without it) leaves the bytes to the fsync, as without this call.
            let _ = unsafe { libc::sync_file_range(fd, from, len, libc::SYNC_FILE_RANGE_WRITE) };
        }
        self.pending_from = self.written;
    }
}

impl Write for WritesBack {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        self.write_back_if_due();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
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

/// Copies `path` (through links), if it is a file, to the first free `<name>.bak.N` beside
/// it (N = 1, 2, …) and returns that name: a copy no save rotates away. The copy is written
/// atomically and never replaces an existing file, even one made meanwhile by another
/// process.
pub fn set_aside(path: &Path) -> io::Result<Option<PathBuf>> {
    let path = &write_target(path)?;
    if !path.is_file() {
        return Ok(None);
    }
    copy_to_free_slot(path, path).map(Some)
}

/// Where [`set_aside_with_backup`] put a replaced file and its backup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetAside {
    /// The copy of the replaced file, if there was a file.
    pub file: Option<PathBuf>,
    /// Where its `.bak` went, if it had one (`<name>.bak` itself is then gone).
    pub backup: Option<PathBuf>,
}

impl SetAside {
    /// A sentence for the user naming where the replaced file and backup went, if
    /// anywhere.
    pub fn message(&self, path: &Path) -> Option<String> {
        let message = match (&self.file, &self.backup) {
            (None, None) => return None,
            (Some(file), None) => format!("the file it replaced is kept as {}", file.display()),
            (Some(file), Some(backup)) => format!(
                "the file it replaced is kept as {} (and its backup as {})",
                file.display(),
                backup.display()
            ),
            (None, Some(backup)) => format!(
                "an earlier project's backup found there is kept as {}",
                backup.display()
            ),
        };
        Some(format!("{}: {message}", path.display()))
    }
}

/// Before `path` is replaced by a project that is not a later version of it: its `.bak`
/// (the older version of the replaced file) moves to the first free `<name>.bak.N`, then the
/// file itself is copied to the next free one ([`set_aside`]). The new project's next
/// ordinary save then starts `<name>.bak` afresh and can never write over either. A
/// `.bak` left without its file (the project was deleted or moved) is another project's
/// too, and is moved the same way.
pub fn set_aside_with_backup(path: &Path) -> io::Result<SetAside> {
    let path = &write_target(path)?;
    let backup = backup_path(path);
    let backup = if backup.is_file() {
        let moved = copy_to_free_slot(&backup, path)?;
        fs::remove_file(&backup)?;
        Some(moved)
    } else {
        None
    };
    Ok(SetAside {
        file: set_aside(path)?,
        backup,
    })
}

/// Copies `source` atomically to the first `<family>.bak.N` (N = 1, 2, …) that does not
/// exist, never replacing a file, and returns that path.
fn copy_to_free_slot(source: &Path, family: &Path) -> io::Result<PathBuf> {
    let dir = parent_dir(family);
    let mut from = fs::File::open(source)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".spantag-set-aside.")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    io::copy(&mut from, tmp.as_file_mut())?;
    tmp.as_file()
        .set_permissions(from.metadata()?.permissions())?;
    tmp.as_file().sync_all()?;
    let stem = backup_path(family);
    for n in 1..=u32::MAX {
        let mut name = stem.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{n}"));
        let slot = stem.with_file_name(name);
        if slot.exists() {
            continue;
        }
        match tmp.persist_noclobber(&slot) {
            Ok(_) => {
                sync_dir(&dir);
                return Ok(slot);
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(e.error),
        }
    }
    Err(io::Error::other("no free backup name"))
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

    /// Bytes sent on their way to the disk as they are written arrive as written, in
    /// writes of any size, whatever the window: none, one, many and a ragged last one.
    #[test]
    fn a_file_written_back_as_it_goes_holds_what_was_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for (every, piece) in [(1 << 20, 4096), (4096, 1000), (1, 1), (10_000, 33_333)] {
            let tmp = tempfile::NamedTempFile::new_in(dir.path()).expect("tmp");
            let mut writer = WritesBack::new(tmp, every);
            for chunk in bytes.chunks(piece) {
                writer.write_all(chunk).expect("write");
            }
            writer.flush().expect("flush");
            assert_eq!(writer.written, bytes.len() as u64);
            let sent_on = writer.written - writer.pending_from;
            assert!(
                sent_on < every,
                "every {every}: {sent_on} bytes left pending"
            );
            let read = fs::read(writer.file.path()).expect("read");
            assert!(read == bytes, "every {every}, pieces of {piece}");
        }
        let path = dir.path().join("big.jsonl");
        write_atomically(&path, |w: &mut dyn Write| w.write_all(&bytes)).expect("written");
        assert!(fs::read(&path).expect("read") == bytes);
    }

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

    /// Issue 18, point 5: replacing a project twice rotated the first replacement into
    /// `.bak`, over the annotated project. Set-aside copies take free numbered names.
    #[test]
    fn a_replaced_file_and_its_backup_are_set_aside_under_free_numbers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.ron");
        let read = |name: &str| fs::read_to_string(dir.path().join(name)).expect(name);
        assert_eq!(
            set_aside_with_backup(&path).expect("nothing there"),
            SetAside::default()
        );

        fs::write(&path, "annotated").expect("write");
        fs::write(backup_path(&path), "older").expect("write");
        fs::write(dir.path().join("p.ron.bak.1"), "someone's").expect("write");
        let first = set_aside_with_backup(&path).expect("set aside");
        assert_eq!(first.backup, Some(dir.path().join("p.ron.bak.2")));
        assert_eq!(first.file, Some(dir.path().join("p.ron.bak.3")));
        assert!(
            !backup_path(&path).exists(),
            "the next save starts .bak afresh"
        );
        assert_eq!(read("p.ron"), "annotated", "the file itself is only copied");
        assert_eq!(read("p.ron.bak.1"), "someone's", "never replaced");
        assert_eq!(read("p.ron.bak.2"), "older");
        assert_eq!(read("p.ron.bak.3"), "annotated");
        let message = first.message(&path).expect("a message");
        assert!(message.contains("p.ron.bak.3") && message.contains("p.ron.bak.2"));

        // The replacement, saved as usual, then replaced again.
        write_with_backup(&path, b"empty one").expect("replace");
        write_with_backup(&path, b"empty one, saved").expect("save");
        let second = set_aside_with_backup(&path).expect("set aside");
        assert_eq!(second.backup, Some(dir.path().join("p.ron.bak.4")));
        assert_eq!(second.file, Some(dir.path().join("p.ron.bak.5")));
        assert_eq!(read("p.ron.bak.3"), "annotated", "still there");
        assert_eq!(read("p.ron.bak.4"), "empty one");

        // A backup without its file: moved out of the new project's way all the same.
        let lone = dir.path().join("r.ron");
        fs::write(backup_path(&lone), "r, deleted since").expect("write");
        let moved = set_aside_with_backup(&lone).expect("set aside");
        assert_eq!(moved.file, None);
        assert_eq!(moved.backup, Some(dir.path().join("r.ron.bak.1")));
        assert!(!backup_path(&lone).exists());
        assert!(
            moved
                .message(&lone)
                .expect("a message")
                .contains("r.ron.bak.1")
        );

        // A file without a backup: only the copy.
        let other = dir.path().join("q.ron");
        fs::write(&other, "q").expect("write");
        let only = set_aside_with_backup(&other).expect("set aside");
        assert_eq!(only.backup, None);
        assert_eq!(
            set_aside(&other).expect("again"),
            Some(dir.path().join("q.ron.bak.2"))
        );
        assert_eq!(read("q.ron.bak.1"), "q");
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
