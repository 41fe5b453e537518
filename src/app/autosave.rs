//! Autosave and recovery: while a project has unsaved changes, a recovery copy is written
//! in the background at least every [`INTERVAL`] (and when the window loses focus), so a
//! crash or `kill -9` loses at most the last few seconds. The next start offers to
//! recover. A clean save or an explicit discard removes the copy.
//!
//! The copy never stalls a frame: like the background save, it takes a [`Snapshot`] of the
//! project (a few pointers: documents and annotations are shared, and an edit made while
//! it is written copies only what it changes) and writes it on another thread.
//!
//! Recovery files live in `$XDG_DATA_HOME/spantag/recovery` (default
//! `~/.local/share/spantag/recovery`, or `$SPANTAG_RECOVERY_DIR` when set): `NAME.ron` is
//! the project, `NAME.origin` the path of the project file it belongs to (empty for a
//! project never saved) and, on its second line, that file's stamp as the session last saw
//! it, so saving recovered work over a file changed since the crash asks first.
//!
//! Copies belong to a live process. Every running spantag holds an advisory lock on
//! `SESSION.lock` in the folder for as long as it runs (the operating system lets go of it
//! when the process dies, however it dies), and its copies are named `…-SESSION.ron`; a
//! copy whose owner still holds its lock is never offered or deleted by another instance.
//! The same way, an instance holds `KEY-SESSION.open` while it has a project file open, so
//! a second instance on the same file is warned before it saves.

use super::session::FileStamp;
use crate::io::atomic;
use crate::io::project_file::{self, Snapshot};
use crate::model::Project;
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Longest time unsaved work waits for a recovery write.
pub const INTERVAL: Duration = Duration::from_secs(5);

/// Where recovery files are kept.
pub fn recovery_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SPANTAG_RECOVERY_DIR") {
        return PathBuf::from(dir);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    data.join("spantag/recovery")
}

/// The part of recovery and presence file names that stands for a project file: its name
/// and a hash of its canonical path (or `untitled` for a project never saved).
fn project_key(origin: Option<&Path>) -> String {
    match origin {
        Some(path) => {
            let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
            let hash = crate::model::document::content_hash(&path.to_string_lossy());
            let stem = path.file_stem().map_or_else(
                || "project".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
            format!("{stem}-{}", &hash[..12])
        }
        None => "untitled".to_owned(),
    }
}

/// The recovery file name for a project file (or for an unsaved project) in the session
/// tagged `session`: every running spantag writes its own copies, so a copy found at
/// start-up is never overwritten before the user has chosen what to do with it.
fn recovery_name(origin: Option<&Path>, session: &str) -> String {
    format!("{}-{session}", project_key(origin))
}

/// Whether the advisory lock on `file` is held by a running process. A lock file whose
/// owner is gone is removed on the way. Where locks cannot be taken at all, nobody counts
/// as running, so copies are offered as before locks existed (never hidden for good).
fn held_by_a_live_process(file: &Path) -> bool {
    let Ok(handle) = File::open(file) else {
        return false;
    };
    match handle.try_lock() {
        Ok(()) => {
            drop(handle);
            let _ = std::fs::remove_file(file);
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    }
}

/// The session tags of the spantag instances running now that keep copies in `dir`.
fn live_sessions(dir: &Path) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashSet::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "lock"))
        .filter(|p| held_by_a_live_process(p))
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .collect()
}

/// A file created in `dir` and locked for as long as this value lives.
#[derive(Debug)]
struct HeldLock {
    file: PathBuf,
    _handle: File,
}

impl HeldLock {
    fn take(file: PathBuf) -> Option<Self> {
        let handle = File::create(&file).ok()?;
        handle.try_lock().ok()?;
        Some(Self {
            file,
            _handle: handle,
        })
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

/// A tag unique to this run of spantag (process id and start time).
fn session_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos:x}", std::process::id())
}

/// A recovery copy found at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The recovery project file.
    pub file: PathBuf,
    /// The project file it belongs to, if the project had been saved.
    pub origin: Option<PathBuf>,
    /// That file as the crashed session last saw it (read or wrote it).
    pub stamp: Option<FileStamp>,
}

impl Recovery {
    /// Loads the recovered project.
    pub fn load(&self) -> Result<Project, project_file::ProjectFileError> {
        project_file::load(&self.file)
    }

    /// Removes the recovery copy.
    pub fn discard(&self) {
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_file(self.file.with_extension("origin"));
    }
}

