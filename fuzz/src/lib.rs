//! What every fuzz target shares: a scratch folder per process, a small project to import
//! into, and the oracle an import must satisfy.
//!
//! The oracle: an import either fails with an error (never a panic), or returns an edit that
//! applies to the project it was built for, and the project then survives a save → load
//! round trip unchanged. A panic, an edit that does not apply, or a round trip that changes
//! the project is a finding.

use spantag::formats::{self, ImportFormat};
use spantag::io::project_file;
use spantag::model::{self, DocId, Document, Project};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scratch folder that lives as long as the fuzzing process.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("scratch folder"))
        .path()
}

/// The project imports go into: the default schema and one document `a` with an emoji,
/// a combining accent and two lines, so spans imports have something to attach to.
pub fn base_project() -> Project {
    let doc = Document::from_raw(
        DocId("a".into()),
        "Mark Zuckerberg 😀 zegt e\u{301}n keer sorry.\nDe EU is boos.",
    );
    Project::new(project_file::default_schema(), vec![doc]).expect("base project")
}

/// Writes `files` (name, bytes) into a fresh sub-folder of the scratch folder and returns
/// the path of the first one (or of the folder, when `folder` is true).
pub fn write_files(files: &[(&str, &[u8])], folder: bool) -> PathBuf {
    let dir = scratch().join("in");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("input folder");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("input file");
    }
    if folder {
        dir
    } else {
        dir.join(files.first().map_or("input", |f| f.0))
    }
}

/// Imports `path` as `format` into [`base_project`] and checks the oracle.
pub fn import_and_check(path: &Path, format: ImportFormat) {
    let mut project = base_project();
    let Ok((edit, _report)) = formats::import(&mut project, path, Some(format), &mut |_| {}) else {
        return;
    };
    if let Err(e) = model::apply(&mut project, edit) {
        panic!("the import's edit does not apply: {e}");
    }
    round_trip(&project);
}

/// Saves and loads `project` in memory; the loaded project must equal it.
pub fn round_trip(project: &Project) {
    let text = project_file::to_ron(project);
    match project_file::from_ron(&text, Path::new("fuzz.ron")) {
        Ok(loaded) => assert!(loaded == *project, "save → load changed the project"),
        Err(e) => panic!("a saved project does not load: {e}\n{text}"),
    }
}

/// Splits fuzz input at the first NUL byte: (before, after). Without one, `before` is
/// `default`.
pub fn split_at_nul<'a>(data: &'a [u8], default: &'a [u8]) -> (&'a [u8], &'a [u8]) {
    match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (default, data),
    }
}