/// Recovery copies left behind by a session that did not end cleanly. Copies of
/// instances still running are not among them: they are not left behind.
pub fn find_recoveries(dir: &Path) -> Vec<Recovery> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let live = live_sessions(dir);
    let owned_by_a_live_instance = |file: &Path| {
        let stem = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        live.iter().any(|tag| stem.ends_with(&format!("-{tag}")))
    };
    let mut found: Vec<Recovery> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .filter(|p| !owned_by_a_live_instance(p))
        .map(|file| {
            let origin_text =
                std::fs::read_to_string(file.with_extension("origin")).unwrap_or_default();
            let mut lines = origin_text.lines();
            let origin = lines
                .next()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .map(PathBuf::from);
            let stamp = lines.next().and_then(FileStamp::from_line);
            Recovery {
                file,
                origin,
                stamp,
            }
        })
        .collect();
    found.sort_by(|a, b| a.file.cmp(&b.file));
    found
}

/// Writes recovery copies in a background thread and knows when one is due.
pub struct Autosaver {
    dir: PathBuf,
    last_written_state: Option<u64>,
    last_write: Instant,
    in_flight: Option<mpsc::Receiver<Result<(), String>>>,
    current_file: Option<PathBuf>,
    session: String,
    writes: u64,
    /// The lock that says this instance is alive (its copies are its own).
    alive: Option<HeldLock>,
    /// The project file this instance has open, and the lock that says so.
    open: Option<(PathBuf, Option<HeldLock>)>,
    /// The last write error, to show once.
    pub error: Option<String>,
}

impl Autosaver {
    /// An autosaver writing into `dir`, holding this instance's lock there.
    pub fn new(dir: PathBuf) -> Self {
        let session = session_tag();
        let alive = std::fs::create_dir_all(&dir)
            .ok()
            .and_then(|()| HeldLock::take(dir.join(format!("{session}.lock"))));
        Self {
            alive,
            open: None,
            dir,
            last_written_state: None,
            last_write: Instant::now(),
            in_flight: None,
            current_file: None,
            session,
            writes: 0,
            error: None,
        }
    }

    /// Called every frame: when the project has unsaved changes not yet written and the
    /// interval has passed (or `urgent`, e.g. focus was lost), takes a snapshot of the
    /// project and writes it on a background thread. Returns whether a write is running
    /// or due, so the caller keeps frames coming.
    pub fn tick(
        &mut self,
        project: &Project,
        origin: Option<(&Path, Option<FileStamp>)>,
        state: u64,
        dirty: bool,
        urgent: bool,
    ) -> bool {
        if let Some(rx) = &self.in_flight {
            match rx.try_recv() {
                Ok(result) => {
                    self.in_flight = None;
                    match result {
                        Ok(()) => self.writes += 1,
                        Err(e) => self.error = Some(e),
                    }
                }
                Err(mpsc::TryRecvError::Empty) => return true,
                Err(mpsc::TryRecvError::Disconnected) => self.in_flight = None,
            }
        }
        if !dirty {
            // Saved (or undone back to the saved state): nothing to recover.
            return false;
        }
        let due = urgent || self.last_write.elapsed() >= INTERVAL;
        if due && self.last_written_state == Some(state) && self.copy_went_missing() {
            // Someone removed the copy while the work is still unsaved: write it again.
            self.last_written_state = None;
        }
        if self.last_written_state == Some(state) || !due {
            return self.last_written_state != Some(state);
        }
        let name = recovery_name(origin.map(|(p, _)| p), &self.session);
        let origin_text = origin.map(|(p, stamp)| {
            let path = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
            let stamp = stamp.map_or_else(String::new, |s| s.to_line());
            format!("{}\n{stamp}", path.to_string_lossy())
        });
        let file = self.dir.join(format!("{name}.ron"));
        let snapshot = Snapshot::of(project);
        let dir = self.dir.clone();
        let target = file.clone();
        let (tx, rx) = mpsc::channel();
        crate::parallel::spawn_background(move || {
            let result = write_recovery(&dir, &target, &snapshot, origin_text.as_deref());
            let _ = tx.send(result);
        });
        self.in_flight = Some(rx);
        self.current_file = Some(file);
        self.last_written_state = Some(state);
        self.last_write = Instant::now();
        true
    }

    /// Whether the last copy written is no longer on disk.
    fn copy_went_missing(&mut self) -> bool {
        self.last_write = Instant::now();
        self.current_file.as_ref().is_some_and(|f| !f.is_file())
    }

    /// How many recovery copies this autosaver has written completely.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Whether this instance holds its lock, so other instances leave its copies alone.
    pub fn holds_lock(&self) -> bool {
        self.alive.is_some()
    }

    /// Says (to other instances) which project file this instance has open now; cheap
    /// when it did not change, so the window calls it every frame.
    pub fn set_open_project(&mut self, path: Option<&Path>) {
        if self.open.as_ref().map(|(p, _)| p.as_path()) == path {
            return;
        }
        self.open = path.map(|p| {
            let lock = format!("{}-{}.open", project_key(Some(p)), self.session);
            (p.to_owned(), HeldLock::take(self.dir.join(lock)))
        });
    }

    /// How many other running instances have the project file `path` open.
    pub fn others_editing(&self, path: &Path) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let prefix = format!("{}-", project_key(Some(path)));
        let ours = format!("{}-{}.open", project_key(Some(path)), self.session);
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with(&prefix) && n.ends_with(".open") && n != ours
                })
            })
            .filter(|p| held_by_a_live_process(p))
            .count()
    }

    /// Waits for a running write (used before removing the copy, at exit, and in tests).
    pub fn wait(&mut self) {
        if let Some(rx) = self.in_flight.take() {
            match rx.recv() {
                Ok(Ok(())) => self.writes += 1,
                Ok(Err(e)) => self.error = Some(e),
                Err(_) => {}
            }
        }
    }

    /// Removes this session's recovery copy (after a clean save or an explicit discard).
    pub fn clear(&mut self, origin: Option<&Path>) {
        self.wait();
        let mut files: Vec<PathBuf> = self.current_file.take().into_iter().collect();
        files.push(
            self.dir
                .join(format!("{}.ron", recovery_name(origin, &self.session))),
        );
        for file in files {
            let _ = std::fs::remove_file(&file);
            let _ = std::fs::remove_file(file.with_extension("origin"));
        }
        self.last_written_state = None;
    }
}

fn write_recovery(
    dir: &Path,
    file: &Path,
    snapshot: &Snapshot,
    origin: Option<&str>,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let origin_file = file.with_extension("origin");
    let origin = origin.unwrap_or("");
    atomic::write_atomically(&origin_file, |w: &mut dyn std::io::Write| {
        w.write_all(origin.as_bytes())
    })
    .map_err(|e: std::io::Error| format!("{}: {e}", origin_file.display()))?;
    atomic::write_atomically(file, |w: &mut dyn std::io::Write| snapshot.write_ron(w))
        .map_err(|e: std::io::Error| format!("{}: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Annotation, DocId, Document, Edit, Span, apply};

    fn project() -> Project {
        let doc = Document::from_raw(DocId("d".into()), "Zuckerberg zegt sorry.");
        Project::new(crate::model::schema::builtin_schema(), vec![doc]).expect("project")
    }

    #[test]
    fn writes_when_dirty_and_due_then_recovers_and_clears() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut saver = Autosaver::new(dir.path().to_owned());
        let mut p = project();
        assert!(
            !saver.tick(&p, None, 0, false, true),
            "clean: nothing to write"
        );
        let span = Span::new(0, 10, p.documents()[0].text()).expect("span");
        let tag = Annotation::entity(crate::model::AnnotationId::NEW, span, "PER");
        let tag = p.with_new_id(&DocId("d".into()), tag);
        apply(&mut p, Edit::AddAnnotation(DocId("d".into()), tag)).expect("tag");
        assert!(saver.tick(&p, None, 1, true, true));
        saver.wait();
        let copies = copies_in(dir.path());
        assert_eq!(copies.len(), 1);
        assert_eq!(project_file::load(&copies[0]).expect("loads"), p);
        assert!(
            find_recoveries(dir.path()).is_empty(),
            "the copy of a running instance is not offered"
        );
        // The same state is not written again.
        assert!(!saver.tick(&p, None, 1, true, true));
        saver.clear(None);
        assert!(copies_in(dir.path()).is_empty());
    }

    /// The recovery copies in `dir`, whoever owns them.
    fn copies_in(dir: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_crashed_instances_copy_is_offered_with_its_origin_and_stamp() {
        let dir = tempfile::tempdir().expect("tmp");
        let origin = dir.path().join("mine.ron");
        std::fs::write(&origin, "x").expect("write");
        let stamp = FileStamp::of(&origin);
        assert!(stamp.is_some());
        let mut saver = Autosaver::new(dir.path().join("rec"));
        saver.tick(&project(), Some((&origin, stamp)), 3, true, true);
        saver.wait();
        drop(saver);
        let found = find_recoveries(&dir.path().join("rec"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].origin, std::fs::canonicalize(&origin).ok());
        assert_eq!(found[0].stamp, stamp);
        assert_eq!(found[0].load().expect("loads"), project());
    }

    #[test]
    fn a_saved_project_remembers_its_origin() {
        let dir = tempfile::tempdir().expect("tmp");
        let origin = dir.path().join("mine.ron");
        std::fs::write(&origin, "x").expect("write");
        let mut saver = Autosaver::new(dir.path().join("rec"));
        saver.tick(&project(), Some((&origin, None)), 3, true, true);
        saver.wait();
        drop(saver);
        let found = find_recoveries(&dir.path().join("rec"));
        assert_eq!(found.len(), 1);
        let canonical = std::fs::canonicalize(&origin).expect("canonical");
        assert_eq!(found[0].origin.as_deref(), Some(canonical.as_path()));
        found[0].discard();
        assert!(find_recoveries(&dir.path().join("rec")).is_empty());
    }
}
